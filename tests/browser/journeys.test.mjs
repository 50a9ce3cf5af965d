// Citizen journeys through One Login's sign-in pages in a real browser (Debian's Chromium driven by
// playwright-core), each page checked with axe-core. Run with tests/browser/run.sh, or directly:
//   ONE_LOGIN_BIN=… ONE_LOGIN_BROWSER_STORES=embedded|postgres-redis node --test journeys.test.mjs
//
// Every journey gets its own provider (port, data folder, database, Redis prefix), so rate limits,
// lockouts and sessions never leak between journeys, and the journeys run side by side: most of
// the time is spent waiting for the authenticator app's next 30-second step.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { squash } from './citizen.mjs';
import {
  ensureArtifactsDir,
  launchBrowser,
  newTotpSecret,
  nextTotp,
  selectedStores,
  slug,
  startProvider,
  totpCode,
  totpStep,
  wrongTotpCode,
} from './harness.mjs';
import { runJourney } from './journey.mjs';
import { changeAuthenticatorApp, changeEmail, changePassword, closeAccount, reportActivity } from './manage.mjs';
import { CODE, createAccount, newEmail, replaceLostApp, resetPassword, seesSignIn, SIGN_IN, signIn, WRONG_CODE } from './steps.mjs';

const stores = selectedStores();
// Three journeys at a time (on 2 cores, more only contend); ONE_LOGIN_BROWSER_CONCURRENCY=1 runs
// them one by one.
const concurrency = Number(process.env.ONE_LOGIN_BROWSER_CONCURRENCY || 3);
const JOURNEY_TIMEOUT_MS = 150_000;

const ACCOUNT = { path: '/account', heading: 'Your GOV.UK One Login' };
const LOCKED = { heading: 'You cannot sign in at the moment' };
const MONTHS = 'January February March April May June July August September October November December'.split(' ');

let browser;
let artifactsDir;

/**
 * Runs one journey: a provider of its own, a new browser context, a Citizen in it. On failure,
 * saves a screenshot and the provider's log to target/browser-artifacts/.
 */
async function journey(t, { javaScriptEnabled = true } = {}, body) {
  const provider = await startProvider({ stores });
  await runJourney(
    t,
    { browser, artifactsDir, name: `${stores}-${slug(t.name)}`, servers: provider, baseUrl: provider.url, javaScriptEnabled },
    ({ citizen, page }) => body({ citizen, page, provider }),
  );
}

/** "25 November 2026 at 10:57am": the account page's way of writing a time (UTC). */
function assertWrittenToday(text, what) {
  const match = text.match(/^(\d{1,2}) ([A-Z][a-z]+) (\d{4}) at (\d{1,2}):(\d{2})(am|pm)( \(UTC\))?$/);
  assert.ok(match, `${what} should read like "25 November 2026 at 10:57am", not ${JSON.stringify(text)}`);
  // Today (UTC), or yesterday for a journey that ran across midnight.
  const day = (d) => `${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()}`;
  const days = [day(new Date()), day(new Date(Date.now() - 5 * 60_000))];
  assert.ok(days.includes(`${match[1]} ${match[2]} ${match[3]}`), `${what} is today (UTC): ${text}`);
}

/** The account page as a citizen signed in as `email` sees it; returns the activity rows. */
async function seesAccount(citizen, email) {
  await citizen.sees(ACCOUNT);
  assert.equal(await citizen.summaryValue('Email address'), email);
  assertWrittenToday(await citizen.summaryValue('Created'), 'the Created date');
  assert.equal(await citizen.summaryValue('How you sign in'), 'You signed in with your password and authenticator app');
  const current = citizen.page.locator('.govuk-service-navigation a[aria-current="page"]');
  assert.equal(squash(await current.innerText()), 'Your account');
  const rows = await citizen.tableRows();
  assert.ok(rows.length > 0, 'the recent activity table has rows');
  for (const [what, when] of rows) {
    assert.ok(what.length > 0, 'each activity says what happened');
    assertWrittenToday(when, `the time of "${what}"`);
  }
  await citizen.page.getByRole('button', { name: 'Sign out', exact: true }).waitFor();
  return rows.map(([what]) => what);
}

/** Start page → create account → email code → password → authenticator app → account → sign out → sign in. */
async function newCitizen({ citizen, page, provider }, { javaScript }) {
  const email = newEmail('new-citizen');
  const password = 'correct horse battery staple';

  await citizen.goto('/');
  await citizen.sees({ path: '/', heading: 'Create your GOV.UK One Login or sign in' });
  assert.equal(
    await page.locator('body').evaluate((body) => body.classList.contains('js-enabled')).catch(() => false),
    javaScript,
    javaScript ? 'govuk-frontend has started' : 'no script has run',
  );
  await citizen.follow('Create your GOV.UK One Login', { role: 'button' });

  const EMAIL_PAGE = { path: '/create-account', heading: 'Enter your email address to create your GOV.UK One Login' };
  await citizen.sees(EMAIL_PAGE);
  assert.equal(
    squash(await page.locator('#email-hint').innerText()),
    'We will send a code to this address to check it is yours.',
  );
  // A mistake at each step first: the form comes back with the problem, and what was typed.
  await citizen.fill(EMAIL_PAGE.heading, 'name.example.com');
  await citizen.submitRefused();
  await citizen.sees({
    ...EMAIL_PAGE,
    status: 400,
    errors: [['Enter an email address in the correct format, like name@example.com', '#email']],
  });
  assert.equal(await page.getByLabel(EMAIL_PAGE.heading, { exact: true }).inputValue(), 'name.example.com');
  await citizen.fill(EMAIL_PAGE.heading, email);
  await citizen.submitAccepted();

  await citizen.sees({ path: '/create-account/check-email', heading: 'Check your email' });
  assert.equal(squash(await page.locator('.govuk-inset-text').innerText()), `We have sent a code to: ${email}`);
  assert.ok(
    (await citizen.paragraphs()).includes(
      'The code expires after 15 minutes. If you do not see the email, check your spam folder.',
    ),
  );
  const emailCode = await provider.latestEmailCode(email);
  await citizen.fill('Enter the 6 digit code', emailCode === '000000' ? '111111' : '000000');
  await citizen.submitRefused();
  await citizen.sees({
    path: '/create-account/check-email',
    heading: 'Check your email',
    status: 400,
    errors: [['The code you entered is not correct. Check the email and try again', '#code']],
  });
  await citizen.fill('Enter the 6 digit code', emailCode);
  await citizen.submitAccepted();

  await citizen.sees({ path: '/create-account/password', heading: 'Create your password' });
  await citizen.fill('Password', password);
  await citizen.fill('Confirm your password', `${password}s`);
  await citizen.submitRefused();
  await citizen.sees({
    path: '/create-account/password',
    heading: 'Create your password',
    status: 400,
    errors: [['Enter the same password in both fields', '#confirm-password']],
  });
  await citizen.fill('Password', password);
  await citizen.fill('Confirm your password', password);
  await citizen.submitAccepted();

  await citizen.sees({ path: '/create-account/authenticator-app', heading: 'Set up an authenticator app' });
  const qr = page.getByRole('img', { name: 'QR code to add GOV.UK One Login to your authenticator app' });
  await qr.waitFor();
  assert.ok(await qr.evaluate((img) => img.complete && img.naturalWidth > 0), 'the QR code image has loaded');
  const secretKey = page.locator('#secret-key');
  assert.equal(await secretKey.isVisible(), false, 'the secret key stays hidden until asked for');
  await page.getByText('I cannot scan the QR code', { exact: true }).click();
  await secretKey.waitFor({ state: 'visible' });
  await citizen.checkAccessibility('"I cannot scan the QR code" open');
  const grouped = squash(await secretKey.innerText());
  assert.match(grouped, /^([A-Z2-7]{4} )*[A-Z2-7]{1,4}$/, 'the secret key is shown in groups of 4');
  const secret = grouped.replace(/ /g, '');
  const APP_CODE = 'Enter the 6 digit security code shown in your authenticator app';
  await citizen.fill(APP_CODE, wrongTotpCode(secret));
  await citizen.submitRefused();
  await citizen.sees({
    path: '/create-account/authenticator-app',
    heading: 'Set up an authenticator app',
    status: 400,
    errors: [['The security code is not correct. Check your authenticator app and enter the code it shows now', '#code']],
  });
  assert.equal(squash(await secretKey.textContent()), grouped, 'the same secret key is shown again');
  const createdStep = totpStep();
  await citizen.fill(APP_CODE, totpCode(secret, createdStep));
  await citizen.submitAccepted();

  const activity = await seesAccount(citizen, email);
  assert.ok(activity.includes('Account created'), `"Account created" in recent activity: ${activity}`);

  await citizen.submitAccepted('Sign out');
  await citizen.sees({ path: '/signed-out', heading: 'You have signed out' });
  assert.deepEqual(await citizen.paragraphs(), ['You have signed out of your GOV.UK One Login and the services you used with it.', 'Sign in again']);
  await citizen.follow('Sign in again');
  await seesSignIn(citizen);

  // Signed out for real: the account page sends the citizen to sign in.
  const chain = await citizen.goto('/account');
  assert.deepEqual(
    chain.map((d) => `${d.status} ${d.path}`),
    ['303 /account', '200 /sign-in'],
  );
  await seesSignIn(citizen);

  await citizen.fill('Email address', email);
  await citizen.fill('Password', password);
  await citizen.submitAccepted();
  await citizen.sees(CODE);
  assert.equal(squash(await page.locator('#code-hint').innerText()), 'This is the 6 digit code for GOV.UK One Login.');
  // The code used to set up the app cannot be used again: wait for the app's next code.
  const { code } = await nextTotp(secret, createdStep);
  await citizen.fill(CODE.heading, code);
  await citizen.submitAccepted();

  const activityAfter = await seesAccount(citizen, email);
  for (const expected of ['Account created', 'Signed out', 'Signed in']) {
    assert.ok(activityAfter.includes(expected), `"${expected}" in recent activity: ${activityAfter}`);
  }
}

/** Issue 15: the start page's toggle → create account in Welsh, every page checked by axe. */
async function newCitizenInWelsh({ citizen, page, provider }) {
  const email = newEmail('cymraeg');
  const password = 'ceffyl cywir batri stwffwl';
  citizen.words = { error: 'Gwall:', problem: 'Mae problem' };
  const CONTINUE = 'Parhau';

  await citizen.goto('/');
  await citizen.sees({ path: '/', heading: 'Create your GOV.UK One Login or sign in' });
  await citizen.follow('Cymraeg');
  await citizen.sees({ path: '/', heading: 'Creu eich GOV.UK One Login neu fewngofnodi' });
  assert.equal(await page.locator('html').getAttribute('lang'), 'cy');
  assert.equal(await page.getByRole('link', { name: 'English', exact: true }).getAttribute('lang'), 'en');
  await citizen.follow('Creu eich GOV.UK One Login', { role: 'button' });

  const EMAIL_PAGE = { path: '/create-account', heading: 'Rhowch eich cyfeiriad e-bost i greu eich GOV.UK One Login' };
  await citizen.sees(EMAIL_PAGE);
  await citizen.fill(EMAIL_PAGE.heading, 'enw.example.com');
  await citizen.submitRefused(CONTINUE);
  await citizen.sees({
    ...EMAIL_PAGE,
    status: 400,
    errors: [['Rhowch gyfeiriad e-bost yn y fformat cywir, fel enw@enghraifft.com', '#email']],
  });
  await citizen.fill(EMAIL_PAGE.heading, email);
  await citizen.submitAccepted(CONTINUE);

  await citizen.sees({ path: '/create-account/check-email', heading: 'Gwiriwch eich e-bost' });
  await citizen.fill('Rhowch y cod 6 digid', await provider.latestEmailCode(email));
  await citizen.submitAccepted(CONTINUE);

  await citizen.sees({ path: '/create-account/password', heading: 'Creu eich cyfrinair' });
  await citizen.fill('Cyfrinair', password);
  await citizen.fill('Cadarnhewch eich cyfrinair', password);
  await citizen.submitAccepted(CONTINUE);

  await citizen.sees({ path: '/create-account/authenticator-app', heading: 'Sefydlu ap dilysu' });
  await page.getByText("Nid wyf yn gallu sganio'r cod QR", { exact: true }).click();
  const secret = squash(await page.locator('#secret-key').innerText()).replace(/ /g, '');
  await citizen.fill('Rhowch y cod diogelwch 6 digid a ddangosir yn eich ap dilysu', totpCode(secret, totpStep()));
  await citizen.submitAccepted(CONTINUE);

  await citizen.sees({ path: '/account', heading: 'Eich GOV.UK One Login' });
  assert.equal(await citizen.summaryValue('Sut rydych yn mewngofnodi'), 'Gwnaethoch fewngofnodi gyda’ch cyfrinair a’ch ap dilysu');
  await citizen.submitAccepted('Allgofnodi');
  await citizen.sees({ path: '/signed-out', heading: 'Rydych wedi allgofnodi' });
}

describe(`citizen journeys (${stores} stores)`, { concurrency, timeout: 8 * JOURNEY_TIMEOUT_MS }, () => {
  before(async () => {
    artifactsDir = await ensureArtifactsDir();
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
  });

  test('a. a new citizen creates an account, signs out and signs in again', { timeout: JOURNEY_TIMEOUT_MS }, (t) =>
    journey(t, {}, (ctx) => newCitizen(ctx, { javaScript: true })),
  );

  test('o. a new citizen creates an account in Welsh', { timeout: JOURNEY_TIMEOUT_MS }, (t) =>
    journey(t, {}, (ctx) => newCitizenInWelsh(ctx)),
  );

  test('b. five wrong security codes lock sign-in, even with the right password', { timeout: JOURNEY_TIMEOUT_MS }, (t) =>
    journey(t, {}, async ({ citizen, provider }) => {
      const email = newEmail('lockout');
      const password = 'a long and memorable phrase';
      const secret = newTotpSecret();
      await provider.createAccount({ email, password, totpSecret: secret });

      await citizen.goto('/sign-in');
      await seesSignIn(citizen);
      await citizen.fill('Email address', email);
      await citizen.fill('Password', password);
      await citizen.submitAccepted();
      await citizen.sees(CODE);

      for (let attempt = 1; attempt <= 4; attempt += 1) {
        await citizen.fill(CODE.heading, wrongTotpCode(secret));
        await citizen.submitRefused();
        await citizen.sees({ ...CODE, status: 400, errors: [[WRONG_CODE, '#code']] });
      }
      await citizen.fill(CODE.heading, wrongTotpCode(secret));
      const fifth = await citizen.submit();
      assert.equal(fifth.at(-1).status, 200, 'the lock page answers 200');
      await citizen.sees(LOCKED);
      const lockedText = [
        'You entered the wrong password or security code too many times.',
        'For your security, you cannot sign in for 5 minutes. Try again after that.',
        'Go to the start of the service',
      ];
      assert.deepEqual(await citizen.paragraphs(), lockedText);
      assert.equal(
        await citizen.page.getByRole('link', { name: 'Go to the start of the service' }).getAttribute('href'),
        '/',
      );

      // The right password, and even the right code, cannot undo the lock.
      await citizen.goto('/sign-in');
      await seesSignIn(citizen);
      await citizen.fill('Email address', email);
      await citizen.fill('Password', password);
      await citizen.submit();
      await citizen.sees(LOCKED);
      assert.deepEqual(await citizen.paragraphs(), lockedText);
      await citizen.follow('Go to the start of the service');
      await citizen.sees({ path: '/', heading: 'Create your GOV.UK One Login or sign in' });
    }),
  );

  test('c. a wrong password shows the error summary, which takes focus and links to the field', { timeout: JOURNEY_TIMEOUT_MS }, (t) =>
    journey(t, {}, async ({ citizen, page, provider }) => {
      const email = newEmail('wrong-password');
      const password = 'the right long password';
      await provider.createAccount({ email, password, totpSecret: newTotpSecret() });
      const focusInSummary = () =>
        page.evaluate(() => Boolean(document.activeElement?.closest('.govuk-error-summary')));

      await citizen.goto('/sign-in');
      await seesSignIn(citizen);

      // Nothing filled in: both fields are asked for.
      await citizen.submitRefused();
      await citizen.sees({
        ...SIGN_IN,
        status: 400,
        errors: [
          ['Enter your email address', '#email'],
          ['Enter your password', '#password'],
        ],
      });
      assert.ok(await focusInSummary(), `focus is in the error summary, not on ${await citizen.focused()}`);

      await citizen.fill('Email address', email);
      await citizen.fill('Password', 'not the right password');
      await citizen.submitRefused();
      await citizen.sees({
        ...SIGN_IN,
        status: 400,
        errors: [['Incorrect email address or password', '#password']],
      });
      assert.ok(await focusInSummary(), `focus is in the error summary, not on ${await citizen.focused()}`);
      assert.equal(await page.getByLabel('Email address', { exact: true }).inputValue(), email, 'the email is kept');
      assert.equal(await page.getByLabel('Password', { exact: true }).inputValue(), '', 'the password is not sent back');

      // The summary's link takes the citizen to the field.
      await page.locator('.govuk-error-summary').getByRole('link', { name: 'Incorrect email address or password' }).click();
      await page.waitForFunction(() => document.activeElement?.id === 'password');
      assert.equal(await citizen.focused(), 'input#password', 'the link focuses the password field');

      await citizen.fill('Password', password);
      await citizen.submitAccepted();
      await citizen.sees(CODE);
    }),
  );

  test('d. a new citizen without JavaScript creates an account, signs out and signs in again', { timeout: JOURNEY_TIMEOUT_MS }, (t) =>
    journey(t, { javaScriptEnabled: false }, (ctx) => newCitizen(ctx, { javaScript: false })),
  );

  test('e. the sign-in form works with the keyboard alone', { timeout: JOURNEY_TIMEOUT_MS }, (t) =>
    journey(t, {}, async ({ citizen, page, provider }) => {
      const email = newEmail('keyboard');
      const password = 'typed without a mouse';
      const secret = newTotpSecret();
      await provider.createAccount({ email, password, totpSecret: secret });

      await citizen.goto('/sign-in');
      await seesSignIn(citizen);
      const order = await citizen.tabUntil((focused) => focused === 'button "Continue"');
      t.diagnostic(`Tab order on /sign-in: ${order.join(' → ')}`);
      assert.equal(order[0], 'a "Skip to main content"', 'the skip link is the first thing Tab reaches');
      const email_at = order.indexOf('input#email');
      assert.ok(email_at > 0, `Tab reaches the email field: ${order.join(' → ')}`);
      assert.deepEqual(
        order.slice(email_at),
        ['input#email', 'input#password', 'button "Show"', 'a "Forgotten your password?"', 'button "Continue"'],
        'email, then password and its Show button, "Forgotten your password?" beside it, then Continue',
      );

      // Again from the top: the skip link goes straight to the form, Enter sends it.
      await citizen.goto('/sign-in');
      await seesSignIn(citizen);
      await page.keyboard.press('Tab');
      assert.equal(await citizen.focused(), 'a "Skip to main content"');
      const skip = await page.locator('.govuk-skip-link').boundingBox();
      assert.ok(skip && skip.width > 10 && skip.height > 10, 'the focused skip link is visible');
      await page.keyboard.press('Enter');
      await page.keyboard.press('Tab');
      assert.equal(await citizen.focused(), 'input#email', 'after the skip link, Tab goes to the email field');
      await page.keyboard.type(email);
      await page.keyboard.press('Tab');
      assert.equal(await citizen.focused(), 'input#password');
      await page.keyboard.type(password);
      const chain = await citizen.navigates(() => page.keyboard.press('Enter'));
      assert.deepEqual(
        chain.map((d) => `${d.method} ${d.status} ${d.path}`),
        ['POST 303 /sign-in', `GET 200 ${CODE.path}`],
        'Enter sends the form',
      );
      await citizen.sees(CODE);

      const codeOrder = await citizen.tabUntil((focused) => focused === 'input#code');
      t.diagnostic(`Tab order on ${CODE.path}: ${codeOrder.join(' → ')}`);
      await page.keyboard.type(totpCode(secret));
      await citizen.navigates(() => page.keyboard.press('Enter'));
      await seesAccount(citizen, email);
    }),
  );

  test('n. a suspended citizen sees why they cannot sign in', { timeout: JOURNEY_TIMEOUT_MS }, (t) =>
    journey(t, {}, async ({ citizen, provider }) => {
      const email = newEmail('suspended');
      const password = 'a suspended citizen password';
      const secret = newTotpSecret();
      await provider.createAccount({ email, password, totpSecret: secret });
      await citizen.goto('/sign-in');
      const firstStep = totpStep();
      await signIn(citizen, { email, password, secret }, { code: totpCode(secret, firstStep) });
      await citizen.sees(ACCOUNT);

      // The operator suspends the account: the running provider ends its session within seconds.
      assert.match(await provider.accounts('suspend', email), /^suspended: /);
      const deadline = Date.now() + 10_000;
      for (;;) {
        const chain = await citizen.goto('/account');
        if (chain.at(-1).path === '/sign-in') break;
        await citizen.sees(ACCOUNT);
        assert.ok(Date.now() < deadline, 'the session ended after the suspension');
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
      await seesSignIn(citizen);

      // A wrong password learns nothing about the account.
      await citizen.fill('Email address', email);
      await citizen.fill('Password', 'not the password at all');
      await citizen.submitRefused();
      await citizen.sees({ ...SIGN_IN, status: 400, errors: [['Incorrect email address or password', '#password']] });

      // The right one: the page says why, and whom to contact.
      await citizen.fill('Password', password);
      await citizen.submit();
      await citizen.sees({ path: '/sign-in', heading: 'Your GOV.UK One Login is suspended', status: 403 });
      const paragraphs = await citizen.paragraphs();
      assert.ok(
        paragraphs.includes('The GOV.UK One Login team has suspended your account for now. While it is suspended you cannot use it to sign in to any service.'),
        `the reason: ${paragraphs}`,
      );
      const contact = citizen.page.getByRole('link', { name: 'Contact the GOV.UK One Login team' });
      assert.equal(await contact.getAttribute('href'), 'https://home.account.gov.uk/contact-gov-uk-one-login');

      // Lifted: the citizen signs in again.
      await provider.accounts('unsuspend', email);
      await citizen.goto('/sign-in');
      await signIn(citizen, { email, password, secret }, { code: (await nextTotp(secret, firstStep)).code });
      await citizen.sees(ACCOUNT);
    }),
  );

  // The feedback form the phase banner links to has a test of its own (pages.test.mjs).
  test('f. the footer and not-found pages', { timeout: JOURNEY_TIMEOUT_MS }, (t) =>
    journey(t, {}, async ({ citizen, page }) => {
      const START = { path: '/', heading: 'Create your GOV.UK One Login or sign in' };
      const pages = [
        ['Accessibility statement', '/accessibility', 'Accessibility statement for GOV.UK One Login'],
        ['Cookies', '/cookies', 'Cookies on GOV.UK One Login'],
        ['Privacy', '/privacy', 'Privacy notice for GOV.UK One Login'],
      ];
      await citizen.goto('/');
      await citizen.sees(START);
      for (const [link, pathname, heading] of pages) {
        await citizen.follow(link);
        await citizen.sees({ path: pathname, heading });
        assert.ok((await citizen.paragraphs()).length >= 2, `${pathname} says something`);
        await citizen.follow('Go to the start of the service');
        await citizen.sees(START);
      }
      await citizen.goto('/no-such-page');
      await citizen.sees({ path: '/no-such-page', heading: 'Page not found', status: 404 });
      await citizen.follow('Go to the start of the service');
      await citizen.sees(START);
      // The service name in the header goes to the start too.
      await citizen.goto('/sign-in');
      await seesSignIn(citizen);
      await citizen.navigates(() => page.locator('.govuk-service-navigation__service-name a').click());
      await citizen.sees(START);
    }),
  );
  test('g. a citizen who forgot their password resets it, confirms with the app, and is signed in', { timeout: JOURNEY_TIMEOUT_MS }, (t) =>
    journey(t, {}, async ({ citizen, provider }) => {
      const email = newEmail('forgotten-password');
      const password = 'the password now forgotten';
      const newPassword = 'a fresh and memorable phrase';
      const secret = newTotpSecret();
      await provider.createAccount({ email, password, totpSecret: secret });
      await resetPassword(citizen, provider, { email, password, newPassword, secret });
      const activity = await seesAccount(citizen, email);
      assert.ok(activity.includes('Password reset'), `"Password reset" in ${activity}`);
    }),
  );

  test('h. a citizen who lost their authenticator app, with no proven identity, sets up a new one', { timeout: JOURNEY_TIMEOUT_MS }, (t) =>
    journey(t, {}, async ({ citizen, provider }) => {
      const email = newEmail('lost-app');
      const password = 'a long and memorable phrase';
      await provider.createAccount({ email, password, totpSecret: newTotpSecret() });
      await citizen.goto('/sign-in');
      await seesSignIn(citizen);
      await citizen.fill('Email address', email);
      await citizen.fill('Password', password);
      await citizen.submitAccepted();
      await citizen.sees(CODE);
      const secret = await replaceLostApp(citizen, provider, { email, password });
      assert.match(secret, /^[A-Z2-7]{16,}$/);
      const activity = await seesAccount(citizen, email);
      assert.ok(activity.includes('Authenticator app replaced'), `"Authenticator app replaced" in ${activity}`);
    }),
  );

  // Issue 10 items 3-5: managing the account from the account page.

  test('i. a signed-in citizen changes email', { timeout: JOURNEY_TIMEOUT_MS }, (t) =>
    journey(t, {}, async ({ citizen, provider }) => {
      const { account, used } = await signedInCitizen(citizen, provider, 'change-email');
      const moved = newEmail('moved');
      await changeEmail(citizen, provider, moved);
      const told = (await provider.outbox()).find((m) => m.to.includes(account.email));
      assert.equal(told?.subject, 'Your GOV.UK One Login email address has changed', 'the old address is told');
      await signOutAndIn(citizen, { ...account, email: moved }, used);
    }),
  );

  test('j. a signed-in citizen changes password', { timeout: JOURNEY_TIMEOUT_MS }, (t) =>
    journey(t, {}, async ({ citizen, provider }) => {
      const { account, used } = await signedInCitizen(citizen, provider, 'change-password');
      const password = 'a brand new memorable phrase';
      await changePassword(citizen, account, password);
      const told = (await provider.outbox()).find((m) => m.to.includes(account.email));
      assert.equal(told?.subject, 'Your GOV.UK One Login password has changed');
      await signOutAndIn(citizen, { ...account, password }, used);
    }),
  );

  test('k. a signed-in citizen changes authenticator app', { timeout: JOURNEY_TIMEOUT_MS }, (t) =>
    journey(t, {}, async ({ citizen, provider }) => {
      const { account, used } = await signedInCitizen(citizen, provider, 'change-app');
      const app = await changeAuthenticatorApp(citizen, account, used);
      const told = (await provider.outbox()).find((m) => m.to.includes(account.email));
      assert.equal(told?.subject, 'Your GOV.UK One Login authenticator app has changed');
      await signOutAndIn(citizen, { ...account, secret: app.secret }, app.step);
    }),
  );

  test('l. a signed-in citizen reports activity', { timeout: JOURNEY_TIMEOUT_MS }, (t) =>
    journey(t, {}, async ({ citizen, provider }) => {
      const { account } = await signedInCitizen(citizen, provider, 'report');
      await reportActivity(citizen);
      // The next page is the change of password; the report is in the activity list.
      await citizen.goto('/account');
      const [[newest]] = await citizen.tableRows();
      assert.equal(newest, 'Activity reported as not recognised');
      await changePassword(citizen, account, 'a brand new memorable phrase');
    }),
  );

  test('m. a signed-in citizen closes the account and creates a new one with the same email', { timeout: JOURNEY_TIMEOUT_MS }, (t) =>
    journey(t, {}, async ({ citizen, provider }) => {
      const { account } = await signedInCitizen(citizen, provider, 'close');
      await closeAccount(citizen, account);
      const told = (await provider.outbox()).find((m) => m.to.includes(account.email));
      assert.equal(told?.subject, 'Your GOV.UK One Login is closed');
      // Signed out: the account page sends the citizen to sign in, where the old password fails.
      await citizen.goto('/account');
      await seesSignIn(citizen);
      await createAccount(citizen, provider, account.email);
      await citizen.sees(ACCOUNT);
      assert.equal(await citizen.summaryValue('Email address'), account.email);
      const activity = (await citizen.tableRows()).map(([what]) => what);
      assert.deepEqual(activity, ['Signed in', 'Account created'], 'a new account, with none of the old history');
    }),
  );
});

/** A citizen with an account made by the command line, signed in on the account page. */
async function signedInCitizen(citizen, provider, label) {
  const account = { email: newEmail(label), password: 'a long and memorable phrase', secret: newTotpSecret() };
  await provider.createAccount({ email: account.email, password: account.password, totpSecret: account.secret });
  await citizen.goto('/sign-in');
  const used = totpStep();
  await signIn(citizen, account, { code: totpCode(account.secret, used) });
  await citizen.sees(ACCOUNT);
  return { account, used };
}

/** Signs out, then in again with `account` (its app's step after `used`). */
async function signOutAndIn(citizen, account, used) {
  await citizen.submitAccepted('Sign out');
  await citizen.sees({ path: '/signed-out', heading: 'You have signed out' });
  await citizen.follow('Sign in again');
  const { code } = await nextTotp(account.secret, used);
  await signIn(citizen, account, { code });
  await citizen.sees(ACCOUNT);
  assert.equal(await citizen.summaryValue('Email address'), account.email);
}
