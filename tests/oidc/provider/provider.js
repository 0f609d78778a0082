// A real OpenID Provider (panva/oidc-provider, OpenID certified) for smdb-web's SSO
// tests and demo. Not for production: accounts and clients come from a JSON file.
//
//   node provider.js <config.json>
//
// config.json: {"issuer": "http://127.0.0.1:9700", "port": 9700,
//   "clients": [{"client_id", "client_secret", "redirect_uris": [...],
//                "post_logout_redirect_uris": [...]}],
//   "accounts": [{"login", "password", "sub", "name", "given_name", "family_name",
//                 "email", "groups": [...], "amr": ["pwd", "mfa"], "acr": "...",
//                 "fault": null}]}
//
// The accounts are read again on every request, so a test can change a user's groups
// or amr between two logins by rewriting the file. "fault" makes the provider misbehave
// the way a broken or hostile provider would, for the tests that must refuse it:
//   "expired"   - the ID token's exp lies in the past (correctly signed)
//   "wrong_key" - the ID token is signed with a key that is not in the JWKS
//   "aud"       - the ID token is issued to another client (aud), correctly signed
//   "replay"    - the ID token of this account's previous login is sent again
//                 (genuine and unexpired, but carrying the old nonce)
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';

import * as jose from 'jose';
import Provider from 'oidc-provider';

const configPath = process.argv[2] || process.env.OIDC_PROVIDER_CONFIG;
if (!configPath) {
  console.error('usage: node provider.js <config.json>');
  process.exit(2);
}
const readConfig = () => JSON.parse(readFileSync(configPath, 'utf8'));
const initial = readConfig();
const accounts = () => readConfig().accounts || [];
const accountBySub = (sub) => accounts().find((a) => a.sub === sub);

const { privateKey } = await jose.generateKeyPair('RS256', { extractable: true });
const jwk = { ...(await jose.exportJWK(privateKey)), kid: 'test-key-1', alg: 'RS256', use: 'sig' };
// The "wrong_key" fault signs with this one, under the same kid.
const { privateKey: strangerKey } = await jose.generateKeyPair('RS256');

const provider = new Provider(initial.issuer, {
  clients: initial.clients.map((c) => ({
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_post',
    ...c,
  })),
  jwks: { keys: [jwk] },
  findAccount: async (ctx, sub) => {
    const account = accountBySub(sub);
    if (!account) return undefined;
    return {
      accountId: sub,
      claims: async () => ({
        sub,
        name: account.name,
        given_name: account.given_name,
        family_name: account.family_name,
        email: account.email,
        email_verified: true,
        groups: account.groups || [],
      }),
    };
  },
  // amr, acr and auth_time in every ID token, as Entra ID sends them (oidc-provider
  // would otherwise release them only when the client asks for them by name).
  claims: {
    sid: null,
    iss: null,
    openid: ['sub', 'amr', 'acr', 'auth_time'],
    email: ['email', 'email_verified'],
    profile: ['name', 'given_name', 'family_name'],
    groups: ['groups'],
  },
  scopes: ['openid', 'email', 'profile', 'groups'],
  // Entra ID and ADFS put the requested claims in the ID token; so does this provider.
  conformIdTokenClaims: false,
  features: {
    devInteractions: { enabled: false },
    rpInitiatedLogout: { enabled: true },
  },
  pkce: { required: () => true },
  ttl: { IdToken: 300, AccessToken: 300, AuthorizationCode: 60, Interaction: 600, Session: 3600, Grant: 3600 },
  // A first-party client: no consent screen, the requested scopes are granted.
  loadExistingGrant: async (ctx) => {
    const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) {
      const existing = await ctx.oidc.provider.Grant.find(grantId);
      if (existing) return existing;
    }
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId,
      accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope('openid email profile groups');
    await grant.save();
    return grant;
  },
  renderError: async (ctx, out) => {
    ctx.type = 'html';
    ctx.body = `<!doctype html><title>Provider error</title><h1>Provider error</h1><pre>${escape(JSON.stringify(out))}</pre>`;
  },
});
provider.proxy = false;

function escape(s) {
  return String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

async function formBody(req) {
  let data = '';
  for await (const chunk of req) data += chunk;
  return Object.fromEntries(new URLSearchParams(data));
}

function loginPage(uid, clientId, error) {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Test OpenID Provider - sign in</title></head>
<body>
<h1>Test OpenID Provider</h1>
<p>Sign in to continue to ${escape(clientId)}.</p>
${error ? `<p role="alert">${escape(error)}</p>` : ''}
<form method="post" action="/interaction/${escape(uid)}/login">
  <label for="login">Username</label> <input id="login" name="login" autocomplete="username" autofocus>
  <label for="password">Password</label> <input id="password" name="password" type="password">
  <button type="submit">Sign in</button>
</form>
</body></html>`;
}

// The provider's own login page (the interaction), with the accounts of the file.
provider.use(async (ctx, next) => {
  const m = ctx.path.match(/^\/interaction\/([^/]+)(\/login)?$/);
  if (!m) return next();
  const details = await provider.interactionDetails(ctx.req, ctx.res);
  if (ctx.method === 'GET' && !m[2]) {
    ctx.type = 'html';
    ctx.body = loginPage(details.uid, details.params.client_id);
    return undefined;
  }
  if (ctx.method === 'POST' && m[2]) {
    const form = await formBody(ctx.req);
    const account = accounts().find((a) => a.login === form.login && a.password === form.password);
    if (!account) {
      ctx.type = 'html';
      ctx.status = 200;
      ctx.body = loginPage(details.uid, details.params.client_id, 'Wrong username or password.');
      return undefined;
    }
    const login = { accountId: account.sub, amr: account.amr || ['pwd'] };
    if (account.acr) login.acr = account.acr;
    await provider.interactionFinished(ctx.req, ctx.res, { login }, { mergeWithLastSubmission: false });
    return undefined;
  }
  ctx.status = 405;
  return undefined;
});

// Faults: rewrite the token endpoint's ID token as a broken provider would.
const previousIdToken = new Map();
provider.use(async (ctx, next) => {
  await next();
  if (ctx.path !== '/token' || !ctx.body || !ctx.body.id_token) return;
  const claims = jose.decodeJwt(ctx.body.id_token);
  const account = accountBySub(claims.sub);
  const fault = account && account.fault;
  const resign = (payload, key = privateKey) =>
    new jose.SignJWT(payload).setProtectedHeader({ alg: 'RS256', kid: jwk.kid, typ: 'JWT' }).sign(key);
  const now = Math.floor(Date.now() / 1000);
  const genuine = ctx.body.id_token;
  if (fault === 'expired') {
    ctx.body = { ...ctx.body, id_token: await resign({ ...claims, iat: now - 3600, exp: now - 600 }) };
  } else if (fault === 'wrong_key') {
    ctx.body = { ...ctx.body, id_token: await resign(claims, strangerKey) };
  } else if (fault === 'aud') {
    ctx.body = { ...ctx.body, id_token: await resign({ ...claims, aud: 'another-client' }) };
  } else if (fault === 'replay' && previousIdToken.has(claims.sub)) {
    ctx.body = { ...ctx.body, id_token: previousIdToken.get(claims.sub) };
  }
  previousIdToken.set(claims.sub, genuine);
});

const port = Number(initial.port || new URL(initial.issuer).port);
const host = initial.host || '127.0.0.1';
createServer(provider.callback()).listen(port, host, () => {
  console.log(`oidc-provider listening on ${initial.issuer}`);
});
