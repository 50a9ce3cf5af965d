// Checks of the harness's own arithmetic, so a journey failure is never the harness's TOTP.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { base32Decode, base32Encode, newTotpSecret, totpCode, totpStep, wrongTotpCode } from './harness.mjs';

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
