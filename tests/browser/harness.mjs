// Test harness for the browser journeys: runs the prebuilt `one-login` binary on a free port with
// its own data folder (and, on request, its own PostgreSQL database and Redis key prefix), reads
// the codes it emails into its outbox, creates accounts with its CLI, computes authenticator
// codes, and launches Debian's Chromium through playwright-core. `startStack()` also runs the two
// demo departments (`one-login-department`) on free ports, registered with that provider.
//
// Environment:
//   ONE_LOGIN_BIN              the binary (default <repo>/target/debug/one-login)
//   ONE_LOGIN_DEPARTMENT_BIN   the department binary (default: one-login-department beside it)
//   ONE_LOGIN_BROWSER_STORES   "embedded" (SQLite + in-memory store, the default) or
//                              "postgres-redis" (run.sh also takes "all": both, one after the other)
//   ONE_LOGIN_BROWSER_POSTGRES_ADMIN_URL  default postgres://postgres@127.0.0.1:5432/postgres
//   ONE_LOGIN_BROWSER_REDIS_URL           default redis://127.0.0.1:6379/
//   ONE_LOGIN_CONFIG           a configuration file to pass as --config (default: none, so the
//                              binary reads config/default.toml in the repository root)
//   CHROMIUM                   the browser (default /usr/bin/chromium)
//   ONE_LOGIN_BROWSER_SCREENSHOTS=1  also save a screenshot of every page checked

import { execFile, execFileSync, spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import { createWriteStream, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';

import { chromium } from 'playwright-core';

const run = promisify(execFile);

/** The repository root: two folders up from this file. */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const binary = process.env.ONE_LOGIN_BIN || path.join(repoRoot, 'target', 'debug', 'one-login');
export const departmentBinary =
  process.env.ONE_LOGIN_DEPARTMENT_BIN || path.join(path.dirname(binary), 'one-login-department');
export const artifactsDir = path.join(repoRoot, 'target', 'browser-artifacts');
/** `--config FILE` when ONE_LOGIN_CONFIG names one (e.g. a binary older than the work tree's config). */
export const configArgs = process.env.ONE_LOGIN_CONFIG
  ? ['--config', path.resolve(process.env.ONE_LOGIN_CONFIG)]
  : [];
export const chromiumPath = process.env.CHROMIUM || '/usr/bin/chromium';
export const STORE_CONFIGURATIONS = ['embedded', 'postgres-redis'];

const postgresAdminUrl =
  process.env.ONE_LOGIN_BROWSER_POSTGRES_ADMIN_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
const redisUrl = process.env.ONE_LOGIN_BROWSER_REDIS_URL || 'redis://127.0.0.1:6379/';

/** The store configuration this process tests, from ONE_LOGIN_BROWSER_STORES. */
export function selectedStores() {
  const stores = process.env.ONE_LOGIN_BROWSER_STORES || 'embedded';
  if (!STORE_CONFIGURATIONS.includes(stores)) {
    throw new Error(
      `ONE_LOGIN_BROWSER_STORES=${stores}: expected one of ${STORE_CONFIGURATIONS.join(', ')} ` +
        '("all" is for run.sh, which runs each in turn)',
    );
  }
  return stores;
}

// Providers and departments not stopped when this process ends (a crash, an interrupted run) are
// killed with it, and their data folders and databases removed.
const running = new Set();
process.on('exit', () => {
  for (const provider of running) {
    provider.child?.kill('SIGKILL');
    rmSync(provider.dataDir, { recursive: true, force: true });
    if (provider.clientsDir) rmSync(provider.clientsDir, { recursive: true, force: true });
    if (provider.database) {
      try {
        execFileSync('psql', ['-qAtX', postgresAdminUrl, '-c', `DROP DATABASE IF EXISTS ${provider.database} WITH (FORCE)`], {
          stdio: 'ignore',
          timeout: 5000,
        });
      } catch {
        // best effort
      }
    }
  }
});
// Ended from outside (the test runner cancelling a file, a closed terminal): the same clean-up.
for (const [signal, number] of [
  ['SIGTERM', 15],
  ['SIGHUP', 1],
]) {
  process.once(signal, () => process.exit(128 + number));
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function randomName() {
  return `${Date.now().toString(36)}_${process.pid}_${crypto.randomBytes(4).toString('hex')}`;
}

async function psql(sql) {
  await run('psql', ['-qAtX', postgresAdminUrl, '-c', sql]);
}

/**
 * A running provider. Start one with `startProvider()`, stop it with `stop()`.
 *   url        http://localhost:<port> (no trailing slash)
 *   dataDir    its data folder (SQLite file, signing keys, outbox/)
 *   log        the file its output goes to
 */
export class Provider {
  constructor({ stores, dataDir, env, url, log }) {
    this.stores = stores;
    this.dataDir = dataDir;
    this.env = env;
    this.url = url;
    this.log = log;
    this.child = null;
    this.database = null;
    this.keyPrefix = null;
  }

  /** Runs `one-login create-account` against this provider's stores. */
  async createAccount({ email, password, totpSecret }) {
    const args = ['create-account', ...configArgs, '--email', email, '--password', password];
    if (totpSecret) args.push('--totp-secret', totpSecret);
    try {
      const { stdout } = await run(binary, args, { cwd: repoRoot, env: this.env });
      return stdout.trim();
    } catch (error) {
      throw new Error(`one-login create-account failed: ${error.stderr || error.message}`);
    }
  }

  /** Runs `one-login accounts COMMAND EMAIL` (an operator's intervention) on this provider's stores. */
  async accounts(command, email) {
    try {
      const { stdout } = await run(binary, ['accounts', command, ...configArgs, email], { cwd: repoRoot, env: this.env });
      return stdout.trim();
    } catch (error) {
      throw new Error(`one-login accounts ${command} failed: ${error.stderr || error.message}`);
    }
  }

  /** The messages in the outbox, newest first: { file, to, subject, text }. */
  async outbox() {
    const dir = path.join(this.dataDir, 'outbox');
    let names;
    try {
      names = (await fs.readdir(dir)).filter((name) => name.endsWith('.eml'));
    } catch (error) {
      if (error.code === 'ENOENT') return [];
      throw error;
    }
    const messages = await Promise.all(
      names.map(async (name) => {
        const file = path.join(dir, name);
        const [text, stat] = await Promise.all([fs.readFile(file, 'utf8'), fs.stat(file)]);
        const header = (field) => {
          const match = text.match(new RegExp(`^${field}:[ \\t]*(.*(?:\\r?\\n[ \\t]+.*)*)`, 'mi'));
          return match ? match[1].replace(/\r?\n[ \t]+/g, ' ').trim() : '';
        };
        return { file, mtime: stat.mtimeMs, to: header('To'), subject: header('Subject'), text };
      }),
    );
    return messages.sort((a, b) => b.mtime - a.mtime || b.file.localeCompare(a.file));
  }

  /**
   * The 6-digit code in the newest message to `to` (a line of its own in the body: subjects
   * never carry codes), waiting up to `timeoutMs` for it to arrive. `ignore`: codes already
   * used, which do not count as new.
   */
  async latestEmailCode(to, { timeoutMs = 5000, ignore = [] } = {}) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      for (const message of await this.outbox()) {
        if (!message.to.toLowerCase().includes(to.toLowerCase())) continue;
        const body = message.text.slice(message.text.search(/\r?\n\r?\n/));
        const match = /^(Your GOV\.UK One Login security code|Eich cod diogelwch GOV\.UK One Login)$/.test(message.subject)
          ? body.match(/^(\d{6})\r?$/m)
          : null;
        if (match && !ignore.includes(match[1])) return match[1];
        break; // only the newest message to this address counts
      }
      if (Date.now() > deadline) {
        throw new Error(`no email with a code for ${to} in ${path.join(this.dataDir, 'outbox')}`);
      }
      await sleep(100);
    }
  }

  /** Its log's last lines, as a Stack's `logTails()` gives its servers'. */
  async logTails(lines = 200) {
    return this.logTail(lines);
  }

  /** The last `lines` lines of the provider's output. */
  async logTail(lines = 40) {
    try {
      const text = await fs.readFile(this.log, 'utf8');
      // Drop the terminal colours tracing adds.
      return text.replace(/\x1b\[[0-9;]*m/g, '').split('\n').slice(-lines).join('\n');
    } catch {
      return '';
    }
  }

  /** Stops the server and removes its data folder, database and Redis keys. */
  async stop() {
    const child = this.child;
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const stopped = await Promise.race([
        exited.then(() => true),
        sleep(12000, false, { ref: false }), // the provider's graceful shutdown takes up to 10 s
      ]);
      if (!stopped) child.kill('SIGKILL');
    }
    running.delete(this);
    const cleanups = [fs.rm(this.dataDir, { recursive: true, force: true })];
    if (this.clientsDir) cleanups.push(fs.rm(this.clientsDir, { recursive: true, force: true }));
    if (this.database) {
      cleanups.push(psql(`DROP DATABASE IF EXISTS ${this.database} WITH (FORCE)`));
    }
    if (this.keyPrefix) {
      // Short-lived keys expire by themselves; this removes them at once when redis-cli is here.
      cleanups.push(
        run('sh', [
          '-c',
          'redis-cli -u "$1" --scan --pattern "$2*" | xargs -r redis-cli -u "$1" del >/dev/null',
          'sh',
          redisUrl,
          this.keyPrefix,
        ]).catch(() => {}),
      );
    }
    await Promise.allSettled(cleanups);
  }
}

/**
 * Starts the provider on a free port and waits until GET /healthz answers 200.
 * stores: "embedded" (SQLite in the data folder + in-memory store) or "postgres-redis".
 */
export async function startProvider({ stores = selectedStores() } = {}) {
  let lastError;
  // A port found free can be taken before the server binds it: try a few.
  for (let attempt = 1; attempt <= 3; attempt += 1) {
    const provider = await prepare(stores, await freePort());
    try {
      await launch(provider);
      return provider;
    } catch (error) {
      lastError = error;
      const tail = await provider.logTail();
      await provider.stop();
      if (!/address already in use|os error 98/i.test(tail)) {
        throw new Error(`${error.message}\n--- one-login output ---\n${tail}`);
      }
    }
  }
  throw lastError;
}

async function prepare(stores, port, extraEnv = {}) {
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'one-login-browser-'));
  const env = {
    ...process.env,
    ONE_LOGIN__DATA_DIR: dataDir,
    ONE_LOGIN__SERVER__LISTEN: `127.0.0.1:${port}`,
    // Several providers run at once: none takes the shared metrics port.
    ONE_LOGIN__SERVER__METRICS_LISTEN: 'off',
    RUST_LOG: process.env.RUST_LOG || 'info',
    ...extraEnv,
  };
  const provider = new Provider({
    stores,
    dataDir,
    env,
    url: `http://localhost:${port}`,
    log: path.join(dataDir, 'one-login.log'),
  });
  running.add(provider);
  if (stores === 'postgres-redis') {
    const name = randomName();
    provider.database = `one_login_browser_${name}`;
    await psql(`CREATE DATABASE ${provider.database}`);
    const adminUrl = new URL(postgresAdminUrl);
    adminUrl.pathname = `/${provider.database}`;
    provider.keyPrefix = `one-login-browser-${name}:`;
    Object.assign(env, {
      ONE_LOGIN__DATABASE__URL: adminUrl.toString(),
      ONE_LOGIN__EPHEMERAL__URL: redisUrl,
      ONE_LOGIN__EPHEMERAL__KEY_PREFIX: provider.keyPrefix,
    });
  } else if (stores !== 'embedded') {
    throw new Error(`unknown store configuration ${stores}`);
  }
  return provider;
}

async function launch(provider) {
  await spawnUntilHealthy(provider, binary, ['serve', ...configArgs], 'one-login serve');
}

/** Starts `program` for `server` (its env, log, url) and waits until its /healthz answers 200. */
async function spawnUntilHealthy(server, program, args, what) {
  try {
    await fs.access(program, fs.constants.X_OK);
  } catch {
    throw new Error(`no binary at ${program}: build it (cargo build --bin ${path.basename(program)})`);
  }
  const log = createWriteStream(server.log);
  await new Promise((resolve) => log.once('open', resolve));
  const child = spawn(program, args, {
    cwd: repoRoot, // it reads config/ from here
    env: server.env,
    stdio: ['ignore', log, log],
  });
  server.child = child;
  let exit = null;
  child.once('exit', (code, signal) => {
    exit = signal ? `signal ${signal}` : `status ${code}`;
  });
  const deadline = Date.now() + 30000;
  for (;;) {
    if (exit) throw new Error(`${what} exited with ${exit} before it was ready`);
    try {
      const response = await fetch(`${server.url}/healthz`, { signal: AbortSignal.timeout(2000) });
      if (response.status === 200) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${what} was not ready within 30 s`);
    await sleep(100);
  }
}

// ---------------------------------------------------------------------------------------------
// The whole stack: the provider and both demo departments, as `crates/demo-rp/tests/end_to_end.rs`
// runs them. The departments' client registrations (config/clients/) are copied to a folder of
// the stack's with their addresses moved to the free ports, and the provider reads that folder.

/** The demo departments: the config file, the host each is registered on, and its address there. */
export const DEPARTMENTS = {
  driving: {
    config: 'driving-licence',
    host: 'localhost',
    registered: 'localhost:8081',
    serviceName: 'Renew your driving licence',
    // Its name on Welsh pages, the department's and the provider's (service_name_cy, name_cy).
    serviceNameCy: 'Adnewyddu eich trwydded yrru',
  },
  // Another host than the provider and the driving licence service, so another pairwise sector.
  benefits: {
    config: 'benefits',
    host: '127.0.0.1',
    registered: '127.0.0.1:8082',
    serviceName: 'Apply for a benefit',
    serviceNameCy: 'Gwneud cais am fudd-dal',
  },
};

/** A running department (one-login-department); `url` ends without "/". */
export class Department {
  constructor({ name, serviceName, url, dataDir, env, log }) {
    Object.assign(this, { name, serviceName, url, dataDir, env, log, child: null, database: null });
  }

  async logTail(lines = 40) {
    return Provider.prototype.logTail.call(this, lines);
  }

  async stop() {
    const child = this.child;
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const stopped = await Promise.race([exited.then(() => true), sleep(5000, false, { ref: false })]);
      if (!stopped) child.kill('SIGKILL');
    }
    running.delete(this);
    await fs.rm(this.dataDir, { recursive: true, force: true });
  }
}

/** The provider and both departments; `stop()` ends them all. */
export class Stack {
  constructor(provider, departments) {
    this.provider = provider;
    this.driving = departments.driving;
    this.benefits = departments.benefits;
  }

  get departments() {
    return [this.driving, this.benefits];
  }

  /** The last lines of every server's log, each under its name. */
  async logTails(lines = 200) {
    const parts = [];
    for (const [name, server] of [['provider', this.provider], ...this.departments.map((d) => [d.name, d])]) {
      if (server) parts.push(`--- ${name} ---\n${await server.logTail(lines)}`);
    }
    return parts.join('\n');
  }

  async stop() {
    await Promise.allSettled([...this.departments.filter(Boolean).map((d) => d.stop()), this.provider?.stop()]);
  }
}

/**
 * Starts the provider (stores as for `startProvider`, plus `providerEnv`, e.g. a short
 * ONE_LOGIN__SESSION__IDLE_TIMEOUT) and both departments, each on a free port, and waits until
 * all three are healthy.
 */
export async function startStack({ stores = selectedStores(), providerEnv = {} } = {}) {
  let lastError;
  for (let attempt = 1; attempt <= 3; attempt += 1) {
    const ports = { provider: await freePort(), driving: await freePort(), benefits: await freePort() };
    const stack = new Stack(null, {});
    try {
      const clientsDir = await fs.mkdtemp(path.join(os.tmpdir(), 'one-login-browser-clients-'));
      for (const [key, department] of Object.entries(DEPARTMENTS)) {
        const file = `${department.config}.toml`;
        const text = await fs.readFile(path.join(repoRoot, 'config', 'clients', file), 'utf8');
        await fs.writeFile(
          path.join(clientsDir, file),
          text.replaceAll(department.registered, `${department.host}:${ports[key]}`),
        );
      }
      const providerUrl = `http://localhost:${ports.provider}`;
      stack.provider = await prepare(stores, ports.provider, {
        ONE_LOGIN__ISSUER: `${providerUrl}/`,
        ONE_LOGIN__CLIENTS_DIR: clientsDir,
        ...providerEnv,
      });
      stack.provider.clientsDir = clientsDir;
      await launch(stack.provider);
      // The provider reads a department's key from its JWKS only when it first asks for tokens,
      // so the departments start after it, side by side.
      await Promise.all(
        Object.entries(DEPARTMENTS).map(async ([key, department]) => {
          const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), `one-login-browser-${department.config}-`));
          const url = `http://${department.host}:${ports[key]}`;
          const server = new Department({
            name: department.config,
            serviceName: department.serviceName,
            url,
            dataDir,
            log: path.join(dataDir, 'department.log'),
            env: {
              ...process.env,
              RUST_LOG: process.env.RUST_LOG || 'info',
              ONE_LOGIN_DEPARTMENT__LISTEN: `127.0.0.1:${ports[key]}`,
              ONE_LOGIN_DEPARTMENT__PUBLIC_URL: `${url}/`,
              ONE_LOGIN_DEPARTMENT__DATA_DIR: path.join(dataDir, 'data'),
              ONE_LOGIN_DEPARTMENT__PROVIDER__ISSUER: `${providerUrl}/`,
            },
          });
          running.add(server);
          stack[key] = server;
          const config = path.join(repoRoot, 'config', 'departments', `${department.config}.toml`);
          await spawnUntilHealthy(server, departmentBinary, ['--config', config], `${department.config} department`);
        }),
      );
      return stack;
    } catch (error) {
      lastError = error;
      const tails = await stack.logTails(40);
      await stack.stop();
      if (!/address already in use|os error 98/i.test(tails)) {
        throw new Error(`${error.message}\n${tails}`);
      }
    }
  }
  throw lastError;
}

// ---------------------------------------------------------------------------------------------
// Authenticator codes (RFC 6238: HMAC-SHA-1, 6 digits, 30 s steps, base32 secret).

export const TOTP_STEP_SECONDS = 30;

export function base32Decode(text) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  const clean = text.replace(/[\s=-]/g, '').toUpperCase();
  let bits = 0;
  let value = 0;
  const bytes = [];
  for (const char of clean) {
    const index = alphabet.indexOf(char);
    if (index < 0) throw new Error(`not base32: ${JSON.stringify(char)}`);
    value = (value << 5) | index;
    bits += 5;
    if (bits >= 8) {
      bytes.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(bytes);
}

export function base32Encode(buffer) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of buffer) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += alphabet[(value << (5 - bits)) & 31];
  return out;
}

/** A new random secret of 160 bits, base32. */
export function newTotpSecret() {
  return base32Encode(crypto.randomBytes(20));
}

/** The time step of `timeMs` (default now). */
export function totpStep(timeMs = Date.now()) {
  return Math.floor(timeMs / 1000 / TOTP_STEP_SECONDS);
}

/** The code an authenticator app shows for `secret` in time step `step`. */
export function totpCode(secret, step = totpStep(), digits = 6) {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const hmac = crypto.createHmac('sha1', base32Decode(secret)).update(counter).digest();
  const offset = hmac[hmac.length - 1] & 0x0f;
  const binaryCode = hmac.readUInt32BE(offset) & 0x7fffffff;
  return String(binaryCode % 10 ** digits).padStart(digits, '0');
}

/**
 * Waits until the clock is in a later time step than `usedStep` (a step is accepted only once
 * per account), then returns { step, code } for the step it is now.
 */
export async function nextTotp(secret, usedStep) {
  while (totpStep() <= usedStep) {
    const nextBoundary = (usedStep + 1) * TOTP_STEP_SECONDS * 1000;
    await sleep(Math.max(50, nextBoundary - Date.now() + 100));
  }
  const step = totpStep();
  return { step, code: totpCode(secret, step) };
}

/** A well-formed code that is wrong for `secret` now (not the code of this step or the next or last). */
export function wrongTotpCode(secret) {
  const step = totpStep();
  const valid = new Set([-2, -1, 0, 1, 2].map((d) => totpCode(secret, step + d)));
  for (let n = 0; ; n += 1) {
    const candidate = String((n * 137_911 + 424_242) % 1_000_000).padStart(6, '0');
    if (!valid.has(candidate)) return candidate;
  }
}

// ---------------------------------------------------------------------------------------------
// The browser.

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Launches Debian's Chromium (no browser download: playwright-core only drives it). */
export async function launchBrowser() {
  try {
    await fs.access(chromiumPath, fs.constants.X_OK);
  } catch {
    throw new Error(`no Chromium at ${chromiumPath}: apt-get install -y chromium`);
  }
  return chromium.launch({ executablePath: chromiumPath, args: CHROMIUM_ARGS, headless: true });
}

/** A file name made from a test's name. */
export function slug(text) {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 100);
}

export async function ensureArtifactsDir() {
  await fs.mkdir(artifactsDir, { recursive: true });
  return artifactsDir;
}
