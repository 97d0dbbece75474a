// OpenID Connect provider of the oidc sign-in browser tests: panva's oidc-provider (an
// OpenID certified implementation), configured for one confidential client, the app.
//
// Environment:
//   OIDC_PORT                  loopback port to listen on; the issuer is http://127.0.0.1:PORT
//   OIDC_CLIENT_ID             the app's client id
//   OIDC_CLIENT_SECRET         the app's client secret
//   OIDC_REDIRECT_URI          the app's callback (Streamlit: http://127.0.0.1:APPPORT/oauth2callback)
//   OIDC_POST_LOGOUT_REDIRECT_URI  where the provider sends the browser after sign-out
//   OIDC_ACCOUNTS              JSON file: { "<login>": { "email": ..., "email_verified": ...,
//                              "name": ..., "sppe_role": ..., "sppe_pole": ... }, ... }
//
// Sign-in uses the provider's development login form (devInteractions): the login picks
// the account of OIDC_ACCOUNTS, any password is accepted. Prints "ready <issuer>" once
// listening.

import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';

import Provider, { interactionPolicy } from 'oidc-provider';

function required(name) {
  const value = process.env[name];
  if (!value) {
    console.error(`missing environment variable ${name}`);
    process.exit(2);
  }
  return value;
}

const port = Number(required('OIDC_PORT'));
const issuer = `http://127.0.0.1:${port}`;
const accounts = JSON.parse(readFileSync(required('OIDC_ACCOUNTS'), 'utf8'));

// A fresh signing key per run (the package's development keys are public).
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const signingKey = { ...privateKey.export({ format: 'jwk' }), kid: 'test-run', use: 'sig', alg: 'RS256' };

// Streamlit's st.login asks for prompt=select_account. The provider only accepts prompt
// values of its interaction policy: register it, resolved by the login form itself (one
// account per browser session here), so it never asks for an interaction of its own.
const policy = interactionPolicy.base();
const selectAccount = new interactionPolicy.Prompt({ name: 'select_account', requestable: true });
selectAccount.checks.clear();
policy.add(selectAccount);

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: required('OIDC_CLIENT_ID'),
      client_secret: required('OIDC_CLIENT_SECRET'),
      redirect_uris: [required('OIDC_REDIRECT_URI')],
      post_logout_redirect_uris: [required('OIDC_POST_LOGOUT_REDIRECT_URI')],
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
    },
  ],
  jwks: { keys: [signingKey] },
  cookies: { keys: [randomBytes(32).toString('hex')] },
  // Custom claims travel with the profile scope, which Streamlit asks for.
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name', 'sppe_role', 'sppe_pole'],
  },
  // Streamlit reads the user from the ID token only (not from the userinfo endpoint):
  // the ID token carries every claim of the granted scopes.
  conformIdTokenClaims: false,
  features: {
    devInteractions: { enabled: true },
    rpInitiatedLogout: { enabled: true },
  },
  interactions: { policy },
  async findAccount(ctx, id) {
    if (!Object.hasOwn(accounts, id)) {
      return undefined;
    }
    return {
      accountId: id,
      async claims() {
        return { sub: id, ...accounts[id] };
      },
    };
  },
  // First-party client: no consent screen, the requested scopes are granted at sign-in.
  async loadExistingGrant(ctx) {
    const grantId = ctx.oidc.result?.consent?.grantId
      || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) {
      return ctx.oidc.provider.Grant.find(grantId);
    }
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId,
      accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope('openid email profile');
    await grant.save();
    return grant;
  },
});

const server = provider.listen(port, '127.0.0.1', () => {
  console.log(`ready ${issuer}`);
});

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => server.close(() => process.exit(0)));
}
