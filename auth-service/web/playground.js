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

  async function apiRequest(label, method, payload) {
    if (!accessToken) { showError(label, new Error('get a token first')); return; }
    try {
      const headers = { Authorization: 'Bearer ' + accessToken };
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
  $('call-posts').addEventListener('click', () => apiRequest('GET /api/posts', 'GET'));
  $('create').addEventListener('submit', (event) => {
    event.preventDefault();
    apiRequest('POST /api/posts', 'POST', { title: $('post-title').value, body: $('post-body').value });
  });
}());
