// Managing an account from the account page (issue 10 items 3-5): the steps that the journeys
// i-m of journeys.test.mjs and the walkthrough pictures (screenshots.mjs) share.

import assert from 'node:assert/strict';

import { squash } from './citizen.mjs';
import { nextTotp, totpCode, totpStep, wrongTotpCode } from './harness.mjs';

export const ACCOUNT = { path: '/account', heading: 'Your GOV.UK One Login' };
export const CHANGE_EMAIL = { path: '/account/change-email', heading: 'Change your email address' };
export const CHECK_NEW_EMAIL = { path: '/account/change-email/check-email', heading: 'Check your email' };
export const CHANGE_PASSWORD = { path: '/account/change-password', heading: 'Change your password' };
export const CHANGE_APP = { path: '/account/change-authenticator-app', heading: 'Change your authenticator app' };
export const NEW_APP = { path: '/account/change-authenticator-app/new', heading: 'Set up an authenticator app' };
export const REPORT = { path: '/account/report', heading: 'Report activity you do not recognise' };
export const CLOSE = { path: '/account/close', heading: 'Close your GOV.UK One Login' };
export const CLOSED = { path: '/account/closed', heading: 'Your GOV.UK One Login is closed' };
const NEW_APP_CODE = 'Enter the 6 digit security code shown in your authenticator app';
const CURRENT_APP_CODE = 'Security code from your current authenticator app';

/** From the account page: a new email address, checked by the code sent to it. */
export async function changeEmail(citizen, provider, newAddress, { shoot = async () => {} } = {}) {
  await citizen.sees(ACCOUNT);
  await citizen.follow('Change email address');
  await citizen.sees(CHANGE_EMAIL);
  await citizen.fill('New email address', 'not-an-address');
  await citizen.submitRefused();
  await citizen.sees({
    ...CHANGE_EMAIL,
    status: 400,
    errors: [['Enter an email address in the correct format, like name@example.com', '#email']],
  });
  await citizen.fill('New email address', newAddress);
  await shoot('change-email');
  await citizen.submitAccepted();
  await citizen.sees(CHECK_NEW_EMAIL);
  const code = await provider.latestEmailCode(newAddress);
  await citizen.fill('Enter the 6 digit code', code === '000000' ? '111111' : '000000');
  await citizen.submitRefused();
  await citizen.sees({
    ...CHECK_NEW_EMAIL,
    status: 400,
    errors: [['The code you entered is not correct. Check the email and try again', '#code']],
  });
  await citizen.fill('Enter the 6 digit code', code);
  await citizen.submitAccepted();
  await citizen.sees({ path: '/account/changed/email', heading: 'You have changed your email address' });
  assert.ok((await citizen.paragraphs()).includes(`You now sign in with ${newAddress}.`));
  await citizen.follow('Go to your account');
  await citizen.sees(ACCOUNT);
  assert.equal(await citizen.summaryValue('Email address'), newAddress);
}

/** From the account page: the current password, then a new one. */
export async function changePassword(citizen, { password }, newPassword, { shoot = async () => {} } = {}) {
  await citizen.sees(ACCOUNT);
  await citizen.follow('Change password');
  await citizen.sees(CHANGE_PASSWORD);
  await citizen.fill('Current password', `${password}x`);
  await citizen.fill('New password', newPassword);
  await citizen.fill('Confirm your new password', newPassword);
  await citizen.submitRefused();
  await citizen.sees({ ...CHANGE_PASSWORD, status: 400, errors: [['The password is not correct', '#current-password']] });
  await citizen.fill('Current password', password);
  await citizen.fill('New password', newPassword);
  await citizen.fill('Confirm your new password', newPassword);
  await shoot('change-password');
  await citizen.submitAccepted();
  await citizen.sees({ path: '/account/changed/password', heading: 'You have changed your password' });
  await shoot('password-changed');
  await citizen.follow('Go to your account');
  await citizen.sees(ACCOUNT);
}

/**
 * From the account page: a code from the current app (the step after `usedStep`, which sign-in
 * used), then the new app set up from the page's key. Returns { secret, step } of the new app.
 */
export async function changeAuthenticatorApp(citizen, { secret }, usedStep, { shoot = async () => {} } = {}) {
  const { page } = citizen;
  await citizen.sees(ACCOUNT);
  await citizen.follow('Change authenticator app');
  await citizen.sees(CHANGE_APP);
  await citizen.fill(CURRENT_APP_CODE, wrongTotpCode(secret));
  await citizen.submitRefused();
  await citizen.sees({
    ...CHANGE_APP,
    status: 400,
    errors: [['The security code is not correct. Check your authenticator app and try again', '#code']],
  });
  const { code } = await nextTotp(secret, usedStep);
  await citizen.fill(CURRENT_APP_CODE, code);
  await shoot('change-authenticator-app');
  await citizen.submitAccepted();
  await citizen.sees(NEW_APP);
  await page.getByText('I cannot scan the QR code', { exact: true }).click();
  const newSecret = squash(await page.locator('#secret-key').innerText()).replace(/ /g, '');
  assert.match(newSecret, /^[A-Z2-7]{16,}$/, 'the new secret key is shown');
  assert.notEqual(newSecret, secret);
  const step = totpStep();
  await citizen.fill(NEW_APP_CODE, totpCode(newSecret, step));
  await citizen.submitAccepted();
  await citizen.sees({ path: '/account/changed/authenticator-app', heading: 'You have changed your authenticator app' });
  await citizen.follow('Go to your account');
  await citizen.sees(ACCOUNT);
  return { secret: newSecret, step };
}

/** From the account page: reports its newest activity; ends on the change-password page. */
export async function reportActivity(citizen, { shoot = async () => {} } = {}) {
  await citizen.sees(ACCOUNT);
  const [[what, when]] = await citizen.tableRows();
  // The link names its line for screen readers: "Report this activity: Signed in, 7 December 2026 at 1:27am".
  const link = citizen.page.getByRole('link', { name: /^Report this/ }).first();
  assert.equal(squash(await link.innerText()), `Report this activity: ${what}, ${when}`);
  await citizen.navigates(() => link.click());
  await citizen.sees(REPORT);
  assert.ok((await citizen.paragraphs()).includes(`You are reporting: ${what}, on ${when} (UTC).`));
  await shoot('report-activity');
  await citizen.submitAccepted('Report it and secure my account');
  await citizen.sees({ path: '/account/changed/reported', heading: 'We have secured your GOV.UK One Login' });
  await citizen.follow('Change your password');
  await citizen.sees(CHANGE_PASSWORD);
}

/** From the account page: closes the account with its password; ends on the closed page. */
export async function closeAccount(citizen, { password }, { shoot = async () => {} } = {}) {
  await citizen.sees(ACCOUNT);
  await citizen.follow('Close your GOV.UK One Login');
  await citizen.sees(CLOSE);
  const BUTTON = 'Close my GOV.UK One Login';
  const LABEL = 'Enter your password to close your GOV.UK One Login';
  await citizen.submitRefused(BUTTON);
  await citizen.sees({ ...CLOSE, status: 400, errors: [['Enter your password', '#password']] });
  await citizen.fill(LABEL, password);
  await shoot('close-account');
  await citizen.submitAccepted(BUTTON);
  await citizen.sees(CLOSED);
  await shoot('account-closed');
}

/**
 * The walkthrough's "Managing your account" part, for the citizen of journeys 1 and 2 (`account`
 * as createAccount returned it, signed in): the account page, a new password, a new app, a report
 * of activity, then closing the account.
 */
export async function manageAccount({ citizen, shoot = async () => {} }, account) {
  await citizen.goto('/account');
  await citizen.sees(ACCOUNT);
  await shoot('account');
  const password = 'a brand new memorable phrase';
  await changePassword(citizen, account, password, { shoot });
  await changeAuthenticatorApp(citizen, account, account.step, { shoot });
  await reportActivity(citizen, { shoot });
  await citizen.goto('/account');
  await closeAccount(citizen, { password }, { shoot });
}
