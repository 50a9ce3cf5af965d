// Steps of the citizen's journeys that several tests (and screenshots.mjs) take: creating an
// account, signing in, and proving an identity with a person of the test data set
// (crates/identity-proofing/data/README.md), each checking what the citizen sees.

import assert from 'node:assert/strict';

import { squash } from './citizen.mjs';
import { totpCode, totpStep, wrongTotpCode } from './harness.mjs';

export const SIGN_IN = { path: '/sign-in', heading: 'Sign in to your GOV.UK One Login' };
export const START = { path: '/', heading: 'Create your GOV.UK One Login or sign in' };

/**
 * The words of the start page and the sign-in pages a journey reads and presses, in English and
 * in Welsh (crates/core/locales): a Welsh journey signs in with `SIGNING_IN.cy`.
 */
export const SIGNING_IN = {
  en: {
    start: START.heading,
    signInButton: 'Sign in',
    signIn: SIGN_IN.heading,
    email: 'Email address',
    password: 'Password',
    code: 'Enter the security code shown in your authenticator app',
    continue: 'Continue',
  },
  cy: {
    start: 'Creu eich GOV.UK One Login neu fewngofnodi',
    signInButton: 'Mewngofnodi',
    signIn: 'Mewngofnodi i’ch GOV.UK One Login',
    email: 'Cyfeiriad e-bost',
    password: 'Cyfrinair',
    code: 'Rhowch y cod diogelwch a ddangosir yn eich ap dilysu',
    continue: 'Parhau',
  },
};

/**
 * The sign-in form, reached as a citizen reaches it from a service: a browser that has not
 * signed in meets "Create your GOV.UK One Login or sign in" first (checked, then its "Sign in"
 * button); one asked to sign in again goes straight to the form.
 */
export async function seesSignIn(citizen, words = SIGNING_IN.en) {
  if (citizen.site === 'provider' && citizen.pathname === '/') {
    await citizen.sees({ path: '/', heading: words.start });
    await citizen.follow(words.signInButton, { role: 'button' });
  }
  await citizen.sees({ path: '/sign-in', heading: words.signIn });
}
export const CODE = {
  path: '/sign-in/authenticator-code',
  heading: 'Enter the security code shown in your authenticator app',
};
export const WRONG_CODE = 'The security code you entered is not correct. Check your authenticator app and try again';
const APP_CODE = 'Enter the 6 digit security code shown in your authenticator app';

/** The test data set's Kenneth Decerqueira: passport, home and answers (all on record). */
export const KENNETH = {
  passportNumber: '321654987',
  surname: 'Decerqueira',
  givenNames: 'Kenneth',
  birth: ['8', '7', '1965'],
  expiry: ['1', '1', '2030'],
  postcode: 'BA2 5AA',
  home: '8 Hadley Road',
  answers: ['Halifax', 'Zopa', 'Vodafone', '£401 to £700'],
  name: 'Kenneth Decerqueira',
};

/** Mary Anne Watson: her passport is reported lost or stolen. */
export const MARY = {
  passportNumber: '123456789',
  surname: 'Watson',
  givenNames: 'Mary Anne',
  birth: ['25', '2', '1952'],
  expiry: ['30', '5', '2028'],
};

/** Joan Margaret Ellis: a real passport, but not Kenneth's. */
export const JOAN = {
  passportNumber: '707456123',
  surname: 'Ellis',
  givenNames: 'Joan Margaret',
  birth: ['12', '12', '1958'],
  expiry: ['14', '8', '2033'],
};

/** The sites of a stack for a Citizen: each department with the end of its pages' titles. */
export function siteTitles(stack) {
  return {
    driving: { url: stack.driving.url, titleSuffix: ` - ${stack.driving.serviceName} - GOV.UK` },
    benefits: { url: stack.benefits.url, titleSuffix: ` - ${stack.benefits.serviceName} - GOV.UK` },
  };
}

/**
 * From where a service sends a citizen who is not signed in ("Create your GOV.UK One Login or sign
 * in", or the sign-in page), creates
 * an account: email, the code from the outbox, a password, the authenticator app (its secret read
 * from the page, the code computed here). Returns { email, password, secret, step }: `step` is the
 * authenticator step used, which cannot be used again.
 */
export async function createAccount(citizen, provider, email, { shoot = async () => {} } = {}) {
  const { page } = citizen;
  const password = 'correct horse battery staple';
  if (citizen.pathname === '/') {
    // A first visit from a service: "Create your GOV.UK One Login or sign in".
    await citizen.sees(START);
    await shoot('start');
    await citizen.follow('Create your GOV.UK One Login', { role: 'button' });
  } else {
    await citizen.sees(SIGN_IN);
    await shoot('sign-in');
    await citizen.follow('Create one');
  }
  const EMAIL = 'Enter your email address to create your GOV.UK One Login';
  await citizen.sees({ path: '/create-account', heading: EMAIL });
  await citizen.fill(EMAIL, email);
  await shoot('create-account');
  await citizen.submitAccepted();

  await citizen.sees({ path: '/create-account/check-email', heading: 'Check your email' });
  assert.equal(squash(await page.locator('.govuk-inset-text').innerText()), `We have sent a code to: ${email}`);
  await citizen.fill('Enter the 6 digit code', await provider.latestEmailCode(email));
  await citizen.submitAccepted();

  await citizen.sees({ path: '/create-account/password', heading: 'Create your password' });
  await citizen.fill('Password', password);
  await citizen.fill('Confirm your password', password);
  await citizen.submitAccepted();

  await citizen.sees({ path: '/create-account/authenticator-app', heading: 'Set up an authenticator app' });
  const qr = page.getByRole('img', { name: 'QR code to add GOV.UK One Login to your authenticator app' });
  assert.ok(await qr.evaluate((img) => img.complete && img.naturalWidth > 0), 'the QR code image has loaded');
  await shoot('authenticator-app');
  await page.getByText('I cannot scan the QR code', { exact: true }).click();
  const secret = squash(await page.locator('#secret-key').innerText()).replace(/ /g, '');
  assert.match(secret, /^[A-Z2-7]{16,}$/, 'the secret key is shown');
  const step = totpStep();
  await citizen.fill(APP_CODE, totpCode(secret, step));
  await citizen.submitAccepted();
  return { email, password, secret, step };
}

/**
 * From the provider's sign-in page: email and password, then the authenticator code (`code`, or
 * the current one), in the language of `words`. With `wrongCodeFirst`, a wrong code is refused
 * first.
 */
export async function signIn(citizen, { email, password, secret }, { code, wrongCodeFirst = false, words = SIGNING_IN.en } = {}) {
  await seesSignIn(citizen, words);
  await citizen.fill(words.email, email);
  await citizen.fill(words.password, password);
  await citizen.submitAccepted(words.continue);
  const codePage = { path: CODE.path, heading: words.code };
  await citizen.sees(codePage);
  if (wrongCodeFirst) {
    await citizen.fill(words.code, wrongTotpCode(secret));
    await citizen.submitRefused(words.continue);
    await citizen.sees({ ...codePage, status: 400, errors: [[WRONG_CODE, '#code']] });
  }
  await citizen.fill(words.code, code ?? totpCode(secret));
  await citizen.submitAccepted(words.continue);
}

/**
 * The words of the provider's identity pages a journey reads and presses, in English and in
 * Welsh (crates/core/locales): a Welsh journey proves an identity with `PROVING.cy`.
 */
export const PROVING = {
  en: {
    start: 'Prove your identity',
    needsToKnow: (service) => `${service} needs to know it is really you.`,
    passport: 'UK passport',
    continue: 'Continue',
    passportHeading: 'Enter your details exactly as they appear on your UK passport',
    passportNumber: 'Passport number',
    surname: 'Surname',
    givenNames: 'First and middle names',
    birth: 'Date of birth',
    expiry: 'Expiry date',
    dateParts: ['Day', 'Month', 'Year'],
    findYourAddress: 'Find your address',
    postcode: 'Postcode',
    findAddress: 'Find address',
    chooseYourAddress: 'Choose your address',
    questionOf: /^Question (\d+) of (\d+)$/,
    // The questions' own words (the simulated agency's, translated by the provider).
    question: /^(Which of these|How much)\b/,
    answer: (answer) => answer,
    proved: 'You have proved your identity',
    continueTo: (service) => `You can now continue to ${service}.`,
    toTheService: 'Continue to the service',
  },
  cy: {
    start: 'Profi eich hunaniaeth',
    needsToKnow: (service) => `Mae angen i ${service} wybod mai chi sydd yno go iawn.`,
    passport: 'Pasbort y DU',
    continue: 'Parhau',
    passportHeading: 'Rhowch eich manylion yn union fel y maent yn ymddangos ar eich pasbort y DU',
    passportNumber: 'Rhif pasbort',
    surname: 'Cyfenw',
    givenNames: 'Enwau cyntaf a chanol',
    birth: 'Dyddiad geni',
    expiry: 'Dyddiad dod i ben',
    dateParts: ['Diwrnod', 'Mis', 'Blwyddyn'],
    findYourAddress: 'Dod o hyd i’ch cyfeiriad',
    postcode: 'Cod post',
    findAddress: 'Dod o hyd i gyfeiriad',
    chooseYourAddress: 'Dewiswch eich cyfeiriad',
    questionOf: /^Cwestiwn (\d+) o (\d+)$/,
    question: /^(Gyda pha un|Pa un|Faint)\b/,
    answer: (answer) => answer.replace(/^£(\d+) to £/, '£$1 i £'),
    proved: 'Rydych wedi profi eich hunaniaeth',
    continueTo: (service) => `Gallwch nawr barhau i ${service}.`,
    toTheService: "Parhau i'r gwasanaeth",
  },
};

/**
 * Answers the questions from `person`'s records, one page each, until the questions end, in
 * the language of `words` (PROVING). Returns how many were asked.
 */
export async function answerQuestions(citizen, person, { shoot = async () => {}, words = PROVING.en } = {}) {
  const { page } = citizen;
  const answers = person.answers.map(words.answer);
  let asked = 0;
  while (citizen.pathname === '/identity/questions') {
    asked += 1;
    const caption = squash(await page.locator('.govuk-caption-l').innerText());
    const match = caption.match(words.questionOf);
    assert.ok(match && Number(match[1]) === asked, `question ${asked} by ${words.questionOf}, not "${caption}"`);
    const question = squash(await page.locator('legend h1, h1').first().innerText());
    assert.match(question, words.question, 'the question in the page’s language');
    await citizen.sees({ path: '/identity/questions', heading: question });
    const options = (await page.locator('.govuk-radios__label').allInnerTexts()).map(squash);
    const answer = options.find((o) => answers.includes(o));
    assert.ok(answer, `one of ${answers} answers "${question}": ${options}`);
    await page.getByLabel(answer, { exact: true }).check();
    if (asked === 1) await shoot('question');
    await citizen.submitAccepted(words.continue);
    assert.ok(asked <= 4, 'at most 4 questions');
  }
  assert.ok(asked >= 3, `at least 3 questions asked, not ${asked}`);
  return asked;
}

/** Fills the three boxes of the date input in the fieldset `legend`. */
async function fillDate(citizen, legend, date, words = PROVING.en) {
  const group = citizen.page.getByRole('group', { name: legend, exact: true });
  for (const [i, label] of words.dateParts.entries()) {
    await group.getByLabel(label, { exact: true }).fill(date[i]);
  }
}

/** The passport form, filled in with `person`'s passport. */
async function fillPassport(citizen, person, words = PROVING.en) {
  await citizen.fill(words.passportNumber, person.passportNumber);
  await citizen.fill(words.surname, person.surname);
  await citizen.fill(words.givenNames, person.givenNames);
  await fillDate(citizen, words.birth, person.birth, words);
  await fillDate(citizen, words.expiry, person.expiry, words);
}

/**
 * Proves `person`'s identity on the provider's pages, from "Prove your identity" (the page the
 * citizen is on) to "You have proved your identity", reading and pressing `words` (PROVING.en
 * or .cy). With `until: 'passport'`, stops once the passport details are sent, and returns the
 * responses (the page after is the caller's to check); with `until: 'question'`, once the first
 * question shows.
 */
export async function proveIdentity(citizen, person, { service, until = null, shoot = async () => {}, words = PROVING.en }) {
  const { page } = citizen;
  await citizen.sees({ path: '/identity/start', heading: words.start });
  assert.ok(
    (await citizen.paragraphs()).some((p) => p.startsWith(words.needsToKnow(service))),
    'the page names the service asking',
  );
  await shoot('prove-identity');
  await page.getByLabel(words.passport, { exact: true }).check();
  await citizen.submitAccepted(words.continue);

  await citizen.sees({ path: '/identity/passport', heading: words.passportHeading });
  await fillPassport(citizen, person, words);
  await shoot('passport');
  // Details that match no passport re-show this page: the caller checks what comes next.
  if (until === 'passport') return citizen.submit(words.continue);
  await citizen.submitAccepted(words.continue);

  await citizen.sees({ path: '/identity/address', heading: words.findYourAddress });
  await citizen.fill(words.postcode, person.postcode);
  await shoot('find-address');
  await citizen.submitAccepted(words.findAddress);

  await citizen.sees({ path: '/identity/address/choose', heading: words.chooseYourAddress });
  const addresses = (await page.locator('.govuk-radios__label').allInnerTexts()).map(squash);
  const home = addresses.find((a) => a.startsWith(person.home));
  assert.ok(home, `${person.home} is among the addresses: ${addresses}`);
  assert.ok(addresses.length > 1, `the postcode's neighbours are listed too: ${addresses}`);
  await page.getByLabel(home, { exact: true }).check();
  await shoot('choose-address');
  // The fraud check has no page: the next page the citizen sees is the first question.
  const chain = await citizen.submitAccepted(words.continue);
  assert.ok(
    chain.slice(0, -1).every((d) => d.status === 303),
    `the fraud check shows no page: ${chain.map((d) => `${d.status} ${d.path}`)}`,
  );

  if (until === 'question') return chain;
  await answerQuestions(citizen, person, { shoot, words });

  await citizen.sees({ heading: words.proved });
  assert.equal(squash(await page.locator('.govuk-panel__body').innerText()), person.name);
  assert.ok(
    (await citizen.paragraphs()).some((p) => p.startsWith(words.continueTo(service))),
    'the page says where the citizen goes next',
  );
  await shoot('proved');
  return chain;
}


// ---------------------------------------------------------------------------------------------
// Journeys 1 and 2 across the provider and both departments (departments.test.mjs, screenshots.mjs).

export const DRIVING_START = { site: 'driving', path: '/', heading: 'Renew your driving licence' };
export const BENEFITS_START = { site: 'benefits', path: '/', heading: 'Apply for a benefit' };
export const APPLICATION = { path: '/application', heading: 'Your application' };
export const SUB = /^urn:fdc:gov\.uk:2022:[A-Za-z0-9_-]+$/;

export function newEmail(label) {
  return `${label}-${Date.now().toString(36)}-${Math.floor(Math.random() * 1e6)}@example.com`;
}

/** The department's application page: checks it and returns what it shows about the citizen. */
export async function seesApplication(citizen, site) {
  await citizen.sees({ site, ...APPLICATION });
  const { page } = citizen;
  const sub = squash(await page.locator('#sub').innerText());
  assert.match(sub, SUB, `the identifier ${site} received`);
  const text = async (selector) =>
    (await page.locator(selector).count()) === 1 ? squash(await page.locator(selector).innerText()) : null;
  return {
    sub,
    email: await text('#email'),
    name: await text('#verified-name'),
    birthDate: await text('#verified-birth-date'),
    // The form is offered only once the identity the service needs is proven.
    fullNameField: (await page.getByLabel('Full name', { exact: true }).count()) === 1
      ? await page.getByLabel('Full name', { exact: true }).inputValue()
      : null,
    banner: await text('.govuk-notification-banner'),
  };
}

/** The chain of pages a navigation went through, as "status host-path". */
export function hops(chain) {
  return chain.map((d) => `${d.status} ${new URL(d.url).port}${d.path}`);
}

/**
 * Journey 1: a new citizen at the driving licence service creates an account, proves their
 * identity as Kenneth Decerqueira and comes back to the service with the verified name.
 */
export async function newCitizenProvesIdentity({ citizen, page, stack, shoot = async () => {} }) {
  await citizen.goto('/', 'driving');
  await citizen.sees(DRIVING_START);
  await shoot('driving-licence-start');
  assert.ok(
    (await citizen.paragraphs()).some((p) => p.includes('sign in with GOV.UK One Login and prove your identity')),
    'the start page says what will happen',
  );
  await citizen.follow('Start now', { role: 'button' });
  const account = await createAccount(citizen, stack.provider, newEmail('kenneth'), { shoot });

  await citizen.sees({ path: '/authorize/consent', heading: 'Share your details with Renew your driving licence' });
  const asked = (await page.locator('main ul li').allInnerTexts()).map(squash);
  for (const item of [
    'A unique reference for you that only this service gets',
    'Your email address',
    'Your verified name and date of birth',
    'Your address',
    'Your driving licence details',
  ]) {
    assert.ok(asked.includes(item), `the consent page lists "${item}": ${asked}`);
  }
  await shoot('consent');
  await citizen.submitAccepted('Agree and continue');

  await proveIdentity(citizen, KENNETH, { service: 'Renew your driving licence', shoot });
  await citizen.follow('Continue to the service', { role: 'button' });

  const seen = await seesApplication(citizen, 'driving');
  assert.equal(seen.name, 'Kenneth Decerqueira', 'the verified name');
  assert.equal(seen.birthDate, '8 July 1965', 'the verified date of birth, as GOV.UK writes dates');
  assert.equal(seen.email, account.email);
  assert.equal(seen.fullNameField, 'Kenneth Decerqueira', 'the form is filled in with the verified name');
  assert.equal(await page.getByLabel('Address', { exact: true }).inputValue(), '8 Hadley Road');
  assert.equal(await page.getByLabel('Postcode', { exact: true }).inputValue(), 'BA2 5AA');
  await shoot('driving-licence-application');
  return { ...account, drivingSub: seen.sub };
}

/**
 * Journey 2: the citizen of journey 1 (`account`, with `drivingSub`) at the benefit service: single
 * sign-on (no password), consent, then the service's identity step (P2), which reuses the proven
 * identity with no new checks. Returns the benefit service's `sub`.
 */
export async function benefitsReusesIdentity({ citizen, page, stack, shoot = async () => {} }, citizenAccount) {
  await citizen.goto('/', 'benefits');
  await citizen.sees(BENEFITS_START);
  await shoot('benefits-start');
  const chain = await citizen.follow('Start now', { role: 'button' });
  await citizen.sees({ path: '/authorize/consent', heading: 'Share your details with Apply for a benefit' });
  await shoot('benefits-consent');
  assert.ok(
    !chain.some((d) => d.path.startsWith('/sign-in') && d.url.startsWith(stack.provider.url)),
    `single sign-on: no sign-in page on the way: ${hops(chain)}`,
  );
  await citizen.submitAccepted('Agree and continue');

  const signedIn = await seesApplication(citizen, 'benefits');
  const benefitsSub = signedIn.sub;
  assert.notEqual(benefitsSub, citizenAccount.drivingSub, 'each service gets its own identifier');
  assert.equal(signedIn.email, citizenAccount.email);
  assert.equal(signedIn.name, null, 'no verified identity yet: the service asks for it later');
  assert.equal(await citizen.summaryValue('How you signed in'), 'Password and security code');
  await shoot('benefits-signed-in');

  const toProvider = await citizen.submitAccepted('Confirm your identity');
  if (citizen.pathname === '/authorize/consent') {
    await citizen.sees({ path: '/authorize/consent', heading: 'Share your details with Apply for a benefit' });
    const asked = (await page.locator('main ul li').allInnerTexts()).map(squash);
    assert.ok(asked.includes('Your verified name and date of birth'), `consent for the identity: ${asked}`);
    assert.ok(asked.includes('Your address'), `consent for the address: ${asked}`);
    toProvider.push(...(await citizen.submitAccepted('Agree and continue')));
  }
  await citizen.sees({ path: '/identity/reuse', heading: 'You have already proved your identity' });
  assert.ok(
    !toProvider.some((d) => /^\/identity\/(start|passport|address|questions)/.test(d.path)),
    `no new checks: ${hops(toProvider)}`,
  );
  assert.equal(await citizen.summaryValue('Name'), 'Kenneth Decerqueira');
  assert.equal(await citizen.summaryValue('Date of birth'), '8 July 1965');
  assert.ok(
    (await citizen.paragraphs()).some((p) => p.startsWith('Apply for a benefit can use the identity you proved')),
    'the reuse page names the service',
  );
  await shoot('identity-reuse');
  await citizen.submitAccepted('Continue to the service');

  const reused = await seesApplication(citizen, 'benefits');
  assert.equal(reused.sub, benefitsSub, 'the same identifier at the same service');
  assert.notEqual(reused.sub, citizenAccount.drivingSub);
  assert.equal(reused.name, 'Kenneth Decerqueira', 'the same verified name as at the driving licence service');
  assert.equal(reused.birthDate, '8 July 1965');
  assert.match(reused.banner, /GOV\.UK One Login confirmed your identity\./);
  assert.match(reused.banner, /You did not have to sign in again/);
  assert.match(reused.banner, /your proven identity was reused/);
  // The form is filled in from the identity and the address the identity step asked for.
  assert.equal(reused.fullNameField, 'Kenneth Decerqueira');
  assert.equal(await page.getByLabel('Address', { exact: true }).inputValue(), '8 Hadley Road');
  assert.equal(await page.getByLabel('Postcode', { exact: true }).inputValue(), 'BA2 5AA');
  await shoot('benefits-identity-reused');
  return reused.sub;
}

const CHECK_EMAIL = 'Check your email';

/** The emailed code of a recovery journey at `start`, after a wrong one is refused. */
async function recoveryCode(citizen, provider, start, email, { shoot }) {
  await citizen.sees({ path: `${start}/check-email`, heading: CHECK_EMAIL });
  assert.equal(
    squash(await citizen.page.locator('.govuk-inset-text').innerText()),
    `If ${email} is the address of a GOV.UK One Login, we have sent a code to it.`,
  );
  await shoot('check-email');
  const code = await provider.latestEmailCode(email);
  await citizen.fill('Enter the 6 digit code', code === '000000' ? '111111' : '000000');
  await citizen.submitRefused();
  await citizen.sees({
    path: `${start}/check-email`,
    heading: CHECK_EMAIL,
    status: 400,
    errors: [['The code you entered is not correct. Check the email and try again', '#code']],
  });
  await citizen.fill('Enter the 6 digit code', code);
  await citizen.submitAccepted();
}

/**
 * From the sign-in page: "Forgotten your password?", the email address, the emailed code, a new
 * password (the current one is refused), then the authenticator code (`code`, or the current
 * one). Ends signed in.
 */
export async function resetPassword(citizen, provider, { email, password, newPassword, secret, code = null }, { shoot = async () => {} } = {}) {
  await citizen.goto('/sign-in');
  await seesSignIn(citizen);
  await citizen.follow('Forgotten your password?');
  const START = { path: '/reset-password', heading: 'Reset your password' };
  await citizen.sees(START);
  await citizen.submitRefused();
  await citizen.sees({ ...START, status: 400, errors: [['Enter your email address', '#email']] });
  await citizen.fill('Email address', email);
  await shoot('reset-password');
  await citizen.submitAccepted();
  await recoveryCode(citizen, provider, '/reset-password', email, { shoot });

  const NEW = { path: '/reset-password/new-password', heading: 'Choose a new password' };
  await citizen.sees(NEW);
  await citizen.fill('New password', password);
  await citizen.fill('Type the new password again', password);
  await citizen.submitRefused();
  await citizen.sees({
    ...NEW,
    status: 400,
    errors: [['Choose a password that is different from your current one', '#password']],
  });
  await citizen.fill('New password', newPassword);
  await citizen.fill('Type the new password again', newPassword);
  await shoot('new-password');
  await citizen.submitAccepted();

  await citizen.sees({ ...CODE, path: '/reset-password/authenticator-code' });
  await citizen.fill(CODE.heading, code ?? totpCode(secret));
  await citizen.submitAccepted();
}

/**
 * From the sign-in code page: "I do not have access to my authenticator app", the email address
 * (filled in from sign-in), the emailed code, the password (a wrong one refused first); then,
 * for an account with a proven identity, `person`'s passport; then a new app. Returns its secret.
 */
export async function replaceLostApp(citizen, provider, { email, password, person = null }, { shoot = async () => {} } = {}) {
  const { page } = citizen;
  await citizen.follow('I do not have access to my authenticator app');
  await citizen.sees({ path: '/lost-authenticator-app', heading: 'Get a new authenticator app' });
  assert.equal(await page.getByLabel('Email address', { exact: true }).inputValue(), email, 'the address given at sign-in');
  await shoot('lost-app');
  await citizen.submitAccepted();
  await recoveryCode(citizen, provider, '/lost-authenticator-app', email, { shoot });

  const PASSWORD = { path: '/lost-authenticator-app/password', heading: 'Enter your password' };
  await citizen.sees(PASSWORD);
  await citizen.fill('Password', 'not the password');
  await citizen.submitRefused();
  await citizen.sees({ ...PASSWORD, status: 400, errors: [['The password is not correct', '#password']] });
  await citizen.fill('Password', password);
  await citizen.submitAccepted();

  if (person) {
    await citizen.sees({
      path: '/lost-authenticator-app/passport',
      heading: 'Enter your details exactly as they appear on your UK passport',
    });
    await fillPassport(citizen, person);
    await shoot('reprove');
    await citizen.submit();
    if (citizen.pathname !== '/lost-authenticator-app/authenticator-app') return null;
  }

  await citizen.sees({ path: '/lost-authenticator-app/authenticator-app', heading: 'Set up an authenticator app' });
  await page.getByText('I cannot scan the QR code', { exact: true }).click();
  const secret = squash(await page.locator('#secret-key').innerText()).replace(/ /g, '');
  await shoot('new-app');
  await citizen.fill(APP_CODE, totpCode(secret));
  await citizen.submitAccepted();
  return secret;
}
