// Accessibility checks with axe-core: every page a journey visits is checked against WCAG 2.0,
// 2.1 and 2.2 A and AA rules, and any violation fails the test with the rule, its impact, what
// it asks for and the elements that break it.

import { AxeBuilder } from '@axe-core/playwright';

export const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

/** Runs axe on the page as it is now: { violations, incomplete } (axe's own result objects). */
export async function runAxe(page) {
  const results = await new AxeBuilder({ page }).withTags(WCAG_TAGS).analyze();
  return { violations: results.violations, incomplete: results.incomplete };
}

/**
 * Runs axe on pages whose context has JavaScript switched off. axe cannot run there (it needs
 * timers, which a page without scripts never fires), so it runs on a copy: the page's current
 * DOM (open <details> included), served at the same address with the same stylesheets and
 * viewport, in a context of `browser` where scripts may run but the page's own are removed and
 * every script file is refused, so the copy is the page a citizen without JavaScript has.
 */
export class AxeOnCopy {
  constructor(browser) {
    this.browser = browser;
    this.context = null;
    this.copyOf = null; // { url, html } of the page being copied
  }

  async run(page) {
    const html = (await page.content()).replace(/<script\b[\s\S]*?<\/script>/gi, '');
    const url = page.url();
    this.copyOf = { url, html };
    if (!this.context) {
      this.context = await this.browser.newContext({ viewport: page.viewportSize() ?? undefined });
      await this.context.route('**/*', (route) => {
        const request = route.request();
        if (request.isNavigationRequest() && request.url() === this.copyOf?.url) {
          return route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: this.copyOf.html });
        }
        if (request.resourceType() === 'script') return route.abort();
        return route.continue();
      });
      this.page = await this.context.newPage();
    }
    await this.page.goto(url);
    const scripted = await this.page.locator('body').evaluate((body) => body.classList.contains('js-enabled'));
    if (scripted) throw new Error(`the copy of ${url} for axe ran the page's scripts`);
    return runAxe(this.page);
  }

  async close() {
    await this.context?.close();
    this.context = null;
  }
}

/** Runs axe once on a copy of a page with JavaScript off (see AxeOnCopy). */
export async function runAxeOnCopy(page, browser) {
  const copier = new AxeOnCopy(browser);
  try {
    return await copier.run(page);
  } finally {
    await copier.close();
  }
}

/** One violation as text: id, impact, help, then each element's selector and axe's summary. */
export function describeViolation(violation) {
  const lines = [`  [${violation.impact ?? 'unknown'}] ${violation.id}: ${violation.help} (${violation.helpUrl})`];
  for (const node of violation.nodes) {
    lines.push(`      at ${node.target.join(' ')}`);
    lines.push(`         ${node.html.replace(/\s+/g, ' ').slice(0, 300)}`);
    if (node.failureSummary) {
      lines.push(`         ${node.failureSummary.replace(/\s*\n\s*/g, '; ')}`);
    }
  }
  return lines.join('\n');
}

/** A report of the violations found on a page, or "" for none. */
export function describeViolations(where, violations) {
  if (violations.length === 0) return '';
  return [`axe: ${violations.length} accessibility violation(s) on ${where}:`, ...violations.map(describeViolation)].join(
    '\n',
  );
}

/** Fails when axe finds any violation on the page now. */
export async function assertAccessible(page, where = page.url()) {
  const { violations } = await runAxe(page);
  const report = describeViolations(where, violations);
  if (report) throw new Error(report);
}
