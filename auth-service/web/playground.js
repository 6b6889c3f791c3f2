// The token playground: plain fetch, no external code (a strict Content-Security-Policy applies).
'use strict';
(function () {
  const $ = (id) => document.getElementById(id);
  const apiBase = (document.querySelector('meta[name="api-base"]').content || '').replace(/\/$/, '');
  let accessToken = null;
  $('api-base').textContent = (apiBase || window.location.origin) + '/api/posts';

  function show(label, response, body) {
    const status = $('status');
    status.textContent = label + ': HTTP ' + response.status;
    status.className = 'status ' + (response.ok ? 'ok' : 'err');
    $('output').textContent = typeof body === 'string' ? body : JSON.stringify(body, null, 2);
  }

  function showError(label, error) {
    const status = $('status');
    status.textContent = label + ': ' + error.message;
    status.className = 'status err';
    $('output').textContent = '';
  }

  async function readBody(response) {
    const text = await response.text();
    try { return JSON.parse(text); } catch (_) { return text; }
  }

  function setToken(body) {
    accessToken = body && body.access_token ? body.access_token : null;
    $('token-state').textContent = accessToken
      ? 'present (scope: ' + (body.scope || '') + ', expires in ' + body.expires_in + ' s)'
      : 'none';
  }

  // The access token is kept in memory only: nothing is written to localStorage.
  async function tokenRequest(label, path, payload) {
    try {
      const response = await fetch(path, {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(payload || {}),
      });
      const body = await readBody(response);
      if (response.ok) setToken(body);
      else if (path === '/api/oauth/refresh') setToken(null);
      const shown = Object.assign({}, body);
      if (shown.access_token) shown.access_token = shown.access_token.slice(0, 24) + '…';
      show(label, response, shown);
    } catch (error) {
      showError(label, error);
    }
  }

  // Posts are rendered with textContent only: their titles are user input.
  function showPosts(body) {
    const list = $('posts');
    list.replaceChildren();
    const posts = body && Array.isArray(body.data) ? body.data : [];
    $('posts-empty').textContent = posts.length ? '' : 'No posts yet.';
    for (const post of posts) {
      const item = document.createElement('li');
      const title = document.createElement('div');
      title.className = 'title';
      title.textContent = post.title;
      const meta = document.createElement('div');
      meta.className = 'meta';
      meta.textContent = '#' + post.id + ' by ' + (post.author && post.author.sub) + ' at ' + post.created_at;
      item.append(title, meta);
      list.append(item);
    }
  }

  // `token`: the bearer to send (each panel keeps its own).
  async function apiRequest(label, method, payload, token) {
    if (!token) { showError(label, new Error('get a token first')); return; }
    try {
      const headers = { Authorization: 'Bearer ' + token };
      if (payload) headers['Content-Type'] = 'application/json';
      const response = await fetch(apiBase + '/api/posts', {
        method, headers, body: payload ? JSON.stringify(payload) : undefined,
      });
      const body = await readBody(response);
      if (response.ok && method === 'GET') showPosts(body);
      show(label, response, body);
    } catch (error) {
      showError(label, error);
    }
  }

  async function logout() {
    try {
      const response = await fetch('/api/oauth/logout', {
        method: 'POST', credentials: 'same-origin', headers: { 'Content-Type': 'application/json' }, body: '{}',
      });
      setToken(null);
      show('Log out', response, response.status === 204 ? 'The refresh cookie is cleared.' : await readBody(response));
    } catch (error) {
      showError('Log out', error);
    }
  }

  $('login').addEventListener('submit', (event) => {
    event.preventDefault();
    const scopes = Array.from(document.querySelectorAll('input[name=scope]:checked')).map((e) => e.value);
    tokenRequest('Get token', '/api/oauth/password/token', {
      username: $('email').value, password: $('password').value, scope: scopes.join(' '),
    });
  });
  $('refresh').addEventListener('click', () => tokenRequest('Refresh', '/api/oauth/refresh', {}));
  $('logout').addEventListener('click', logout);
  $('call-posts').addEventListener('click', () => apiRequest('GET /api/posts', 'GET', null, accessToken));
  $('create').addEventListener('submit', (event) => {
    event.preventDefault();
    apiRequest('POST /api/posts', 'POST', { title: $('post-title').value, body: $('post-body').value }, accessToken);
  });

  // ---- Authorization code + PKCE: the playground as a public client ------------------------
  // RFC 6749 §4.1 with PKCE (RFC 7636, S256 only) and the iss check of RFC 9207. The verifier
  // and the state wait in sessionStorage (this tab only) from Start to the callback, which
  // removes them at once; the tokens are kept in memory only, never in storage.
  const meta = (name) => document.querySelector('meta[name="' + name + '"]');
  const clientMeta = meta('playground-client');
  const flow = {
    clientId: clientMeta ? clientMeta.content : '',
    clientState: clientMeta ? clientMeta.dataset.state : 'missing',
    issuer: meta('issuer').content,
    redirectUri: meta('playground-redirect-uri').content,
    scope: 'read-posts write-posts',
    pending: null,       // { code, verifier } between the callback and the exchange
    accessToken: null,
    refreshToken: null,
  };
  const pendingKey = 'playground.authorization-request';
  const buttons = { start: $('code-start'), exchange: $('code-exchange'), call: $('code-call-posts'), refresh: $('code-refresh') };

  function note(text, kind) {
    const el = $('code-note');
    el.className = 'note' + (kind ? ' ' + kind : '');
    el.replaceChildren();
    for (const part of [].concat(text)) el.append(part);
  }

  function startProblem() {
    if (flow.clientState === 'unavailable') return 'The playground client could not be looked up (the database did not answer): reload in a moment.';
    if (flow.clientState !== 'ready' || !flow.clientId) {
      return ['No playground client yet: run ', Object.assign(document.createElement('code'), { textContent: 'authctl install' }),
        ' (it creates the public client with the redirect URI ' + flow.redirectUri + '), then reload this page.'];
    }
    let origin = null;
    try { origin = new URL(flow.redirectUri).origin; } catch (_) { /* shown below */ }
    if (origin !== window.location.origin) {
      const link = Object.assign(document.createElement('a'), { href: (origin || '') + '/playground', textContent: (origin || '') + '/playground' });
      return ['The authorization server sends the code back to ' + flow.redirectUri + ': open ', link,
        ' (the origin of AUTH_ISSUER) to use this panel.'];
    }
    if (!window.crypto || !window.crypto.subtle) return 'PKCE needs crypto.subtle: open the playground over https (or on localhost).';
    return null;
  }

  // Every button usable exactly when its step can run; the next step is the highlighted one.
  function updateButtons() {
    buttons.start.disabled = startProblem() !== null;
    buttons.exchange.disabled = !flow.pending;
    buttons.call.disabled = !flow.accessToken;
    buttons.refresh.disabled = !flow.refreshToken;
    const next = flow.pending ? buttons.exchange : flow.accessToken ? buttons.call : buttons.start;
    for (const b of Object.values(buttons)) b.classList.toggle('primary', b === next && !b.disabled);
    $('code-token-state').textContent = flow.accessToken
      ? 'present (scope: ' + flow.scopeGranted + ', expires in ' + flow.expiresIn + ' s' + (flow.refreshToken ? ', with a refresh token' : '') + ')'
      : 'none';
  }

  function base64url(bytes) {
    let text = '';
    for (const b of bytes) text += String.fromCharCode(b);
    return btoa(text).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  }
  const randomToken = (length) => base64url(crypto.getRandomValues(new Uint8Array(length)));
  async function s256(verifier) {
    return base64url(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))));
  }
  const shorten = (value) => (typeof value === 'string' && value.length > 24 ? value.slice(0, 24) + '…' : value);

  async function start() {
    try {
      // RFC 7636 §4.1: 32 random bytes give a 43-character verifier.
      const verifier = randomToken(32);
      const state = randomToken(16);
      const challenge = await s256(verifier);
      sessionStorage.setItem(pendingKey, JSON.stringify({ state, verifier, clientId: flow.clientId, redirectUri: flow.redirectUri }));
      const query = new URLSearchParams({
        response_type: 'code', client_id: flow.clientId, redirect_uri: flow.redirectUri, scope: flow.scope, state,
        code_challenge: challenge, code_challenge_method: 'S256',
      });
      window.location.assign('/oauth/authorize?' + query.toString());
    } catch (error) {
      showError('Start', error);
    }
  }

  function showAuthorizationResponse(text, ok, shown) {
    const status = $('status');
    status.textContent = 'Authorization response: ' + text;
    status.className = 'status ' + (ok ? 'ok' : 'err');
    $('output').textContent = JSON.stringify(shown, null, 2);
  }

  // Back at /playground/callback: the URL is cleaned first (a reload must not replay the
  // code), then the response is believed only with this tab's state and the expected iss.
  function callback() {
    if (window.location.pathname !== '/playground/callback') return;
    const params = new URLSearchParams(window.location.search);
    history.replaceState(null, '', '/playground');
    let request = null;
    try { request = JSON.parse(sessionStorage.getItem(pendingKey)); } catch (_) { /* treated as absent */ }
    sessionStorage.removeItem(pendingKey);
    const shown = {};
    for (const [k, v] of params) shown[k] = k === 'code' ? shorten(v) : v;
    if (!request || !request.state) {
      note('This tab has no authorization request waiting (Start was not pressed here, or its answer was already used): press Start.', 'err');
      showAuthorizationResponse('refused, no request pending', false, shown);
    } else if (params.get('state') !== request.state) {
      // RFC 6749 §10.12: an answer to a request this tab did not make (login CSRF).
      note('Refused: the state does not match the one this tab sent.', 'err');
      showAuthorizationResponse('refused, state mismatch', false, shown);
    } else if (params.get('iss') !== flow.issuer) {
      // RFC 9207 §2.4: the response must come from the server the request went to.
      note('Refused: the iss parameter (' + params.get('iss') + ') is not this server (' + flow.issuer + ').', 'err');
      showAuthorizationResponse('refused, iss mismatch', false, shown);
    } else if (params.has('error')) {
      const description = params.get('error_description');
      note(params.get('error') + (description ? ': ' + description : ''), 'err');
      showAuthorizationResponse(params.get('error'), false, shown);
    } else if (!params.get('code')) {
      note('The authorization response carries neither a code nor an error.', 'err');
      showAuthorizationResponse('no code', false, shown);
    } else {
      flow.pending = { code: params.get('code'), verifier: request.verifier };
      note('Authorization code received (state and iss checked): exchange it within a minute.', 'ok');
      showAuthorizationResponse('code received', true, shown);
    }
    updateButtons();
    if (flow.pending) buttons.exchange.focus();
    else if (!buttons.start.disabled) buttons.start.focus();
  }

  function keepTokens(body) {
    flow.accessToken = body && body.access_token ? body.access_token : null;
    if (body && body.refresh_token) flow.refreshToken = body.refresh_token;
    flow.scopeGranted = body && body.scope ? body.scope : '';
    flow.expiresIn = body ? body.expires_in : 0;
  }

  // POST /oauth/token as a public client: client_id in the form, no secret, no cookie.
  async function tokenEndpoint(label, form) {
    form.client_id = flow.clientId;
    try {
      const response = await fetch('/oauth/token', {
        method: 'POST', credentials: 'omit',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(form).toString(),
      });
      const body = await readBody(response);
      if (response.ok) keepTokens(body);
      else if (form.grant_type === 'refresh_token') { flow.accessToken = null; flow.refreshToken = null; }
      const shown = Object.assign({}, body);
      for (const k of ['access_token', 'refresh_token']) if (shown[k]) shown[k] = shorten(shown[k]);
      show(label, response, shown);
      return response.ok;
    } catch (error) {
      showError(label, error);
      return false;
    } finally {
      updateButtons();
    }
  }

  async function exchange() {
    if (!flow.pending) return;
    const { code, verifier } = flow.pending;
    flow.pending = null;  // a code is good for one try: a second one would revoke its tokens
    const ok = await tokenEndpoint('Exchange code', {
      grant_type: 'authorization_code', code, redirect_uri: flow.redirectUri, code_verifier: verifier,
    });
    note(ok ? 'Tokens received: the access token and the refresh token stay in this page\'s memory.'
      : 'The exchange failed: press Start to try again.', ok ? 'ok' : 'err');
    if (ok) buttons.call.focus();
  }

  async function refreshCodeTokens() {
    if (!flow.refreshToken) return;
    const ok = await tokenEndpoint('Refresh (code flow)', { grant_type: 'refresh_token', refresh_token: flow.refreshToken });
    note(ok ? 'Refreshed: a new access token and a new refresh token (the previous one is spent).'
      : 'The refresh failed and the tokens are dropped: press Start to sign in again.', ok ? 'ok' : 'err');
    if (!ok && !buttons.start.disabled) buttons.start.focus();
  }

  $('code-client-id').textContent = flow.clientState === 'ready' && flow.clientId ? flow.clientId : 'none';
  $('code-redirect-uri').textContent = flow.redirectUri;
  const problem = startProblem();
  if (problem) note(problem, flow.clientState === 'ready' ? 'err' : '');
  buttons.start.addEventListener('click', start);
  buttons.exchange.addEventListener('click', exchange);
  buttons.call.addEventListener('click', () => apiRequest('GET /api/posts (code flow)', 'GET', null, flow.accessToken));
  buttons.refresh.addEventListener('click', refreshCodeTokens);
  updateButtons();
  callback();
}());
