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
