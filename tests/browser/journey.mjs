// One journey of a test file: a new browser context with a Citizen in it, on servers the test
// started, and the evidence kept when it fails.

import fs from 'node:fs/promises';
import path from 'node:path';

import { Citizen } from './citizen.mjs';
import { slug } from './harness.mjs';

/**
 * Runs `body({ citizen, page, part })` in a new context of `browser`, then `citizen.finish()`, and
 * stops `servers` (a Provider or a Stack: `stop()`, `logTails()`) whatever happens. On failure (or
 * when the runner gives up on a journey that timed out), saves a screenshot and the servers' logs
 * as target/browser-artifacts/<name>.png and .log.
 *
 * `part(partName, fn)` runs one part of a longer journey as a subtest of `t`, checked by
 * `citizen.finish()` at its end; once a part fails, the later ones are skipped and the journey
 * fails.
 */
export async function runJourney(
  t,
  { browser, artifactsDir, name, servers, baseUrl, sites = {}, javaScriptEnabled = true, partTimeoutMs },
  body,
) {
  let context;
  let citizen;
  let failedPart = null;
  try {
    context = await browser.newContext({ javaScriptEnabled, viewport: { width: 1024, height: 768 } });
    context.setDefaultTimeout(20_000);
    const page = await context.newPage();
    citizen = new Citizen(page, {
      baseUrl,
      sites,
      artifacts: { dir: artifactsDir, name },
      log: (message) => t.diagnostic(message),
      javaScriptEnabled,
      browser,
    });
    const saveArtifacts = async (label = name) => {
      const screenshot = path.join(artifactsDir, `${label}.png`);
      await page.screenshot({ path: screenshot, fullPage: true }).catch(() => {});
      await fs.writeFile(path.join(artifactsDir, `${label}.log`), await servers.logTails(200)).catch(() => {});
      t.diagnostic(`screenshot: ${screenshot} (on ${page.url()})`);
    };
    // A journey that times out is not thrown into: keep its evidence when the runner gives up on it.
    const onTimeout = () => {
      saveArtifacts();
    };
    t.signal?.addEventListener('abort', onTimeout, { once: true });
    const part = (partName, fn) =>
      t.test(partName, { timeout: partTimeoutMs }, async (st) => {
        if (failedPart) {
          st.skip(`"${failedPart}" failed`);
          return;
        }
        try {
          await fn(st);
          await citizen.finish();
        } catch (error) {
          failedPart = partName;
          await saveArtifacts(`${name}-${slug(partName).slice(0, 40)}`);
          throw error;
        }
      });
    try {
      await body({ citizen, page, part });
      if (failedPart) throw new Error(`part "${failedPart}" failed`);
      await citizen.finish();
    } catch (error) {
      t.signal?.removeEventListener('abort', onTimeout);
      if (!failedPart) await saveArtifacts();
      throw error;
    } finally {
      t.signal?.removeEventListener('abort', onTimeout);
    }
  } finally {
    await citizen?.close().catch(() => {});
    await context?.close().catch(() => {});
    await servers.stop();
  }
}
