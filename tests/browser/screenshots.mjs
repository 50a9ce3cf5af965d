// The walkthrough's pictures (docs/walkthrough.md): starts the stack (the provider and both demo departments, on
// the embedded defaults), walks journeys 1 and 2 of departments.test.mjs, then the recovery journeys
// (a forgotten password, a lost authenticator app), then manages the account (manage.mjs: journeys
// i-m of journeys.test.mjs) in headless Chromium, with every check of those journeys, and saves a
// PNG of each page the walkthrough shows into
// docs/walkthrough/ (1000 pixels wide, cut above the footer). The pictures replace the old ones
// only when the whole walk passed.
//
//   cargo build --bin one-login --bin one-login-department
//   (cd tests/browser && npm ci) && node tests/browser/screenshots.mjs
//
// ONE_LOGIN_BIN, ONE_LOGIN_DEPARTMENT_BIN and CHROMIUM are read as by the tests (harness.mjs).

import fs from 'node:fs/promises';
import path from 'node:path';

import { Citizen } from './citizen.mjs';
import { artifactsDir, launchBrowser, repoRoot, startStack } from './harness.mjs';
import { nextTotp, totpStep } from './harness.mjs';
import { manageAccount } from './manage.mjs';
import {
  BENEFITS_START,
  benefitsReusesIdentity,
  CODE,
  DRIVING_START,
  KENNETH,
  newCitizenProvesIdentity,
  replaceLostApp,
  resetPassword,
  seesSignIn,
  siteTitles,
} from './steps.mjs';

const outDir = path.join(repoRoot, 'docs', 'walkthrough');
const newDir = path.join(repoRoot, 'target', 'walkthrough-new');
const WIDTH = 1000;
const MAX_HEIGHT = 1400;

const stack = await startStack({ stores: 'embedded' });
const browser = await launchBrowser();
let failed = false;
try {
  await fs.rm(newDir, { recursive: true, force: true });
  await fs.mkdir(newDir, { recursive: true });
  await fs.mkdir(artifactsDir, { recursive: true });
  const context = await browser.newContext({ viewport: { width: WIDTH, height: 800 } });
  context.setDefaultTimeout(20_000);
  const page = await context.newPage();
  const citizen = new Citizen(page, {
    baseUrl: stack.provider.url,
    sites: siteTitles(stack),
    artifacts: { dir: artifactsDir, name: 'walkthrough' },
    log: (message) => console.log(message),
  });
  let shots = 0;
  // The page from the top to just above the footer (at most MAX_HEIGHT), without the cursor's
  // focus ring on whatever was clicked last.
  const shoot = async (name) => {
    shots += 1;
    const file = path.join(newDir, `${String(shots).padStart(2, '0')}-${name}.png`);
    await page.evaluate(() => document.activeElement?.blur());
    const footerTop = await page.locator('footer').evaluate((footer) => footer.getBoundingClientRect().top + window.scrollY);
    const height = Math.min(Math.ceil(footerTop), MAX_HEIGHT);
    await page.screenshot({ path: file, fullPage: true, clip: { x: 0, y: 0, width: WIDTH, height } });
    console.log(`took ${path.basename(file)}`);
  };
  const account = await newCitizenProvesIdentity({ citizen, page, stack, shoot });
  await benefitsReusesIdentity({ citizen, page, stack, shoot }, account);

  // Recovering the account (issue 10): another day, in a browser that has forgotten him, he has
  // forgotten his password; later he loses the phone with his authenticator app.
  const only = (names) => async (name) => (names.includes(name) ? shoot(name) : undefined);
  const newPassword = 'a new passphrase Kenneth will remember';
  await context.clearCookies();
  const { code } = await nextTotp(account.secret, account.step);
  await resetPassword(citizen, stack.provider, { ...account, newPassword, code }, {
    shoot: only(['reset-password', 'check-email', 'new-password']),
  });
  await citizen.sees({ path: '/account', heading: 'Your GOV.UK One Login' });
  await context.clearCookies();
  await citizen.goto('/', 'driving');
  await citizen.sees(DRIVING_START);
  await citizen.follow('Start now', { role: 'button' });
  await seesSignIn(citizen);
  await citizen.fill('Email address', account.email);
  await citizen.fill('Password', newPassword);
  await citizen.submitAccepted();
  await citizen.sees(CODE);
  const secret = await replaceLostApp(citizen, stack.provider, { email: account.email, password: newPassword, person: KENNETH }, {
    shoot: only(['lost-app', 'reprove', 'new-app']),
  });
  await citizen.sees({ path: '/identity/reuse', heading: 'You have already proved your identity' });

  // Managing the account (pictures 24-30), with the password and app he has now.
  shots = Math.max(shots, 23);
  await manageAccount({ citizen, shoot }, { ...account, password: newPassword, secret, step: totpStep() });

  // Issue 15: the benefit service in Welsh, by its header's toggle, which sends the citizen to
  // GOV.UK One Login in Welsh too (ui_locales=cy): pictures 31-33, every page checked in Welsh.
  // Another day, in a browser that has forgotten him.
  await context.clearCookies();
  await citizen.goto('/', 'benefits');
  await citizen.sees(BENEFITS_START);
  await citizen.follow('Cymraeg');
  citizen.sites.benefits.titleSuffix = ' - Gwneud cais am fudd-dal - GOV.UK';
  citizen.words = { error: 'Gwall:', problem: 'Mae problem' };
  citizen.lang = 'cy';
  await citizen.sees({ site: 'benefits', path: '/', heading: 'Gwneud cais am fudd-dal' });
  await shoot('welsh-benefits-start');
  await citizen.follow('Dechrau nawr', { role: 'button' });
  await citizen.sees({ path: '/', heading: 'Creu eich GOV.UK One Login neu fewngofnodi' });
  await shoot('welsh-start');
  await citizen.follow('Mewngofnodi', { role: 'button' });
  await citizen.sees({ path: '/sign-in', heading: 'Mewngofnodi i’ch GOV.UK One Login' });
  await shoot('welsh-sign-in');
  await citizen.finish();
  await context.close();
  await fs.rm(outDir, { recursive: true, force: true });
  await fs.mkdir(path.dirname(outDir), { recursive: true });
  await fs.rename(newDir, outDir);
  console.log(`saved ${shots} pictures in ${path.relative(repoRoot, outDir)}/`);
} catch (error) {
  failed = true;
  console.error(error);
  console.error(await stack.logTails(40));
} finally {
  await browser.close();
  await stack.stop();
}
process.exitCode = failed ? 1 : 0;
