// Passkeys in the real browser (issue 17 §1): Chromium's virtual authenticator, driven through
// the Chrome DevTools Protocol (WebAuthn domain), stands in for a phone or laptop with a
// fingerprint reader. A citizen adds a passkey, signs out, signs in with the passkey alone; then a
// copy of the passkey whose signature counter is behind (a cloned authenticator) is refused, and
// the password still works. Without JavaScript, the sign-in page says passkeys need it.
//   ONE_LOGIN_BIN=… ONE_LOGIN_BROWSER_STORES=embedded|postgres-redis node --test passkeys.test.mjs
//
// WebAuthn needs a secure context: the provider runs at http://localhost:<port>, which counts, and
// its RP ID is "localhost", the issuer's host.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { squash } from './citizen.mjs';
import { ensureArtifactsDir, launchBrowser, nextTotp, selectedStores, slug, startProvider } from './harness.mjs';
import { runJourney } from './journey.mjs';
import { createAccount, newEmail, SIGN_IN, signIn } from './steps.mjs';

const stores = selectedStores();
const JOURNEY_TIMEOUT_MS = 150_000;

const ACCOUNT = { path: '/account', heading: 'Your GOV.UK One Login' };
const PASSKEYS = { path: '/account/passkeys', heading: 'Passkeys' };
// A refused passkey answers with the sign-in page again, at the address the form posted to.
const PASSKEY_REFUSED_PAGE = { ...SIGN_IN, path: '/sign-in/passkey', status: 400 };
const SIGNED_OUT = { path: '/signed-out', heading: 'You have signed out' };
const REFUSED = 'We could not check that passkey. Try again, or sign in with your password and authenticator app.';
const NOT_SENT =
  'Your browser did not send a passkey. Passkeys need JavaScript: check it is turned on, then try again. You can always sign in with your password and authenticator app.';

let browser;
let artifactsDir;

async function journey(t, { javaScriptEnabled = true } = {}, body) {
  const provider = await startProvider({ stores });
  await runJourney(
    t,
    { browser, artifactsDir, name: `${stores}-${slug(t.name)}`, servers: provider, baseUrl: provider.url, javaScriptEnabled },
    ({ citizen, page }) => body({ citizen, page, provider }),
  );
}

/** A platform authenticator with user verification (a fingerprint reader), in this page's browser. */
async function virtualAuthenticator(page) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
  const credentials = async () => (await cdp.send('WebAuthn.getCredentials', { authenticatorId })).credentials;
  return { cdp, authenticatorId, credentials };
}

async function signOut(citizen) {
  await citizen.submitAccepted('Sign out');
  await citizen.sees(SIGNED_OUT);
  await citizen.follow('Sign in again');
  await citizen.sees(SIGN_IN);
}

describe(`passkeys (${stores} stores)`, { timeout: 3 * JOURNEY_TIMEOUT_MS }, () => {
  before(async () => {
    artifactsDir = await ensureArtifactsDir();
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
  });

  test('p. a citizen adds a passkey, signs in with it alone, and a cloned copy is refused', { timeout: JOURNEY_TIMEOUT_MS }, (t) =>
    journey(t, {}, async ({ citizen, page, provider }) => {
      const authenticator = await virtualAuthenticator(page);
      await citizen.goto('/sign-in');
      const account = await createAccount(citizen, provider, newEmail('passkey'));
      await citizen.sees(ACCOUNT);

      await citizen.follow('Manage passkeys');
      await citizen.sees(PASSKEYS);
      assert.match(squash(await page.locator('main').innerText()), /You have not added a passkey yet/);
      await citizen.fill('Name this passkey', 'This laptop');
      await citizen.submitAccepted('Create a passkey');
      await citizen.sees(PASSKEYS);
      assert.equal(await citizen.summaryValue('This laptop').then((v) => v.startsWith('Added ')), true);
      const [created] = await authenticator.credentials();
      assert.ok(created, 'the authenticator holds the new passkey');
      assert.equal(created.isResidentCredential, true, 'the passkey is discoverable');
      assert.equal(created.rpId, 'localhost');

      // Signed out, the passkey alone signs in, with no email address typed.
      await citizen.follow('Go back to your account');
      await citizen.sees(ACCOUNT);
      await signOut(citizen);
      await citizen.submitAccepted('Sign in with a passkey');
      await citizen.sees(ACCOUNT);
      assert.equal(await citizen.summaryValue('Email address'), account.email);
      const [used] = await authenticator.credentials();
      assert.ok(used.signCount > 0, `the authenticator counts its signatures (${used.signCount})`);

      // A copy of the key that has signed fewer times than the one the provider saw last.
      await signOut(citizen);
      await authenticator.cdp.send('WebAuthn.removeCredential', {
        authenticatorId: authenticator.authenticatorId,
        credentialId: used.credentialId,
      });
      await authenticator.cdp.send('WebAuthn.addCredential', {
        authenticatorId: authenticator.authenticatorId,
        credential: { ...used, signCount: 0 },
      });
      await citizen.submitRefused('Sign in with a passkey');
      await citizen.sees({ ...PASSKEY_REFUSED_PAGE, errors: [[REFUSED, '#passkey']] });
      assert.match(await provider.logTails(400), /cloned/, 'the refusal is logged');
      await citizen.goto('/sign-in');

      // The password and app still work.
      const { code } = await nextTotp(account.secret, account.step);
      await signIn(citizen, account, { code });
      await citizen.sees(ACCOUNT);
    }),
  );

  test('q. without JavaScript, the sign-in page says passkeys need it and the password works', { timeout: JOURNEY_TIMEOUT_MS }, (t) =>
    journey(t, { javaScriptEnabled: false }, async ({ citizen, provider }) => {
      await citizen.goto('/sign-in');
      const account = await createAccount(citizen, provider, newEmail('no-script'));
      await citizen.sees(ACCOUNT);
      await signOut(citizen);
      await citizen.submitRefused('Sign in with a passkey');
      await citizen.sees({ ...PASSKEY_REFUSED_PAGE, errors: [[NOT_SENT, '#passkey']] });
      await citizen.goto('/sign-in');
      const { code } = await nextTotp(account.secret, account.step);
      await signIn(citizen, account, { code });
      await citizen.sees(ACCOUNT);
    }),
  );
});
