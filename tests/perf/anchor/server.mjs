// The anchor of issue 13: panva oidc-provider (OpenID Certified), configured to do the work of
// One Login's bench rows, started by `one-login-bench run --anchor tests/perf/anchor`.
//
// Configuration, all from the environment the bench sets:
//   ANCHOR_PORT           the loopback port to listen on (issuer http://127.0.0.1:PORT)
//   ANCHOR_CLIENT_ID      the bench client's id
//   ANCHOR_REDIRECT_URI   its one redirect URI
//   ANCHOR_CLIENT_JWKS    its public key set (JSON), for private_key_jwt with ES256
//
// What it does as One Login does: the code flow with PKCE S256 required of every client,
// private_key_jwt client authentication, ID tokens signed with ES256 (P-256), pairwise subjects,
// refresh tokens for `offline_access` rotated on every use, a session cookie for single sign-on
// and a grant that covers the scopes once given. What it does not: hash a password (the login
// interaction below signs in whatever account id the bench names), rate limits, audit records,
// a durable store (oidc-provider's default in-memory adapter, an LRU of 1,000 entries).

import { createServer } from 'node:http';
import { createHmac, generateKeyPairSync, randomBytes } from 'node:crypto';

import Provider from 'oidc-provider';

function required(name) {
  const value = process.env[name];
  if (!value) {
    console.error(`${name} is not set`);
    process.exit(2);
  }
  return value;
}

const port = Number.parseInt(required('ANCHOR_PORT'), 10);
const clientId = required('ANCHOR_CLIENT_ID');
const redirectUri = required('ANCHOR_REDIRECT_URI');
const clientJwks = JSON.parse(required('ANCHOR_CLIENT_JWKS'));
const issuer = `http://127.0.0.1:${port}`;

// A fresh ES256 signing key each start, as the bench starts a fresh provider each run.
const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const signingKey = { ...privateKey.export({ format: 'jwk' }), alg: 'ES256', use: 'sig', kid: 'anchor-es256' };

// Pairwise subjects as One Login makes them: a keyed hash of the sector and the account.
const pairwiseSalt = randomBytes(32);

const SCOPES = ['openid', 'email', 'offline_access'];

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: clientId,
      redirect_uris: [redirectUri],
      response_types: ['code'],
      grant_types: ['authorization_code', 'refresh_token'],
      token_endpoint_auth_method: 'private_key_jwt',
      token_endpoint_auth_signing_alg: 'ES256',
      id_token_signed_response_alg: 'ES256',
      subject_type: 'pairwise',
      scope: SCOPES.join(' '),
      jwks: clientJwks,
    },
  ],
  jwks: { keys: [signingKey] },
  scopes: SCOPES,
  claims: { openid: ['sub'], email: ['email', 'email_verified'] },
  subjectTypes: ['public', 'pairwise'],
  pairwiseIdentifier(ctx, accountId, client) {
    return createHmac('sha256', pairwiseSalt)
      .update(`${client.sectorIdentifier}\0${accountId}`)
      .digest('base64url');
  },
  enabledJWA: {
    clientAuthSigningAlgValues: ['ES256'],
    idTokenSigningAlgValues: ['ES256'],
  },
  // oidc-provider requires PKCE of public clients only by default; One Login of every client.
  pkce: { required: () => true },
  // Rotated on every use, as One Login's refresh grant does (the default rotates only
  // public clients' tokens, or after 70% of a token's life).
  rotateRefreshToken: () => true,
  issueRefreshToken: async (ctx, client, code) => client.grantTypeAllowed('refresh_token')
    && code.scopes.has('offline_access'),
  // One Login's lifetimes (config/default.toml).
  ttl: {
    AuthorizationCode: 60,
    AccessToken: 180,
    IdToken: 120,
    RefreshToken: 30 * 24 * 60 * 60,
    Grant: 30 * 24 * 60 * 60,
    Session: 12 * 60 * 60,
    Interaction: 60 * 60,
  },
  cookies: { keys: [randomBytes(32).toString('base64url')] },
  features: {
    devInteractions: { enabled: false },
    userinfo: { enabled: true },
  },
  interactions: {
    url(ctx, interaction) {
      return `/interaction/${interaction.uid}`;
    },
  },
  async findAccount(ctx, id) {
    return {
      accountId: id,
      async claims() {
        return { sub: id, email: id, email_verified: true };
      },
    };
  },
  // The bench's client is on the loopback interface and never reads CORS headers.
  clientBasedCORS: () => false,
});

provider.on('server_error', (ctx, error) => {
  console.error('server_error', error);
});

const INTERACTION = /^\/interaction\/([A-Za-z0-9_-]+)$/;

// GET /interaction/:uid?account=ID: signs in the account the bench names (no password: the
// anchor's login is not what is measured) and grants what the client asked for, so that the
// next /auth with this session cookie goes straight back to the client with a code.
async function finishInteraction(req, res, url) {
  const accountId = url.searchParams.get('account');
  if (!accountId) {
    res.writeHead(400, { 'content-type': 'text/plain' });
    res.end('account is required');
    return;
  }
  const details = await provider.interactionDetails(req, res);
  const { params, prompt } = details;
  const grant = new provider.Grant({ accountId, clientId: params.client_id });
  grant.addOIDCScope(params.scope);
  const requested = prompt.details.missingOIDCClaims ?? [];
  if (requested.length > 0) {
    grant.addOIDCClaims(requested);
  }
  const grantId = await grant.save();
  await provider.interactionFinished(
    req,
    res,
    { login: { accountId }, consent: { grantId } },
    { mergeWithLastSubmission: false },
  );
}

const callback = provider.callback();

const server = createServer((req, res) => {
  const url = new URL(req.url, issuer);
  if (req.method === 'GET' && INTERACTION.test(url.pathname)) {
    finishInteraction(req, res, url).catch((error) => {
      console.error('interaction', error);
      if (!res.headersSent) {
        res.writeHead(400, { 'content-type': 'text/plain' });
      }
      res.end(String(error.message ?? error));
    });
    return;
  }
  callback(req, res);
});

server.listen(port, '127.0.0.1', () => {
  console.error(`oidc-provider anchor listening at ${issuer}`);
});

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => server.close(() => process.exit(0)));
}
