import type { LoginView } from './login-state.js';

/** The login page's HTML. Everything interpolated goes through escapeHtml; the script uses textContent only. */

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for an HTML element or a double- or single-quoted attribute. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

/**
 * The Content-Security-Policy for a page: nothing from anywhere but the inline style and script
 * carrying this response's nonce, images only as data: URLs (the QR code), fetch only to us.
 */
export function contentSecurityPolicy(nonce: string): string {
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src 'nonce-${nonce}'`,
    'img-src data:',
    "connect-src 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
  ].join('; ');
}

const STYLE = `
  body { font: 16px/1.5 system-ui, sans-serif; max-width: 34rem; margin: 2rem auto; padding: 0 1rem; color: #1b1b1b; }
  [hidden] { display: none !important; }
  h1 { font-size: 1.3rem; }
  #title { font-size: 1.6rem; font-weight: 600; margin: 1rem 0 .25rem; }
  body[data-state="ready"] #title { color: #0a7d32; }
  #qr { display: block; width: 288px; height: 288px; image-rendering: pixelated; border: 1px solid #ddd; }
  #code { font: 600 2rem/1.2 ui-monospace, monospace; letter-spacing: .15em; }
  .error { color: #b00020; }
  .muted { color: #666; font-size: .9rem; }
  input { font: inherit; padding: .3rem; width: 100%; box-sizing: border-box; }
  button { font: inherit; margin-top: .5rem; padding: .3rem 1rem; }
`;

/** Polls /login/state every 2 s and copies it into the page; a 401 (cookie gone) reloads to the form. */
const SCRIPT = `
(() => {
  const $ = (id) => document.getElementById(id);
  const show = (v) => {
    document.body.dataset.state = v.state;
    $('title').textContent = v.title;
    $('detail').textContent = v.detail;
    const img = $('qr');
    if (v.qr) {
      if (img.getAttribute('src') !== v.qr) img.setAttribute('src', v.qr);
      img.hidden = false;
    } else {
      img.hidden = true;
      img.removeAttribute('src');
    }
    $('code').textContent = v.code || '';
    $('code').hidden = !v.code;
    $('help').hidden = v.state !== 'waiting-for-login';
    $('since').textContent = 'since ' + new Date(v.since).toLocaleTimeString();
  };
  const poll = async () => {
    try {
      const res = await fetch('/login/state', { cache: 'no-store', credentials: 'same-origin' });
      if (res.status === 401) return location.reload();
      if (!res.ok) throw new Error('HTTP ' + res.status);
      show(await res.json());
      $('error').hidden = true;
    } catch (err) {
      $('error').textContent = 'Newsdesk does not answer (' + err.message + '); trying again…';
      $('error').hidden = false;
    }
    setTimeout(poll, 2000);
  };
  setTimeout(poll, 2000);
})();
`;

function layout(nonce: string, title: string, body: string, state = ''): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${escapeHtml(title)}</title>
<style nonce="${escapeHtml(nonce)}">${STYLE}</style>
</head>
<body data-state="${escapeHtml(state)}">
${body}
</body>
</html>
`;
}

/** The page that asks for the token (a POST, so the token does not land in the address bar or history). */
export function tokenFormPage(nonce: string, error?: string): string {
  return layout(
    nonce,
    'Newsdesk login',
    `<h1>Newsdesk: WhatsApp login</h1>
<p>Enter the API token (the value of <code>NEWSDESK_API_TOKEN</code>) to see the login code.</p>
${error ? `<p class="error" id="form-error">${escapeHtml(error)}</p>` : ''}
<form method="post" action="/login">
  <label for="token">Token</label>
  <input id="token" name="token" type="password" autocomplete="current-password" required autofocus>
  <button type="submit">Open</button>
</form>`,
  );
}

/** The page that shows the current QR code or pairing code and, once linked, "connected". */
export function loginPage(nonce: string, view: LoginView): string {
  const waiting = view.state === 'waiting-for-login';
  return layout(
    nonce,
    'Newsdesk login',
    `<h1>Newsdesk: WhatsApp login</h1>
<p id="title">${escapeHtml(view.title)}</p>
<p id="detail">${escapeHtml(view.detail)}</p>
<img id="qr" alt="WhatsApp login QR code" width="288" height="288"${view.qr ? ` src="${escapeHtml(view.qr)}"` : ' hidden'}>
<p id="code"${view.code ? '' : ' hidden'}>${escapeHtml(view.code ?? '')}</p>
<p id="help" class="muted"${waiting ? '' : ' hidden'}>On the phone: WhatsApp → Settings → Linked devices → Link a device. The code changes every few seconds; this page follows it.</p>
<p id="since" class="muted">since ${escapeHtml(view.since)}</p>
<p id="error" class="error" hidden></p>
<script nonce="${escapeHtml(nonce)}">${SCRIPT}</script>`,
    view.state,
  );
}

/** Shown at /login when no token is configured. */
export function loginOffPage(nonce: string, message: string): string {
  return layout(nonce, 'Newsdesk login is off', `<h1>Newsdesk: login page is off</h1>\n<p>${escapeHtml(message)}</p>`);
}
