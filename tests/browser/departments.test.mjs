// The citizen's journeys across the whole stack in a real browser: the `one-login` provider and
// both demo departments (`one-login-department`: "Renew your driving licence" and "Apply for a
// benefit"), each journey on a stack of its own, every page of every site checked with axe-core.
// Run with tests/browser/run.sh, or directly:
//   ONE_LOGIN_BIN=… ONE_LOGIN_BROWSER_STORES=embedded|postgres-redis node --test departments.test.mjs
//
// Journeys 1 to 3 are one citizen's day in three parts on one stack: a new account and a proven
// identity at the driving licence service, single sign-on and identity reuse at the benefit
// service, then signing out of both. The other journeys each start from nothing.

import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';

import { squash } from './citizen.mjs';
import {
  DEPARTMENTS,
  ensureArtifactsDir,
  launchBrowser,
  newTotpSecret,
  nextTotp,
  selectedStores,
  slug,
  startStack,
} from './harness.mjs';
import { runJourney } from './journey.mjs';
import {
  answerQuestions,
  BENEFITS_START,
  benefitsReusesIdentity,
  CODE,
  DRIVING_START,
  hops,
  JOAN,
  KENNETH,
  MARY,
  newCitizenProvesIdentity,
  newEmail,
  proveIdentity,
  PROVING,
  replaceLostApp,
  seesApplication,
  signIn,
  seesSignIn,
  SIGN_IN,
  SIGNING_IN,
  siteTitles,
} from './steps.mjs';

const stores = selectedStores();
const concurrency = Number(process.env.ONE_LOGIN_BROWSER_CONCURRENCY || 3);
const JOURNEY_TIMEOUT_MS = 180_000;

// The provider's idle timeout in the expiry journey: long enough for each step of signing in
// on a busy machine, short enough to wait out.
const IDLE_SECONDS = 10;

let browser;
let artifactsDir;

/**
 * Runs a journey on a stack of its own (provider and both departments) in a new browser context
 * (see runJourney: `body` gets { citizen, page, part }, and here `stack` too).
 */
async function onStack(t, { javaScriptEnabled = true, providerEnv = {} } = {}, body) {
  const stack = await startStack({ stores, providerEnv });
  await runJourney(
    t,
    {
      browser,
      artifactsDir,
      name: `${stores}-stack-${slug(t.name)}`,
      servers: stack,
      baseUrl: stack.provider.url,
      sites: siteTitles(stack),
      javaScriptEnabled,
      partTimeoutMs: JOURNEY_TIMEOUT_MS,
    },
    (journey) => body({ ...journey, stack }),
  );
}

/** The citizen at a department's start page presses "Start now". */
async function startAt(citizen, site) {
  await citizen.goto('/', site);
  await citizen.sees(site === 'driving' ? DRIVING_START : BENEFITS_START);
  return citizen.follow('Start now', { role: 'button' });
}

/**
 * An account made with `one-login create-account`, signed in from the start page of `site`, up to
 * the consent page (with `agree`, past it). Returns the account.
 */
async function signedInFrom(citizen, stack, site, { label, wrongCodeFirst = false, agree = true }) {
  const account = { email: newEmail(label), password: `a password for ${label}`, secret: newTotpSecret() };
  await stack.provider.createAccount({ email: account.email, password: account.password, totpSecret: account.secret });
  await startAt(citizen, site);
  await signIn(citizen, account, { wrongCodeFirst });
  const service = stack[site].serviceName;
  await citizen.sees({ path: '/authorize/consent', heading: `Share your details with ${service}` });
  if (agree) await citizen.submitAccepted('Agree and continue');
  return account;
}

describe(`citizen journeys across the provider and both departments (${stores} stores)`, { concurrency }, () => {
  before(async () => {
    artifactsDir = await ensureArtifactsDir();
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
  });

  test('1-3. one citizen: a proven identity, single sign-on with reuse, signing out of both', { timeout: 3 * JOURNEY_TIMEOUT_MS }, (t) =>
    onStack(t, {}, async ({ citizen, page, stack, part }) => {
      let citizenAccount;

      await part('1. a new citizen at the driving licence service creates an account and proves their identity', async () => {
        citizenAccount = await newCitizenProvesIdentity({ citizen, page, stack });
      });

      await part('2. at the benefit service: no password, consent, and the proven identity reused', async () => {
        await benefitsReusesIdentity({ citizen, page, stack }, citizenAccount);
      });

      await part('3. signing out of the benefit service ends both services and asks for the password again', async () => {
        const out = await citizen.submitAccepted('Sign out');
        await citizen.sees({ site: 'benefits', path: '/signed-out', heading: 'You have signed out' });
        assert.ok(
          out.some((d) => d.path === '/logout' && d.url.startsWith(stack.provider.url)),
          `signed out at GOV.UK One Login too: ${hops(out)}`,
        );
        assert.deepEqual(await citizen.paragraphs(), [
          'You have signed out of this service and of GOV.UK One Login.',
          'Sign in again',
        ]);

        // The driving licence service heard by back-channel: its session ends without the
        // citizen going there. Ask (with the browser's cookies) until it has.
        const drivingApplication = citizen.url('/application', 'driving');
        const deadline = Date.now() + 15_000;
        for (;;) {
          const answer = await page.request.get(drivingApplication, { maxRedirects: 0 });
          if (answer.status() === 303 && answer.headers().location === '/') break;
          assert.ok(Date.now() < deadline, `the driving licence session still answers ${answer.status()}`);
          await sleep(200);
        }
        const back = await citizen.goto('/application', 'driving');
        assert.deepEqual(back.map((d) => `${d.status} ${d.path}`), ['303 /application', '200 /']);
        await citizen.sees(DRIVING_START);
        assert.equal(await page.getByRole('button', { name: 'Continue your application' }).count(), 0);

        // GOV.UK One Login's own session ended too.
        await citizen.goto('/account');
        await seesSignIn(citizen);

        // The next visit asks for the password, then reuses the identity.
        await startAt(citizen, 'driving');
        await signIn(citizen, citizenAccount, { code: (await nextTotp(citizenAccount.secret, citizenAccount.step)).code });
        await citizen.sees({ path: '/identity/reuse', heading: 'You have already proved your identity' });
        await citizen.submitAccepted('Continue to the service');
        const again = await seesApplication(citizen, 'driving');
        assert.equal(again.sub, citizenAccount.drivingSub, 'the same identifier as before');
        assert.equal(again.name, 'Kenneth Decerqueira');
      });
    }),
  );

  test('5. without JavaScript, a new citizen proves their identity at the driving licence service', { timeout: JOURNEY_TIMEOUT_MS }, (t) =>
    onStack(t, { javaScriptEnabled: false }, async ({ citizen, page, stack }) => {
      await newCitizenProvesIdentity({ citizen, page, stack });
      assert.equal(
        await page.locator('body').evaluate((body) => body.classList.contains('js-enabled')),
        false,
        'no script ran',
      );
    }),
  );

  test('7. in Welsh at the benefit service: the toggle, ui_locales, signing in, proving an identity, the application filled in', { timeout: 2 * JOURNEY_TIMEOUT_MS }, (t) =>
    onStack(t, {}, async ({ citizen, page, stack }) => {
      const account = { email: newEmail('cymraeg'), password: 'a password for cymraeg', secret: newTotpSecret() };
      await stack.provider.createAccount({ email: account.email, password: account.password, totpSecret: account.secret });
      const SERVICE = DEPARTMENTS.benefits.serviceNameCy;

      // The department's toggle: the same page, in Welsh, every department page from now on.
      await citizen.goto('/', 'benefits');
      await citizen.sees(BENEFITS_START);
      await citizen.follow('Cymraeg');
      citizen.sites.benefits.titleSuffix = ` - ${SERVICE} - GOV.UK`;
      citizen.words = { error: 'Gwall:', problem: 'Mae problem' };
      // From here every page the citizen sees, the department's and the provider's, is Welsh.
      citizen.lang = 'cy';
      await citizen.sees({ site: 'benefits', path: '/', heading: SERVICE });
      assert.equal(await page.getByRole('link', { name: 'English', exact: true }).getAttribute('lang'), 'en');

      // "Start now" in Welsh: the provider is asked for Welsh (ui_locales) and answers in Welsh.
      const toProvider = await citizen.follow('Dechrau nawr', { role: 'button' });
      const authorize = toProvider.find((d) => d.path === '/authorize');
      assert.ok(authorize, `the authorization request: ${hops(toProvider)}`);
      assert.equal(new URL(authorize.url).searchParams.get('ui_locales'), 'cy', authorize.url);

      // Signing in, in Welsh.
      await signIn(citizen, account, { words: SIGNING_IN.cy });
      // The service's Welsh name (its registration's name_cy), not its English one.
      const SHARE = { path: '/authorize/consent', heading: `Rhannu eich manylion gyda ${SERVICE}` };
      await citizen.sees(SHARE);
      await citizen.submitAccepted('Cytuno a pharhau');

      // Back at the department, in Welsh: the identity step is offered, sending is not.
      await citizen.sees({ site: 'benefits', path: '/application', heading: 'Eich cais' });
      assert.equal(await citizen.summaryValue('Sut y gwnaethoch fewngofnodi'), 'Cyfrinair a chod diogelwch');
      assert.equal(await page.getByRole('button', { name: 'Anfon y cais', exact: true }).count(), 0, 'no application before the identity');
      assert.equal(await page.getByLabel('Enw llawn', { exact: true }).count(), 0, 'no form before the identity');
      assert.ok(
        (await citizen.paragraphs()).includes('Gallwch anfon eich cais unwaith y bydd GOV.UK One Login wedi cadarnhau eich hunaniaeth.'),
        'the page says when the application can be sent',
      );
      const primary = page.locator('main .govuk-button:not(.govuk-button--secondary):not(.govuk-button--warning)');
      assert.deepEqual((await primary.allInnerTexts()).map(squash), ['Cadarnhau eich hunaniaeth'], 'one primary button');

      // A footer page in Welsh too.
      await citizen.follow('Cwcis');
      await citizen.sees({ site: 'benefits', path: '/cookies', heading: `Cwcis ar ${SERVICE}` });
      await citizen.goto('/application', 'benefits');
      await citizen.sees({ site: 'benefits', path: '/application', heading: 'Eich cais' });

      // The identity step asks the provider for Welsh again; consent to the identity, in Welsh.
      const toIdentity = await citizen.submit('Cadarnhau eich hunaniaeth');
      const again = toIdentity.find((d) => d.path === '/authorize');
      assert.ok(again, `the identity step's authorization request: ${hops(toIdentity)}`);
      assert.equal(new URL(again.url).searchParams.get('ui_locales'), 'cy', again.url);
      await citizen.sees(SHARE);
      const asked = (await page.locator('main ul li').allInnerTexts()).map(squash);
      assert.ok(asked.includes('Eich enw a’ch dyddiad geni wedi’u gwirio'), `consent for the identity, in Welsh: ${asked}`);
      assert.ok(asked.includes('Eich cyfeiriad'), `consent for the address, in Welsh: ${asked}`);
      await citizen.submitAccepted('Cytuno a pharhau');

      // Proving the identity, every page in Welsh (the photo ID's names, the questions from
      // the records and their answers included).
      await proveIdentity(citizen, KENNETH, { service: SERVICE, words: PROVING.cy });
      await citizen.follow(PROVING.cy.toTheService, { role: 'button' });

      // The department, in Welsh, with the proven identity and the form filled in from it.
      await citizen.sees({ site: 'benefits', path: '/application', heading: 'Eich cais' });
      assert.match(squash(await page.locator('.govuk-notification-banner').innerText()), /Mae GOV\.UK One Login wedi cadarnhau eich hunaniaeth\./);
      assert.equal(squash(await page.locator('#verified-name').innerText()), 'Kenneth Decerqueira');
      assert.equal(squash(await page.locator('#verified-birth-date').innerText()), '8 Gorffennaf 1965');
      assert.equal(await page.getByLabel('Enw llawn', { exact: true }).inputValue(), 'Kenneth Decerqueira');
      assert.equal(await page.getByLabel('Cyfeiriad', { exact: true }).inputValue(), '8 Hadley Road');
      assert.equal(await page.getByLabel('Cod post', { exact: true }).inputValue(), 'BA2 5AA');
      await citizen.submit('Anfon y cais');
      await citizen.sees({ site: 'benefits', path: '/application', heading: 'Cais wedi\'i anfon' });
    }),
  );

  test('4a. five wrong passwords lock sign-in', { timeout: JOURNEY_TIMEOUT_MS }, (t) =>
    onStack(t, {}, async ({ citizen, stack }) => {
      const email = newEmail('wrong-password');
      await stack.provider.createAccount({ email, password: 'the right password', totpSecret: newTotpSecret() });
      await startAt(citizen, 'benefits');
      await seesSignIn(citizen);
      for (let attempt = 1; attempt <= 4; attempt += 1) {
        await citizen.fill('Email address', email);
        await citizen.fill('Password', `wrong password ${attempt}`);
        await citizen.submitRefused();
        await citizen.sees({ ...SIGN_IN, status: 400, errors: [['Incorrect email address or password', '#password']] });
      }
      await citizen.fill('Email address', email);
      await citizen.fill('Password', 'wrong password 5');
      await citizen.submit();
      await citizen.sees({ heading: 'You cannot sign in at the moment' });
      assert.ok(
        (await citizen.paragraphs()).includes('For your security, you cannot sign in for 5 minutes. Try again after that.'),
      );
      // Even the right password is refused now.
      await startAt(citizen, 'benefits');
      await seesSignIn(citizen);
      await citizen.fill('Email address', email);
      await citizen.fill('Password', 'the right password');
      await citizen.submit();
      await citizen.sees({ heading: 'You cannot sign in at the moment' });
    }),
  );

  test('4b. a wrong security code, then declining to share: the service says so', { timeout: JOURNEY_TIMEOUT_MS }, (t) =>
    onStack(t, {}, async ({ citizen, stack }) => {
      await signedInFrom(citizen, stack, 'benefits', { label: 'declines', wrongCodeFirst: true, agree: false });
      await citizen.submit('Do not share');
      await citizen.sees({ path: '/authorize/consent', heading: 'You’ve chosen not to share your details' });
      await citizen.follow(`Go back to ${stack.benefits.serviceName}`);
      await citizen.sees({ site: 'benefits', path: '/callback', heading: 'You have not signed in', status: 403 });
      assert.ok(
        (await citizen.paragraphs()).includes('You chose not to share your details with this service, or stopped signing in.'),
      );
      await citizen.follow('Start again');
      await citizen.sees(BENEFITS_START);
    }),
  );

  test('4c. a passport reported lost or stolen: identity not confirmed, and the service says so', { timeout: JOURNEY_TIMEOUT_MS }, (t) =>
    onStack(t, {}, async ({ citizen, stack }) => {
      await signedInFrom(citizen, stack, 'driving', { label: 'mary' });
      await proveIdentity(citizen, MARY, { service: 'Renew your driving licence', until: 'passport' });
      await citizen.sees({ heading: 'We could not confirm your identity' });
      const said = (await citizen.paragraphs()).join(' ');
      assert.ok(!/lost|stolen/i.test(said), `the reason is not revealed: ${said}`);
      await citizen.submitAccepted('Go back to the service');
      await citizen.sees({ site: 'driving', path: '/callback', heading: 'We could not confirm your identity', status: 403 });
      assert.ok((await citizen.paragraphs()).includes('You can still apply by post. You have not been charged.'));
    }),
  );

  test('4d. a passport number that matches nobody: "could not match" until the tries run out, then the attempt limit', { timeout: JOURNEY_TIMEOUT_MS }, (t) =>
    onStack(t, {}, async ({ citizen, page, stack }) => {
      await signedInFrom(citizen, stack, 'driving', { label: 'no-match' });
      const wrong = { ...KENNETH, passportNumber: '321654988' };
      const first = await proveIdentity(citizen, wrong, { service: 'Renew your driving licence', until: 'passport' });
      assert.deepEqual(first.map((d) => `${d.status} ${d.path}`), ['200 /identity/passport'], 'the same page again');
      const PASSPORT = { path: '/identity/passport', heading: 'Enter your details exactly as they appear on your UK passport' };
      // Each try that matches no passport shows the page again with one try fewer, the details
      // kept; the last try ends the journey.
      let left = null;
      for (;;) {
        await citizen.sees(PASSPORT);
        const banner = squash(await page.locator('.govuk-notification-banner').innerText());
        assert.match(banner, /We could not match these details to a passport\./);
        const match = banner.match(/You have (\d+) (?:try|tries) left\./);
        assert.ok(match, `the banner says how many tries are left: ${banner}`);
        const now = Number(match[1]);
        if (left !== null) assert.equal(now, left - 1, 'one try fewer');
        left = now;
        assert.equal(await page.getByLabel('Passport number', { exact: true }).inputValue(), '321654988', 'the details are kept');
        const chain = await citizen.submit();
        if (left === 1) {
          assert.equal(chain[0].status, 303, 'the last try ends the journey');
          break;
        }
        assert.deepEqual(chain.map((d) => `${d.status} ${d.path}`), ['200 /identity/passport']);
      }
      // The tries are counted per account and per document for a day (issue 11.5).
      await citizen.sees({ heading: 'You cannot prove your identity online right now' });
      assert.ok((await citizen.paragraphs()).includes('You can try again online in 24 hours.'));
      await citizen.submitAccepted('Go back to the service');
      await citizen.sees({ site: 'driving', path: '/callback', heading: 'We could not confirm your identity', status: 403 });
    }),
  );

  test('4e. the back button in the middle of proving: the provider shows the step the citizen is really at', { timeout: JOURNEY_TIMEOUT_MS }, (t) =>
    onStack(t, {}, async ({ citizen, page, stack }) => {
      await signedInFrom(citizen, stack, 'driving', { label: 'back' });
      const START = { path: '/identity/start', heading: 'Prove your identity' };
      await citizen.sees(START);

      // Back from the first proving page: consent and sign-in are done, so the citizen stays
      // where the journey is.
      for (const done of ['/authorize/consent', '/sign-in/authenticator-code']) {
        const chain = await citizen.back();
        assert.equal(chain[0].path, done, `back goes to ${done}: ${hops(chain)}`);
        assert.equal(chain[0].status, 303, `${done} is done, so it sends the citizen on: ${hops(chain)}`);
        await citizen.sees(START);
      }

      // Through the passport and the address to the first question.
      await proveIdentity(citizen, KENNETH, { service: 'Renew your driving licence', until: 'question' });
      const question = { path: '/identity/questions', heading: squash(await page.locator('h1').innerText()) };
      await citizen.sees(question);
      // The address, the postcode search and the passport are done: each back leads to the
      // question the citizen is at, never to a form of a step already taken.
      for (const done of ['/identity/address/choose', '/identity/address', '/identity/passport']) {
        const chain = await citizen.back();
        assert.equal(chain[0].path, done, `back goes to ${done}: ${hops(chain)}`);
        assert.ok(chain.every((d) => d.status < 500), `no server error: ${hops(chain)}`);
        await citizen.sees(question);
      }
      // And forward again: still the same question.
      await citizen.navigates(() => page.goForward({ waitUntil: 'commit' }));
      await citizen.sees(question);

      await answerQuestions(citizen, KENNETH);
      const PROVED = { path: '/identity/next', heading: 'You have proved your identity' };
      await citizen.sees(PROVED);
      // Back from "proved" to a question: the questions are marked, no new ones are asked.
      const chain = await citizen.back();
      assert.deepEqual(chain.map((d) => `${d.status} ${d.path}`), ['303 /identity/questions', '200 /identity/next']);
      await citizen.sees(PROVED);

      await citizen.follow('Continue to the service', { role: 'button' });
      const seen = await seesApplication(citizen, 'driving');
      assert.equal(seen.name, 'Kenneth Decerqueira');
      // Back from the service into the finished journey: the citizen's account, not a dead end.
      await citizen.back();
      await citizen.sees({ path: '/account', heading: 'Your GOV.UK One Login' });
    }),
  );

  test('4f. a journey left idle past the session timeout: a clear page, then a fresh sign-in', { timeout: JOURNEY_TIMEOUT_MS }, (t) =>
    onStack(t, { providerEnv: { ONE_LOGIN__SESSION__IDLE_TIMEOUT: `${IDLE_SECONDS}s` } }, async ({ citizen, page, stack }) => {
      await signedInFrom(citizen, stack, 'driving', { label: 'idle' });
      await citizen.sees({ path: '/identity/start', heading: 'Prove your identity' });
      await page.getByLabel('UK passport', { exact: true }).check();

      await sleep((IDLE_SECONDS + 2) * 1000);
      const chain = await citizen.submit();
      assert.ok(chain.every((d) => d.status < 500), `no server error: ${hops(chain)}`);
      await citizen.sees({ path: '/identity/start', heading: 'Your session has timed out', status: 403 });
      assert.ok(
        (await citizen.paragraphs()).some((p) => p.startsWith('You were away for a while')),
        'the page says why',
      );
      await citizen.follow('Start again');
      await citizen.sees({ path: '/', heading: 'Create your GOV.UK One Login or sign in' });

      // Back at the service, starting again asks for the password: the old sign-in has ended.
      await startAt(citizen, 'driving');
      await seesSignIn(citizen);
    }),
  );
  /**
   * Journey 1 (Kenneth proves his identity at the driving licence service), then his phone is
   * gone: a new browser state, the driving licence service again, his password, and "I do not
   * have access to my authenticator app" with `person`'s passport. Returns { account, secret }.
   */
  async function kennethLosesHisApp({ citizen, page, stack }, person) {
    const account = await newCitizenProvesIdentity({ citizen, page, stack });
    await page.context().clearCookies();
    await startAt(citizen, 'driving');
    await seesSignIn(citizen);
    await citizen.fill('Email address', account.email);
    await citizen.fill('Password', account.password);
    await citizen.submitAccepted();
    await citizen.sees(CODE);
    const secret = await replaceLostApp(citizen, stack.provider, { email: account.email, password: account.password, person });
    return { account, secret };
  }

  test('6a. Kenneth loses his authenticator app, re-proves and keeps his identity', { timeout: 2 * JOURNEY_TIMEOUT_MS }, (t) =>
    onStack(t, {}, async ({ citizen, page, stack }) => {
      const { account, secret } = await kennethLosesHisApp({ citizen, page, stack }, KENNETH);
      assert.ok(secret && secret !== account.secret, 'a new app');
      // Back to the service he came from, with the identity he proved before.
      await citizen.sees({ path: '/identity/reuse', heading: 'You have already proved your identity' });
      await citizen.submitAccepted('Continue to the service');
      const seen = await seesApplication(citizen, 'driving');
      assert.equal(seen.name, 'Kenneth Decerqueira');
      assert.equal(seen.sub, account.drivingSub, 'the same identifier as before');
    }),
  );

  test("6b. someone else's passport is refused when replacing the app", { timeout: 2 * JOURNEY_TIMEOUT_MS }, (t) =>
    onStack(t, {}, async ({ citizen, page, stack }) => {
      const { account, secret } = await kennethLosesHisApp({ citizen, page, stack }, JOAN);
      assert.equal(secret, null, 'no new app');
      await citizen.sees({ path: '/lost-authenticator-app/passport', heading: 'We could not confirm it is you' });
      const said = await citizen.paragraphs();
      assert.ok(said.some((p) => p.includes('have not changed')), `the page says nothing changed: ${said}`);
      assert.ok(said.some((p) => p.includes('Post Office')), `the page says what to do next: ${said}`);
      // His own app still signs him in, and his identity is still there.
      await citizen.follow('Go back to sign in');
      await signIn(citizen, account, { code: (await nextTotp(account.secret, account.step)).code });
      await citizen.sees({ path: '/identity/reuse', heading: 'You have already proved your identity' });
    }),
  );
});
