// A citizen in a browser tab: goes to pages, fills in and sends forms, and checks what each page
// shows. Every page that loads must be checked with `sees()`, which also runs axe on it; `finish()`
// fails the journey if any page had accessibility violations, if a page loaded that nobody
// checked, or if a page had a script error or a missing asset.
//
// A citizen can move between sites: the provider and the departments of a stack. Each site has a
// name, an address and the end of its pages' titles; `sees({ site })` checks that the page is on
// that site, and links to any of the sites are followed by `finish()`.

import assert from 'node:assert/strict';
import path from 'node:path';

import { request as playwrightRequest } from 'playwright-core';

import { AxeOnCopy, describeViolations, runAxe } from './a11y.mjs';

/** The end of the provider's page titles; a department's is " - <service name> - GOV.UK". */
export const TITLE_SUFFIX = ' - GOV.UK One Login - GOV.UK';

export class Citizen {
  /**
   * page: a Playwright page; baseUrl: the provider's URL; sites: other sites the citizen visits,
   * { name: { url, titleSuffix } } (the provider is the site "provider"); artifacts: { dir, name }
   * for screenshots; log: (message) => void for notes in the test output; javaScriptEnabled:
   * false when the page's context has JavaScript off, and then `browser` to open axe's copies in.
   */
  constructor(
    page,
    { baseUrl, sites = {}, artifacts, log = () => {}, javaScriptEnabled = true, browser = null },
  ) {
    this.page = page;
    this.sites = { provider: { url: baseUrl, titleSuffix: TITLE_SUFFIX }, ...sites };
    this.javaScriptEnabled = javaScriptEnabled;
    // The GOV.UK components' own words, in the language the pages are in (set for Welsh).
    this.words = { error: 'Error:', problem: 'There is a problem' };
    // When set ('cy'), every page `sees()` checks must be in that language (<html lang>).
    this.lang = null;
    this.axeOnCopy = javaScriptEnabled ? null : new AxeOnCopy(browser);
    this.baseUrl = baseUrl;
    this.artifacts = artifacts;
    this.log = log;
    this.loads = []; // { url, checked }
    this.accessibilityReports = [];
    this.scriptErrors = [];
    this.brokenAssets = [];
    this.documents = []; // document responses since the last action: { method, status, path, url }
    this.links = new Map(); // same-site link → the first page it was seen on
    this.brokenLinks = [];

    page.on('load', () => this.loads.push({ url: page.url(), checked: false }));
    page.on('response', (response) => {
      const request = response.request();
      if (request.frame() !== page.mainFrame()) return;
      if (request.isNavigationRequest()) {
        this.documents.push({
          method: request.method(),
          status: response.status(),
          path: new URL(response.url()).pathname,
          url: response.url(),
        });
      } else if (response.status() >= 400) {
        this.brokenAssets.push(`${response.status()} ${request.method()} ${response.url()} (on ${page.url()})`);
      }
    });
    page.on('requestfailed', (request) => {
      if (!request.isNavigationRequest()) {
        this.brokenAssets.push(`${request.failure()?.errorText} ${request.url()} (on ${page.url()})`);
      }
    });
    page.on('pageerror', (error) => this.scriptErrors.push(`${error.message} (on ${page.url()})`));
    page.on('console', (message) => {
      // The browser logs every 400 page as "Failed to load resource": the form pages answer 400
      // on purpose; broken assets are caught from the responses above.
      if (message.type() === 'error' && !/^Failed to load resource/.test(message.text())) {
        this.scriptErrors.push(`console: ${message.text()} (on ${page.url()})`);
      }
    });
  }

  /** The address of `pathname` on the site named `site`. */
  url(pathname, site = 'provider') {
    const known = this.sites[site];
    if (!known) throw new Error(`no site named ${site}`);
    return new URL(pathname, known.url).toString();
  }

  /** The name of the site the page is on, or null. */
  get site() {
    const origin = new URL(this.page.url()).origin;
    return Object.keys(this.sites).find((name) => new URL(this.sites[name].url).origin === origin) ?? null;
  }

  get pathname() {
    return new URL(this.page.url()).pathname;
  }

  /** Where the page is, for messages: its path, after the site's name when not the provider's. */
  get here() {
    const site = this.site;
    return site && site !== 'provider' ? `${site} ${this.pathname}` : this.pathname;
  }

  /** Runs `action`, which starts a navigation, and waits for the new page to load. */
  async navigates(action) {
    this.documents = [];
    const loaded = this.page.waitForEvent('load');
    await action();
    await loaded;
    return this.documents;
  }

  async goto(pathname, site = 'provider') {
    return this.navigates(() => this.page.goto(this.url(pathname, site), { waitUntil: 'commit' }));
  }

  /** The browser's back button. */
  async back() {
    return this.navigates(() => this.page.goBack({ waitUntil: 'commit' }));
  }

  /** Follows a link (or a link styled as a button: role "button"). */
  async follow(name, { role = 'link' } = {}) {
    return this.navigates(() => this.page.getByRole(role, { name, exact: true }).click());
  }

  /** Sends the form with the button named `name`; returns the document responses (POST, then GET). */
  async submit(name = 'Continue') {
    const chain = await this.navigates(() => this.page.getByRole('button', { name, exact: true }).click());
    assert.equal(chain[0]?.method, 'POST', `pressing "${name}" should send a form: ${JSON.stringify(chain)}`);
    return chain;
  }

  /**
   * Sends a form that should be accepted: POST answered 303, then the next page. A form whose
   * answer goes back to a service (the provider's authorization or logout response) may answer
   * 302, as OAuth 2.0 redirects do.
   */
  async submitAccepted(name = 'Continue') {
    const chain = await this.submit(name);
    const leaves = chain[1] && new URL(chain[1].url).origin !== new URL(chain[0].url).origin;
    const accepted = chain[0].status === 303 || (leaves && chain[0].status === 302);
    assert.ok(accepted, `the form should be accepted and redirect (303): ${JSON.stringify(chain)}`);
    return chain;
  }

  /** Sends a form that should be refused: the same form again with status 400. */
  async submitRefused(name = 'Continue') {
    const chain = await this.submit(name);
    assert.equal(chain.length, 1, `a refused form re-renders without a redirect: ${JSON.stringify(chain)}`);
    assert.equal(chain[0].status, 400, `a refused form answers 400: ${JSON.stringify(chain)}`);
    return chain;
  }

  /** Types into the field labelled `label`. */
  async fill(label, value) {
    await this.page.getByLabel(label, { exact: true }).fill(value);
  }

  /**
   * Checks the page the citizen is on: its site (default the provider), its address, its one
   * <h1>, its <title>, the error summary (present only when `errors` is given:
   * [[message, '#field'], ...]), then runs axe on it.
   */
  async sees({ site = 'provider', path: pathname, heading, title = heading, errors = null, status = 200 }) {
    const { page } = this;
    assert.equal(this.site, site, `the site the citizen is on (${page.url()})`);
    if (pathname) assert.equal(this.pathname, pathname, 'the page the citizen is on');
    const last = this.documents.at(-1);
    if (last) assert.equal(last.status, status, `status of ${last.method} ${last.path}`);
    if (this.lang) {
      assert.equal(await page.locator('html').getAttribute('lang'), this.lang, `the language of ${this.here}`);
    }
    const h1 = page.locator('h1');
    assert.equal(await h1.count(), 1, `one <h1> on ${this.pathname}`);
    assert.equal(squash(await h1.innerText()), heading, `the heading on ${this.pathname}`);
    assert.equal(
      await page.title(),
      `${errors ? `${this.words.error} ` : ''}${title}${this.sites[site].titleSuffix}`,
      `<title> of ${this.pathname}`,
    );
    const summary = page.locator('.govuk-error-summary');
    if (errors) {
      assert.equal(await summary.count(), 1, `an error summary on ${this.pathname}`);
      assert.equal(squash(await summary.locator('.govuk-error-summary__title').innerText()), this.words.problem);
      const links = await summary.locator('.govuk-error-summary__list a').evaluateAll((as) =>
        as.map((a) => [a.textContent.replace(/\s+/g, ' ').trim(), a.getAttribute('href')]),
      );
      assert.deepEqual(links, errors, `the error summary's links on ${this.pathname}`);
      for (const [message, href] of errors) {
        const field = href.slice(1);
        assert.equal(
          squash(await page.locator(`#${field}-error`).innerText()),
          `${this.words.error} ${message}`,
          `the inline error of #${field}`,
        );
        assert.equal(
          await page.locator(`#${field}`).getAttribute('aria-describedby').then((v) => v?.split(' ').includes(`${field}-error`)),
          true,
          `#${field} is described by its error`,
        );
      }
      if (this.javaScriptEnabled) {
        // govuk-frontend moves focus to the summary, so screen readers announce it first.
        const focused = await page.evaluate(() => Boolean(document.activeElement?.closest('.govuk-error-summary')));
        assert.ok(focused, `focus is in the error summary on ${this.pathname}, not on ${await this.focused()}`);
      }
    } else {
      assert.equal(await summary.count(), 0, `no error summary on ${this.pathname}`);
    }
    await this.checkLinks();
    await this.checkAccessibility();
  }

  /**
   * Notes every link on the page to this service, for `finish()` to follow, and checks now that
   * each link within the page (#id) has its target.
   */
  async checkLinks() {
    const hrefs = await this.page.locator('a[href]').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    for (const href of hrefs) {
      if (href.startsWith('#')) {
        const id = decodeURIComponent(href.slice(1));
        const found = await this.page.evaluate((target) => document.getElementById(target) !== null, id);
        if (!found) this.brokenLinks.push(`${href} on ${this.pathname}: no element has id "${id}"`);
        continue;
      }
      const url = new URL(href, this.page.url());
      const ours = Object.values(this.sites).some((known) => new URL(known.url).origin === url.origin);
      if (!ours) continue; // the wider web is out of reach here
      url.hash = '';
      // The language toggle links to this very page in the other language: it answers what this
      // page answered (a "Page not found" stays one), and the Welsh journeys follow it.
      if (url.searchParams.has('lang') && url.pathname === new URL(this.page.url()).pathname) continue;
      // An authorization response carried by a link ("Go back to the service" after declining):
      // it is for the browser holding the service's session, once (RFC 6749 §4.1.2), so a
      // stranger following it would be refused; the journeys follow it themselves.
      if (url.searchParams.has('state') && (url.searchParams.has('code') || url.searchParams.has('error'))) continue;
      if (!this.links.has(url.toString())) this.links.set(url.toString(), this.here);
    }
  }

  /** Runs axe on the page as it is now; violations are kept for `finish()`, with a screenshot. */
  async checkAccessibility(state = '') {
    const where = `${this.here}${state ? ` (${state})` : ''}`;
    const { violations, incomplete } = this.javaScriptEnabled
      ? await runAxe(this.page)
      : await this.axeOnCopy.run(this.page);
    const current = this.loads.at(-1);
    if (current) current.checked = true;
    if (process.env.ONE_LOGIN_BROWSER_SCREENSHOTS === '1') {
      this.shots = (this.shots ?? 0) + 1;
      const name = `${this.artifacts.name}-${String(this.shots).padStart(2, '0')}-${slugOf(where)}.png`;
      await this.page.screenshot({ path: path.join(this.artifacts.dir, name), fullPage: true });
    }
    if (incomplete.length > 0) {
      this.log(`axe needs review on ${where}: ${incomplete.map((r) => r.id).join(', ')}`);
    }
    if (violations.length > 0) {
      const n = this.accessibilityReports.length + 1;
      const file = path.join(this.artifacts.dir, `${this.artifacts.name}-axe-${n}.png`);
      await this.page.screenshot({ path: file, fullPage: true }).catch(() => {});
      this.accessibilityReports.push(`${describeViolations(where, violations)}\n  screenshot: ${file}`);
    }
  }

  /** The text of the summary list value in the row whose key is `key`. */
  async summaryValue(key) {
    const row = this.page.locator('.govuk-summary-list__row').filter({
      has: this.page.locator('.govuk-summary-list__key', { hasText: key }),
    });
    return squash(await row.locator('.govuk-summary-list__value').innerText());
  }

  /** The rows of the first table's body, as arrays of cell texts. */
  async tableRows() {
    return this.page
      .locator('table tbody tr')
      .evaluateAll((rows) => rows.map((row) => [...row.cells].map((cell) => cell.textContent.replace(/\s+/g, ' ').trim())));
  }

  /** The texts of the paragraphs of the main content. */
  async paragraphs() {
    return (await this.page.locator('main p.govuk-body').allInnerTexts()).map(squash);
  }

  /** A short description of the focused element: tag#id "text" or [name]. */
  async focused() {
    return this.page.evaluate(() => {
      const el = document.activeElement;
      if (!el || el === document.body) return 'body';
      const text = (el.innerText || el.value || el.getAttribute('aria-label') || '').replace(/\s+/g, ' ').trim();
      const id = el.id ? `#${el.id}` : '';
      return `${el.tagName.toLowerCase()}${id}${text ? ` "${text.slice(0, 40)}"` : ''}`;
    });
  }

  /** Presses Tab until `matches(description)` or `max` presses; returns every element focused. */
  async tabUntil(matches, max = 25) {
    const seen = [];
    for (let i = 0; i < max; i += 1) {
      await this.page.keyboard.press('Tab');
      const now = await this.focused();
      seen.push(now);
      if (matches(now)) return seen;
    }
    throw new Error(`Tab never reached the element; focus went: ${seen.join(' → ')}`);
  }

  /** Closes what the citizen opened besides the page (axe's copies of pages without JavaScript). */
  async close() {
    await this.axeOnCopy?.close();
  }

  /**
   * Fails if any page had accessibility violations, went unchecked, had broken scripts or assets,
   * or linked to a page of these sites that does not answer 200. Each problem is reported once:
   * a journey in several parts can call it at the end of each. Links are followed without the
   * citizen's cookies, as someone given the link would, so following one (e.g. a department's
   * "Start now", which begins a sign-in) never changes the citizen's sessions.
   */
  async finish() {
    await this.close();
    const unfollowed = [...this.links].filter(([, seenOn]) => seenOn !== null);
    if (unfollowed.length > 0) {
      const stranger = await playwrightRequest.newContext();
      try {
        for (const [url, seenOn] of unfollowed) {
          this.links.set(url, null); // followed: not again at a later finish()
          const response = await stranger.get(url, { maxRedirects: 5 });
          if (response.status() !== 200) {
            this.brokenLinks.push(`${url} (linked from ${seenOn}) answers ${response.status()}`);
          }
        }
      } finally {
        await stranger.dispose();
      }
    }
    const problems = [...this.accessibilityReports];
    if (this.brokenLinks.length > 0) problems.push(`broken links:\n  ${this.brokenLinks.join('\n  ')}`);
    const unchecked = this.loads.filter((load) => !load.checked).map((load) => load.url);
    if (unchecked.length > 0) {
      problems.push(`pages loaded but never checked (test bug): ${unchecked.join(', ')}`);
    }
    if (this.scriptErrors.length > 0) problems.push(`script errors:\n  ${this.scriptErrors.join('\n  ')}`);
    if (this.brokenAssets.length > 0) problems.push(`assets that did not load:\n  ${this.brokenAssets.join('\n  ')}`);
    this.accessibilityReports = [];
    this.brokenLinks = [];
    this.loads = this.loads.filter((load) => load.checked).slice(-1);
    this.scriptErrors = [];
    this.brokenAssets = [];
    if (problems.length > 0) throw new Error(problems.join('\n\n'));
  }
}

function slugOf(text) {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '') || 'start';
}

export function squash(text) {
  return text.replace(/\s+/g, ' ').trim();
}
