// Checks of the harness's own arithmetic, so a journey failure is never the harness's TOTP.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { describeViolations, runAxe, runAxeOnCopy } from './a11y.mjs';
import {
  base32Decode,
  base32Encode,
  launchBrowser,
  newTotpSecret,
  totpCode,
  totpStep,
  wrongTotpCode,
} from './harness.mjs';

test('harness: TOTP matches the RFC 6238 SHA-1 test vectors', () => {
  // RFC 6238 appendix B: the secret is the ASCII "12345678901234567890"; 8 digits there, the
  // last 6 of them here.
  const secret = base32Encode(Buffer.from('12345678901234567890'));
  assert.equal(secret, 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ');
  const vectors = [
    [59, '94287082'],
    [1111111109, '07081804'],
    [1111111111, '14050471'],
    [1234567890, '89005924'],
    [2000000000, '69279037'],
    [20000000000, '65353130'],
  ];
  for (const [seconds, expected] of vectors) {
    assert.equal(totpCode(secret, totpStep(seconds * 1000), 8), expected, `T=${seconds}`);
    assert.equal(totpCode(secret, totpStep(seconds * 1000)), expected.slice(2), `T=${seconds}, 6 digits`);
  }
});

test('harness: base32 round trip, grouped secrets and wrong codes', () => {
  const secret = newTotpSecret();
  assert.match(secret, /^[A-Z2-7]{32}$/);
  assert.equal(base32Encode(base32Decode(secret)), secret);
  const grouped = secret.match(/.{1,4}/g).join(' ');
  assert.equal(base32Decode(grouped).toString('hex'), base32Decode(secret).toString('hex'));
  const wrong = wrongTotpCode(secret);
  assert.match(wrong, /^\d{6}$/);
  const step = totpStep();
  for (const d of [-1, 0, 1]) assert.notEqual(wrong, totpCode(secret, step + d));
});

test('harness: the accessibility check finds violations, with and without JavaScript', async () => {
  // A page with two known faults: an image without alt text and an input without a label.
  const url = 'http://axe-self-check.invalid/page';
  const html =
    '<!DOCTYPE html><html lang="en"><head><title>Self check</title></head><body><main><h1>Self check</h1>' +
    '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw="><form><input name="x"></form></main></body></html>';
  const browser = await launchBrowser();
  try {
    for (const javaScriptEnabled of [true, false]) {
      const context = await browser.newContext({ javaScriptEnabled });
      await context.route('**/*', (route) => route.fulfill({ contentType: 'text/html', body: html }));
      const page = await context.newPage();
      await page.goto(url);
      const { violations } = javaScriptEnabled ? await runAxe(page) : await runAxeOnCopy(page, browser);
      const ids = violations.map((v) => v.id).sort();
      assert.ok(ids.includes('image-alt') && ids.includes('label'), `JavaScript ${javaScriptEnabled}: ${ids}`);
      const report = describeViolations('/page', violations);
      assert.match(report, /\[critical\] image-alt: Images must have alternative text/);
      assert.match(report, /at img/);
      await context.close();
    }
  } finally {
    await browser.close();
  }
});
