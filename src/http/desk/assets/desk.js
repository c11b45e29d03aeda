/* global document, window, location, fetch, EventSource, DOMParser, FormData, URL, setTimeout, clearTimeout */
// The desk's only script (served by Newsdesk itself; the CSP allows nothing else). It adds two things
// to server-rendered pages that work without it: live updates over server-sent events, and the
// Compose page's preview as the editor types. It writes text with textContent only, never HTML.
'use strict';

(() => {
  const csrf = document.body.dataset.csrf || '';
  const liveState = document.getElementById('live-state');
  const say = (text) => {
    if (liveState) liveState.textContent = text;
  };

  // ---- Live updates: on each change event, fetch this page again and swap in its live regions.
  let refreshing = false;
  let again = false;
  async function refresh() {
    if (refreshing) {
      again = true;
      return;
    }
    refreshing = true;
    try {
      const active = document.activeElement;
      // Never pull a field out from under the editor's hands: try again once they leave it.
      if (active && active.closest('[data-live]') && /^(INPUT|SELECT|TEXTAREA)$/.test(active.tagName)) {
        active.addEventListener('blur', () => refresh(), { once: true });
        return;
      }
      // Marked as a refresh: the server keeps a pending message (flash) for the page the editor goes to next.
      const response = await fetch(location.href, { headers: { accept: 'text/html', 'x-newsdesk-refresh': '1' }, credentials: 'same-origin', cache: 'no-store' });
      if (response.redirected && new URL(response.url).pathname === '/sign-in') {
        location.assign(response.url);
        return;
      }
      if (!response.ok) return;
      const fresh = new DOMParser().parseFromString(await response.text(), 'text/html');
      const focusedId = active && active.id;
      for (const region of document.querySelectorAll('[data-live][id]')) {
        const replacement = fresh.getElementById(region.id);
        if (replacement) region.replaceWith(document.importNode(replacement, true));
      }
      if (focusedId && document.activeElement === document.body) document.getElementById(focusedId)?.focus();
      document.body.dataset.updated = String(Date.now());
    } catch (err) {
      say('Live updates: could not refresh (' + err.message + ')');
    } finally {
      refreshing = false;
      if (again) {
        again = false;
        refresh();
      }
    }
  }

  if (document.body.dataset.liveUpdates === 'on' && 'EventSource' in window) {
    const events = new EventSource('/events');
    // On (re)connecting, fetch once: whatever changed between this page being drawn and the stream
    // opening (or while it was down) is not sent as an event.
    events.addEventListener('hello', () => {
      say('Live');
      refresh();
    });
    events.addEventListener('change', () => refresh());
    events.addEventListener('error', () => {
      say('Live updates paused: reconnecting…');
      // A stream refused because the session ended: let the server send us to sign-in.
      fetch('/events', { method: 'HEAD', credentials: 'same-origin' }).then((r) => {
        if (r.status === 401) location.reload();
      }, () => undefined);
    });
    window.addEventListener('pagehide', () => events.close());
  }

  // ---- Compose: the preview, exactly as the formatter renders it, as the editor types.
  const form = document.getElementById('compose-form');
  if (!form) return;
  const $ = (id) => document.getElementById(id);
  const rendered = $('preview-rendered');
  const exact = $('preview-text');
  const problems = $('preview-problems');
  const duplicate = $('duplicate');

  /** WhatsApp's markup on one line: *bold*, _italic_, ~strike~, ```mono```, as DOM nodes. */
  function markup(line, into) {
    const pattern = /```([^`]+)```|\*([^*\n]+)\*|_([^_\n]+)_|~([^~\n]+)~/g;
    let last = 0;
    for (let m; (m = pattern.exec(line)); ) {
      if (m.index > last) into.append(line.slice(last, m.index));
      const [tag, inner] = m[1] !== undefined ? ['code', m[1]] : m[2] !== undefined ? ['strong', m[2]] : m[3] !== undefined ? ['em', m[3]] : ['s', m[4]];
      const el = document.createElement(tag);
      el.textContent = inner;
      into.append(el);
      last = m.index + m[0].length;
    }
    if (last < line.length) into.append(line.slice(last));
  }

  function show(data) {
    rendered.replaceChildren();
    for (const line of data.text ? data.text.split('\n') : []) {
      const p = document.createElement('p');
      if (line) markup(line, p);
      else p.className = 'gap';
      rendered.append(p);
    }
    if (!data.text) {
      const p = document.createElement('p');
      p.className = 'muted';
      p.textContent = 'Nothing to post yet.';
      rendered.append(p);
    }
    exact.textContent = data.text;
    $('preview-count').textContent = data.text ? `${data.length} of ${data.maxLength} characters` : '';
    $('headline-count').textContent = `${data.headlineLength} of ${data.headlineMax} characters`;
    $('summary-count').textContent = `${data.summaryLength} characters${data.summaryLength > data.summaryMax ? `: the post keeps the first ${data.summaryMax}` : ` (the post keeps up to ${data.summaryMax})`}`;
    problems.replaceChildren(
      ...data.problems.map((text) => {
        const li = document.createElement('li');
        li.textContent = text;
        return li;
      }),
    );
    if (data.duplicate) {
      duplicate.replaceChildren();
      duplicate.append(`This link is already queued as `);
      const a = document.createElement('a');
      a.href = `/queue?q=${encodeURIComponent(data.duplicate.headline)}`;
      a.textContent = `#${data.duplicate.id}`;
      duplicate.append(a, ` (${data.duplicate.status}): ${data.duplicate.headline}`);
      duplicate.hidden = false;
    } else {
      duplicate.hidden = true;
      duplicate.replaceChildren();
    }
  }

  let timer = null;
  let seq = 0;
  async function update() {
    const mine = (seq += 1);
    const fields = new FormData(form);
    const body = {
      headline: fields.get('headline') || '',
      summary: fields.get('summary') || '',
      url: fields.get('url') || '',
      priority: fields.get('priority') || 'normal',
    };
    try {
      const response = await fetch('/compose/preview', {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'content-type': 'application/json', accept: 'application/json', 'x-csrf-token': csrf },
        body: JSON.stringify(body),
      });
      if (mine !== seq) return; // an older answer arriving late
      if (response.status === 303 || response.redirected) return location.reload();
      const data = await response.json();
      if (response.ok) show(data);
      else problems.textContent = data.error || 'The preview failed.';
    } catch (err) {
      problems.textContent = 'The preview failed: ' + err.message;
    }
  }
  form.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(update, 120);
  });
  update();
})();
