// Sign-in for the AWS deployment, where the API wants a JWT (API Gateway's JWT authorizer). config.json, deployed
// beside this page, names the issuer and the client: the page then signs in with the OAuth 2.0 authorization code flow
// and PKCE (RFC 7636; endpoints from the issuer's OpenID discovery document unless given) and sends the ID token as a
// bearer token. Locally there is no config.json and no sign-in.
const KEY = 'evpn-lens.auth';
const store = sessionStorage;

const b64url = (bytes) =>
  btoa(String.fromCharCode(...new Uint8Array(bytes)))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
const random = () => b64url(crypto.getRandomValues(new Uint8Array(32)));
const sha256 = async (text) => b64url(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)));
const here = () => `${location.origin}${location.pathname}`;

async function settings() {
  const res = await fetch('config.json').catch(() => undefined);
  const signIn = res?.ok ? (await res.json().catch(() => ({}))).signIn : undefined;
  if (!signIn?.issuer || !signIn.clientId) return undefined;
  if (signIn.authorizeUrl && signIn.tokenUrl) return signIn;
  const d = await (await fetch(`${signIn.issuer.replace(/\/$/, '')}/.well-known/openid-configuration`)).json();
  return { ...signIn, authorizeUrl: d.authorization_endpoint, tokenUrl: d.token_endpoint, logoutUrl: signIn.logoutUrl ?? d.end_session_endpoint };
}

function saved() {
  const t = JSON.parse(store.getItem(KEY) ?? 'null');
  return t && t.expiresAt > Date.now() + 30_000 ? t : undefined;
}

async function redirectToSignIn(s) {
  const verifier = random();
  const state = random();
  store.setItem(`${KEY}.pending`, JSON.stringify({ verifier, state, hash: location.hash }));
  const q = new URLSearchParams({
    response_type: 'code',
    client_id: s.clientId,
    redirect_uri: here(),
    scope: 'openid email',
    state,
    code_challenge: await sha256(verifier),
    code_challenge_method: 'S256',
  });
  location.assign(`${s.authorizeUrl}?${q}`);
  return new Promise(() => undefined); // the page is leaving
}

async function finishSignIn(s, params) {
  const pending = JSON.parse(store.getItem(`${KEY}.pending`) ?? 'null');
  store.removeItem(`${KEY}.pending`);
  if (!pending || pending.state !== params.get('state')) throw new Error('sign-in: the answer does not match the request (state)');
  const res = await fetch(s.tokenUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code: params.get('code'),
      redirect_uri: here(),
      client_id: s.clientId,
      code_verifier: pending.verifier,
    }),
  });
  const body = await res.json();
  if (!res.ok || !body.id_token) throw new Error(`sign-in: the token endpoint said ${body.error ?? res.status}`);
  const token = { idToken: body.id_token, expiresAt: Date.now() + (body.expires_in ?? 3600) * 1000 };
  store.setItem(KEY, JSON.stringify(token));
  history.replaceState(null, '', `${here()}${pending.hash ?? ''}`);
  return token;
}

let ready;
/** Headers for an API request: `Authorization: Bearer <ID token>` once signed in (signing in first if needed), or none. */
export function authHeaders() {
  ready ??= (async () => {
    const s = await settings();
    if (!s) return undefined;
    const params = new URLSearchParams(location.search);
    if (params.has('code')) return { s, token: await finishSignIn(s, params) };
    return { s, token: saved() ?? (await redirectToSignIn(s)) };
  })();
  return ready.then((r) => (r ? { authorization: `Bearer ${r.token.idToken}` } : {}));
}

/** The API refused the token (expired, revoked): forget it and sign in again. */
export function signInAgain() {
  store.removeItem(KEY);
  ready = undefined;
  return authHeaders();
}
