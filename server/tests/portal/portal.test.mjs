// The demo portal in a real browser: headless Chromium (Debian's, driven by playwright-core)
// opens /demo, reads the QR payload from the page, the kazashi CLI plays the phone with the
// virtual card, and the page shows "logged in". A second tab on the same challenge never does,
// and the replays are rejected. Run by scripts/test-portal.sh, which starts the server and
// passes:
//
//   KAZASHI_SERVER_URL   the running `kazashi-server --demo-portal --rp-id localhost …`
//   KAZASHI_SHORT_TTL_URL  another, with --challenge-ttl 2
//   KAZASHI_BIN          the kazashi CLI
//   CHROMIUM_PATH        the browser (Debian's chromium)
//   PLAYWRIGHT_MODULES   the node_modules holding playwright-core
//   ARTIFACTS_DIR        where the screenshots go
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { X509Certificate, verify as verifySignature } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

function required(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run scripts/test-portal.sh`);
  return value;
}

const SERVER = required('KAZASHI_SERVER_URL');
const SHORT_TTL_SERVER = required('KAZASHI_SHORT_TTL_URL');
const KAZASHI = required('KAZASHI_BIN');
const ARTIFACTS = required('ARTIFACTS_DIR');
const { chromium } = createRequire(join(required('PLAYWRIGHT_MODULES'), 'x.js'))('playwright-core');
const WORK = mkdtempSync(join(tmpdir(), 'kazashi-portal-'));
mkdirSync(ARTIFACTS, { recursive: true });

let browser;
let context;
let page; // the tab that started the log-in
const seen = {}; // what the first tests learnt, for the later ones

before(async () => {
  browser = await chromium.launch({
    executablePath: required('CHROMIUM_PATH'),
    headless: true,
    args: ['--no-sandbox'],
  });
  context = await browser.newContext({ viewport: { width: 900, height: 1100 } });
});

after(async () => {
  await browser?.close();
});

const statusOf = async (p) => (await p.locator('#status').textContent()).trim();
const shot = (p, name) => p.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });

/** The phone: `kazashi login --virtual --qr-payload TEXT`, PIN on standard input. */
function phone(payload, messageOut) {
  const run = spawnSync(
    KAZASHI,
    ['--virtual', '--pin-stdin', '--json', 'login', '--qr-payload', payload, '--message-out', messageOut],
    { input: '1234\n', encoding: 'utf8', timeout: 120_000 },
  );
  let json;
  try {
    json = JSON.parse(run.stdout);
  } catch {
    throw new Error(`kazashi printed no JSON (exit ${run.status}): ${run.stdout}\n${run.stderr}`);
  }
  return { code: run.status, json, stderr: run.stderr };
}

/** OpenSSL (through Node's crypto) on a v2 log-in message, over the bytes the README documents. */
function signatureVerifies(message) {
  const rp = Buffer.from(message.relying_party, 'utf8');
  const challenge = Buffer.from(message.challenge, 'base64');
  const length = (b) => { const l = Buffer.alloc(2); l.writeUInt16BE(b.length); return l; };
  const time = (t) => { const b = Buffer.alloc(8); b.writeBigInt64BE(BigInt(t)); return b; };
  const signed = Buffer.concat([
    Buffer.from('kazashi JPKI log-in v2\0', 'latin1'),
    length(rp), rp, length(challenge), challenge,
    time(message.issued_at), time(message.expires_at),
  ]);
  const certificate = new X509Certificate(Buffer.from(message.certificate, 'base64'));
  return verifySignature('sha256', signed, certificate.publicKey, Buffer.from(message.signature, 'base64'));
}

async function resultAs(challengeId, token) {
  const headers = token === undefined ? {} : { Authorization: `Bearer ${token}` };
  const response = await fetch(`${SERVER}/v1/login/challenges/${challengeId}/result`, { headers });
  return { status: response.status, body: await response.json().catch(() => ({})) };
}

test('the page shows a QR code of a fresh challenge and keeps the poll token to itself', async () => {
  page = await context.newPage();
  const issued = page.waitForResponse(
    (r) => r.url().endsWith('/v1/login/challenges') && r.request().method() === 'POST',
  );
  await page.goto(`${SERVER}/demo`);
  const answer = await (await issued).json();
  await page.locator('#status', { hasText: 'waiting for the phone' }).waitFor({ timeout: 15_000 });
  const payload = (await page.locator('#qr-payload').textContent()).trim();
  assert.equal(payload, answer.qr_payload);
  const parsed = JSON.parse(payload);
  assert.equal(parsed.kazashi_login, 1);
  assert.equal(parsed.server, SERVER);
  assert.equal(parsed.request.relying_party, 'localhost');
  assert.equal(await page.locator('#relying-party').textContent(), 'localhost');

  // The QR code on the screen carries exactly the payload: zbarimg (ZBar) reads the picture.
  const qrPng = join(ARTIFACTS, 'qr-code.png');
  await page.locator('#qr').screenshot({ path: qrPng });
  const decoded = execFileSync('zbarimg', ['--raw', '-q', qrPng], { encoding: 'utf8' }).trim();
  assert.equal(decoded, payload);

  // The poll token is in the page's script only: not in the QR code, the page, the address,
  // storage or cookies.
  const token = answer.poll_token;
  assert.ok(token.length >= 32);
  assert.ok(!payload.includes(token));
  assert.ok(!(await page.content()).includes(token));
  assert.ok(!page.url().includes(token));
  assert.equal(await page.evaluate(() => localStorage.length + sessionStorage.length), 0);
  assert.deepEqual(await context.cookies(), []);

  seen.payload = payload;
  seen.token = token;
  seen.challengeId = await page.evaluate(() => document.body.dataset.challenge);
  assert.match(seen.challengeId, /^[A-Za-z0-9_-]{43}$/);
  const pending = await resultAs(seen.challengeId, token);
  assert.deepEqual([pending.status, pending.body.state], [200, 'pending']);
  await shot(page, '1-waiting-for-the-phone');
});

test('a second tab on the same challenge learns nothing before the log-in', async () => {
  const second = await context.newPage();
  await second.goto(`${SERVER}/demo?challenge=${seen.challengeId}`);
  await second.locator('#status', { hasText: 'not allowed' }).waitFor({ timeout: 15_000 });
  assert.equal(await second.locator('#qr-payload').textContent(), '');
  await shot(second, '2-second-tab-before');
  seen.second = second;
});

test('the phone (kazashi CLI, virtual card) logs in and the page shows the verified result', async () => {
  const messageOut = join(WORK, 'message.json');
  const run = phone(seen.payload, messageOut);
  assert.equal(run.code, 0, `${JSON.stringify(run.json)}\n${run.stderr}`);
  assert.equal(run.json.verdict.verdict, 'logged_in');
  assert.match(run.stderr, /Log in to localhost/);
  const message = JSON.parse(readFileSync(messageOut, 'utf8'));
  assert.ok(signatureVerifies(message), 'OpenSSL rejects the log-in signature');
  seen.message = readFileSync(messageOut, 'utf8');

  await page.locator('#status', { hasText: 'logged in' }).waitFor({ timeout: 15_000 });
  assert.equal(await page.evaluate(() => document.body.dataset.state), 'logged_in');
  assert.equal(await page.locator('#subject-id').textContent(), run.json.verdict.subject_id);
  assert.equal(await page.locator('#token-type').textContent(), run.json.verdict.token_type);
  const expiry = run.json.verdict.certificate_expires_at;
  assert.equal(
    await page.locator('#certificate-expires-at').textContent(),
    `${new Date(expiry * 1000).toISOString()} (Unix time ${expiry})`,
  );
  assert.ok(await page.locator('#result').isVisible());
  await shot(page, '3-logged-in');
});

test('a second tab reusing the challenge never shows "logged in"; replays are rejected', async () => {
  const { second } = seen;
  await second.reload();
  await second.locator('#status', { hasText: 'not allowed' }).waitFor({ timeout: 15_000 });
  assert.notEqual(await statusOf(second), 'logged in');
  assert.notEqual(await second.evaluate(() => document.body.dataset.state), 'logged_in');
  assert.ok(!(await second.locator('#result').isVisible()));
  await shot(second, '4-second-tab-after-log-in');

  // The server tells only the poll token's holder.
  assert.equal((await resultAs(seen.challengeId)).status, 403);
  assert.equal((await resultAs(seen.challengeId, 'A'.repeat(43))).status, 403);
  const mine = await resultAs(seen.challengeId, seen.token);
  assert.deepEqual([mine.status, mine.body.state], [200, 'logged_in']);

  // A tab with its own fresh challenge is still waiting: the log-in was not its.
  const other = await context.newPage();
  await other.goto(`${SERVER}/demo`);
  await other.locator('#status', { hasText: 'waiting for the phone' }).waitFor({ timeout: 15_000 });
  assert.notEqual(await other.evaluate(() => document.body.dataset.challenge), seen.challengeId);
  await new Promise((r) => setTimeout(r, 2_500)); // two polls
  assert.equal(await statusOf(other), 'waiting for the phone');
  await shot(other, '5-another-tab-own-challenge');

  // The phone scanning the same code again: the challenge is spent.
  const again = phone(seen.payload, join(WORK, 'again.json'));
  assert.equal(again.code, 9, JSON.stringify(again.json));
  assert.equal(again.json.verdict.reason, 'replay');
  // The exact message posted before, posted again.
  const replay = await fetch(`${SERVER}/v1/login/verify`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: seen.message,
  });
  assert.equal(replay.status, 422);
  assert.equal((await replay.json()).reason, 'replay');
  // And the page that started it still says logged in, once.
  assert.equal(await statusOf(page), 'logged in');
});

test('a code not used in time: the page says expired and the late phone is rejected', async () => {
  const late = await context.newPage();
  await late.goto(`${SHORT_TTL_SERVER}/demo`);
  await late.locator('#status', { hasText: 'waiting for the phone' }).waitFor({ timeout: 15_000 });
  const payload = (await late.locator('#qr-payload').textContent()).trim();
  await late.locator('#status', { hasText: 'expired' }).waitFor({ timeout: 15_000 });
  assert.ok(await late.locator('#again').isVisible());
  await shot(late, '6-expired');
  const run = phone(payload, join(WORK, 'late.json'));
  assert.equal(run.code, 9, JSON.stringify(run.json));
  assert.equal(run.json.verdict.reason, 'expired');
  assert.equal(await statusOf(late), 'expired');
});

test('the page is served with a strict content security policy and is not framable', async () => {
  const response = await fetch(`${SERVER}/demo`);
  assert.equal(response.status, 200);
  const csp = response.headers.get('content-security-policy');
  assert.match(csp, /script-src 'self'/);
  assert.match(csp, /frame-ancestors 'none'/);
  assert.equal(response.headers.get('x-frame-options'), 'DENY');
  // The QR drawing endpoint draws JSON payloads only.
  const refused = await fetch(`${SERVER}/demo/qr.svg`, { method: 'POST', body: 'hello' });
  assert.equal(refused.status, 400);
});
