// The demo portal's page logic: ask kazashi-server for a log-in challenge, show its QR code,
// poll for the result with the poll token, show the verified result.
//
// The poll token lives in this closure only: not in the QR code, the page, the URL or any
// storage. Whoever scans the code (or opens /demo?challenge=… in another tab) can post a
// log-in for the challenge, but only this page can learn its result.
'use strict';

(() => {
  const POLL_MS = 1000;
  const $ = (id) => document.getElementById(id);

  /** Shows a state: the #status text, and body[data-state] for styling and tests. */
  function show(state, text, detail = '') {
    document.body.dataset.state = state;
    $('status').textContent = text;
    $('detail').textContent = detail;
  }

  /** Standard base64 (the request's encoding) to unpadded base64url (the URL's). */
  function base64url(standard) {
    return standard.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  }

  async function json(response) {
    try {
      return await response.json();
    } catch {
      return {};
    }
  }

  /** Polls the result of `challenge` until it is decided; `token` may be null (another tab). */
  async function poll(challenge, token) {
    const headers = token ? { Authorization: `Bearer ${token}` } : {};
    for (;;) {
      let response;
      try {
        response = await fetch(`/v1/login/challenges/${challenge}/result`, { headers, cache: 'no-store' });
      } catch (e) {
        show('error', 'server unreachable', String(e));
        return;
      }
      const body = await json(response);
      if (response.status === 403) {
        show('forbidden', 'not allowed', 'this page did not start this log-in, so the server does not tell it the result');
        return;
      }
      if (!response.ok) {
        show('error', 'error', `the server answered HTTP ${response.status} ${body.reason || ''}`.trim());
        return;
      }
      if (body.state === 'logged_in' && token) {
        $('subject-id').textContent = body.subject_id;
        $('token-type').textContent = body.token_type;
        const expiry = Number(body.certificate_expires_at);
        $('certificate-expires-at').textContent = Number.isFinite(expiry)
          ? `${new Date(expiry * 1000).toISOString()} (Unix time ${expiry})`
          : String(body.certificate_expires_at);
        $('result').hidden = false;
        $('scan').hidden = true;
        show('logged_in', 'logged in');
        return;
      }
      if (body.state === 'expired') {
        $('scan').hidden = true; // an expired code is not to be scanned
        show('expired', 'expired', 'the code was not used in time: ask for a new one');
        $('again').hidden = false;
        return;
      }
      if (body.state !== 'pending') {
        show('error', 'error', `unexpected answer from the server: ${JSON.stringify(body.state)}`);
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  }

  /** A fresh challenge: QR code, payload text, then the polling. */
  async function start() {
    show('starting', 'asking the server for a log-in code');
    const response = await fetch('/v1/login/challenges', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{}',
    });
    const issued = await json(response);
    if (response.status !== 201 || !issued.request || !issued.qr_payload || !issued.poll_token) {
      show('error', 'error', `the server did not issue a challenge (HTTP ${response.status} ${issued.reason || ''})`.trim());
      return;
    }
    const token = issued.poll_token; // kept here, and only here
    const challengeId = issued.challenge_id || base64url(issued.request.challenge);
    const svg = await fetch('/demo/qr.svg', {
      method: 'POST',
      headers: { 'Content-Type': 'text/plain' },
      body: issued.qr_payload,
    });
    if (!svg.ok) {
      show('error', 'error', `the QR code could not be drawn (HTTP ${svg.status})`);
      return;
    }
    $('qr').src = URL.createObjectURL(await svg.blob());
    $('qr-payload').textContent = issued.qr_payload;
    $('relying-party').textContent = issued.request.relying_party;
    $('expires-at').textContent = new Date(issued.request.expires_at * 1000).toISOString();
    $('scan').hidden = false;
    show('pending', 'waiting for the phone');
    document.body.dataset.challenge = challengeId;
    await poll(challengeId, token);
  }

  /** Another tab on a challenge it did not start: it can ask, with no token, and learns nothing. */
  async function watch(challenge) {
    if (!/^[A-Za-z0-9_-]{16,128}$/.test(challenge)) {
      show('error', 'error', 'the challenge in the address is not base64url');
      return;
    }
    $('watched-challenge').textContent = challenge;
    $('watch').hidden = false;
    document.body.dataset.challenge = challenge;
    show('pending', 'waiting');
    await poll(challenge, null);
  }

  document.addEventListener('DOMContentLoaded', () => {
    $('again').addEventListener('click', () => window.location.assign('/demo'));
    const watched = new URLSearchParams(window.location.search).get('challenge');
    const run = watched ? watch(watched) : start();
    run.catch((e) => show('error', 'error', String(e)));
  });
})();
