// The pages a citizen meets around the journeys (issue 15): the first-time start page, declining
// to share (in Welsh), and the address typed by hand. Each on a stack of its own (the provider and
// both demo departments), every page checked by axe. Run with tests/browser/run.sh, or directly:
//   ONE_LOGIN_BIN=… ONE_LOGIN_DEPARTMENT_BIN=… node --test pages.test.mjs

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { DEPARTMENTS, ensureArtifactsDir, launchBrowser, newTotpSecret, selectedStores, slug, startStack, totpCode, totpStep } from './harness.mjs';
import { runJourney } from './journey.mjs';
import { CODE, DRIVING_START, BENEFITS_START, KENNETH, newEmail, proveIdentity, seesSignIn, signIn, SIGN_IN, SIGNING_IN, siteTitles, START } from './steps.mjs';

const stores = selectedStores();
const concurrency = Number(process.env.ONE_LOGIN_BROWSER_CONCURRENCY || 3);
const JOURNEY_TIMEOUT_MS = 180_000;

let browser;
let artifactsDir;

/** A journey on a stack of its own, in a new browser context (`body` gets `stack` too). */
async function onStack(t, body) {
  const stack = await startStack({ stores });
  await runJourney(
    t,
    {
      browser,
      artifactsDir,
      name: `${stores}-pages-${slug(t.name)}`,
      servers: stack,
      baseUrl: stack.provider.url,
      sites: siteTitles(stack),
      partTimeoutMs: JOURNEY_TIMEOUT_MS,
    },
    (journey) => body({ ...journey, stack }),
  );
}

/** An account made with `one-login create-account`, ready to sign in. */
async function newAccount(stack, label) {
  const account = { email: newEmail(label), password: `a password for ${label}`, secret: newTotpSecret() };
  await stack.provider.createAccount({ email: account.email, password: account.password, totpSecret: account.secret });
  return account;
}

describe(`the pages around the journeys (${stores} stores)`, { concurrency }, () => {
  before(async () => {
    artifactsDir = await ensureArtifactsDir();
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
  });

  test('a first visit from a service: "Create your GOV.UK One Login or sign in", back links, "Forgotten your password?"', { timeout: JOURNEY_TIMEOUT_MS }, (t) =>
    onStack(t, async ({ citizen, page }) => {
      await citizen.goto('/', 'driving');
      await citizen.sees(DRIVING_START);
      await citizen.follow('Start now', { role: 'button' });
      // Not the sign-in form: two choices, as GOV.UK One Login offers them.
      await citizen.sees(START);
      const buttons = await page.locator('main a.govuk-button').evaluateAll((as) =>
        as.map((a) => [a.textContent.trim(), a.getAttribute('href')]),
      );
      assert.deepEqual(buttons, [
        ['Create your GOV.UK One Login', '/create-account'],
        ['Sign in', '/sign-in'],
      ]);
      assert.equal(await page.locator('main form').count(), 0, 'no form on the start page');

      // "Create" and back: the back link goes to the page before, the start page.
      await citizen.follow('Create your GOV.UK One Login', { role: 'button' });
      await citizen.sees({ path: '/create-account', heading: 'Enter your email address to create your GOV.UK One Login' });
      await citizen.follow('Back');
      await citizen.sees(START);

      // "Sign in": "Forgotten your password?" sits with the password, inside the form, before
      // the button; and back goes to the start page again.
      await citizen.follow('Sign in', { role: 'button' });
      await citizen.sees(SIGN_IN);
      // The password form (the page also has the passkey form).
      const passwordForm = page.locator('main form').filter({ has: page.locator('input[type=password]') });
      const order = await passwordForm.evaluate((form) =>
        [...form.querySelectorAll('input[type=password], a, button')]
          .map((el) => (el.tagName === 'INPUT' ? 'password' : el.textContent.trim()))
          .filter((text) => ['password', 'Forgotten your password?', 'Continue'].includes(text)),
      );
      assert.deepEqual(order, ['password', 'Forgotten your password?', 'Continue']);
      await citizen.follow('Back');
      await citizen.sees(START);
    }),
  );

  test('declining to share, in Welsh: "Rydych wedi dewis peidio â rhannu eich manylion", then back to the service', { timeout: JOURNEY_TIMEOUT_MS }, (t) =>
    onStack(t, async ({ citizen, stack }) => {
      const account = await newAccount(stack, 'declines-cy');
      citizen.words = { error: 'Gwall:', problem: 'Mae problem' };
      await citizen.goto('/', 'benefits');
      await citizen.sees(BENEFITS_START);
      await citizen.follow('Start now', { role: 'button' });
      await citizen.sees(START);
      await citizen.follow('Cymraeg');
      await signIn(citizen, account, { words: SIGNING_IN.cy });
      // The provider's Welsh pages name the service in Welsh (its registration's name_cy).
      const service = DEPARTMENTS.benefits.serviceNameCy;
      await citizen.sees({ path: '/authorize/consent', heading: `Rhannu eich manylion gyda ${service}` });

      const chain = await citizen.submit('Peidio â rhannu');
      assert.deepEqual(chain.map((d) => d.status), [200], 'a page, not a redirect yet');
      await citizen.sees({ path: '/authorize/consent', heading: 'Rydych wedi dewis peidio â rhannu eich manylion' });
      const said = (await citizen.paragraphs()).join(' ');
      assert.ok(said.includes(`Nid ydym wedi rhannu unrhyw un o’ch manylion â ${service}.`), said);
      for (const internal of [/said:/i, /access_denied/, /declined/i]) {
        assert.ok(!internal.test(said), `no ${internal} on the page: ${said}`);
      }
      await citizen.follow(`Ewch yn ôl i ${service}`);
      // The service was told access_denied; what it says is its own page.
      await citizen.sees({ site: 'benefits', path: '/callback', heading: 'You have not signed in', status: 403 });
    }),
  );

  test('"My address is not listed": the address list in house-number order, then the address typed by hand', { timeout: JOURNEY_TIMEOUT_MS }, (t) =>
    onStack(t, async ({ citizen, page, stack }) => {
      const account = await newAccount(stack, 'typed-address');
      await citizen.goto('/', 'driving');
      await citizen.sees(DRIVING_START);
      await citizen.follow('Start now', { role: 'button' });
      await seesSignIn(citizen);
      await citizen.fill('Email address', account.email);
      await citizen.fill('Password', account.password);
      await citizen.submitAccepted();
      await citizen.sees(CODE);
      await citizen.fill(CODE.heading, totpCode(account.secret, totpStep()));
      await citizen.submitAccepted();
      const service = stack.driving.serviceName;
      await citizen.sees({ path: '/authorize/consent', heading: `Share your details with ${service}` });
      await citizen.submitAccepted('Agree and continue');
      await proveIdentity(citizen, KENNETH, { service, until: 'passport' });

      await citizen.sees({ path: '/identity/address', heading: 'Find your address' });
      await citizen.fill('Postcode', KENNETH.postcode);
      await citizen.submitAccepted('Find address');
      await citizen.sees({ path: '/identity/address/choose', heading: 'Choose your address' });
      const numbers = (await page.locator('.govuk-radios__label').allInnerTexts()).map((a) => a.trim().split(' ')[0]);
      assert.deepEqual(numbers, ['6', '8', '10'], 'house-number order: 2 before 10');

      await citizen.follow('My address is not listed');
      const MANUAL = { path: '/identity/address/manual', heading: 'Enter your address' };
      await citizen.sees(MANUAL);
      await citizen.submitRefused();
      await citizen.sees({
        ...MANUAL,
        status: 400,
        errors: [
          ['Enter the first line of your address', '#address-line-1'],
          ['Enter your town or city', '#address-town'],
          ['Enter your postcode', '#address-postcode'],
        ],
      });
      await citizen.fill('Address line 1', '8 Hadley Road');
      await citizen.fill('Town or city', 'Bath');
      await citizen.fill('Postcode', 'ba2 5aa');
      // Recorded (as typed by hand); the fraud check has no page: next is the first question.
      const chain = await citizen.submitAccepted();
      assert.equal(chain.at(-1).path, '/identity/questions', chain.map((d) => `${d.status} ${d.path}`).join(' → '));
      await citizen.checkAccessibility();
    }),
  );

  test('feedback from the phase banner: refused when empty, counted as typed, sent, then back to the page', { timeout: JOURNEY_TIMEOUT_MS }, (t) =>
    onStack(t, async ({ citizen, page }) => {
      await citizen.goto('/sign-in');
      await citizen.sees(SIGN_IN);
      await citizen.follow('feedback');
      const FEEDBACK = { path: '/feedback', heading: 'Give feedback on GOV.UK One Login' };
      await citizen.sees(FEEDBACK);
      await page.getByLabel('Signing in', { exact: true }).check();
      await citizen.submitRefused('Send feedback');
      await citizen.sees({ ...FEEDBACK, status: 400, errors: [['Enter your feedback', '#feedback']] });
      const said = 'The security code came quickly.';
      await citizen.fill('Tell us about your experience', said);
      // govuk-frontend's character count, in the page's words, counts down as the citizen types.
      const left = (1200 - said.length).toLocaleString('en-GB');
      await page.locator('.govuk-character-count__status', { hasText: `You have ${left} characters remaining` }).waitFor();
      await citizen.checkAccessibility('feedback typed');
      await citizen.submitAccepted('Send feedback');
      await citizen.sees({ path: '/feedback/sent', heading: 'Thank you for your feedback' });
      await citizen.follow('Return to where you were');
      await citizen.sees(SIGN_IN);
    }),
  );
});
