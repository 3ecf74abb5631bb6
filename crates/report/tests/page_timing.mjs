// Page weight and time to first render of an HTML report in headless Chromium, measured over
// the DevTools protocol.
//
//   node --experimental-websocket crates/report/tests/page_timing.mjs REPORT.html [RUNS]
//
// (Node 22 and later have WebSocket without the flag.) CHROMIUM names the browser (default
// `chromium`); TIMEOUT_S the seconds a run may take (default 300). Each run starts a fresh
// browser profile, opens file://REPORT.html, waits for the load event and one more frame, and
// reads the Navigation Timing and Paint Timing entries and the page's marks (the report's
// `caveat-first-render`: its script has rendered the first page of claims and of articles).
// Prints one JSON line per run, then the medians (milliseconds from navigation start) with the
// file's size in bytes. `fcp` (first contentful paint) is the page title, painted before the
// data has been read; `firstRender` is what a reader waits for.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const file = resolve(process.argv[2] || '');
const runs = Number(process.argv[3] || 5);
if (!process.argv[2]) {
  console.error('usage: page_timing.mjs REPORT.html [RUNS]');
  process.exit(2);
}
const bytes = statSync(file).size;

function launch() {
  const profile = mkdtempSync(join(tmpdir(), 'caveat-timing-'));
  const proc = spawn(process.env.CHROMIUM || 'chromium', [
    '--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-extensions',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
    '--remote-debugging-port=0', `--user-data-dir=${profile}`, 'about:blank',
  ], { stdio: ['ignore', 'ignore', 'pipe'] });
  return new Promise((ok, fail) => {
    let err = '';
    proc.stderr.on('data', (d) => {
      err += d;
      const m = err.match(/DevTools listening on (ws:\/\/\S+)/);
      if (m) ok({ proc, profile, url: m[1] });
    });
    proc.on('exit', (c) => fail(new Error(`chromium exited (${c}): ${err}`)));
  });
}

function client(url) {
  const ws = new WebSocket(url);
  let id = 0;
  const pending = new Map();
  const waiters = [];
  ws.onmessage = (ev) => {
    const msg = JSON.parse(ev.data);
    if (msg.id && pending.has(msg.id)) {
      const { ok, fail } = pending.get(msg.id);
      pending.delete(msg.id);
      if (msg.error) fail(new Error(JSON.stringify(msg.error))); else ok(msg.result);
    } else if (msg.method) {
      for (let i = waiters.length - 1; i >= 0; i--) {
        if (waiters[i].method === msg.method) { waiters[i].ok(msg.params); waiters.splice(i, 1); }
      }
    }
  };
  const send = (method, params = {}, sessionId) => new Promise((ok, fail) => {
    const m = { id: ++id, method, params };
    if (sessionId) m.sessionId = sessionId;
    pending.set(m.id, { ok, fail });
    ws.send(JSON.stringify(m));
  });
  const once = (method) => new Promise((ok, fail) => waiters.push({ method, ok, fail }));
  // A browser that goes away fails whatever is waiting for it.
  ws.onclose = () => {
    const e = new Error('DevTools connection closed');
    for (const p of pending.values()) p.fail(e);
    pending.clear();
    for (const w of waiters.splice(0)) w.fail(e);
  };
  return new Promise((ok, fail) => {
    ws.onopen = () => ok({ send, once, close: () => ws.close() });
    ws.onerror = () => fail(new Error('cannot connect to ' + url));
  });
}

// After one more frame (or 1 s, if the tab gets no frames) the page has painted.
const MEASURE = `new Promise((ok) => { let done = false; const go = () => { if (done) return; done = true; setTimeout(() => { try {
  const nav = performance.getEntriesByType('navigation')[0];
  const paint = Object.fromEntries(performance.getEntriesByType('paint').map((p) => [p.name, p.startTime]));
  const marks = Object.fromEntries(performance.getEntriesByType('mark').map((m) => [m.name, m.startTime]));
  ok(JSON.stringify({
    fcp: paint['first-contentful-paint'] ?? null,
    domInteractive: nav.domInteractive,
    domContentLoaded: nav.domContentLoadedEventEnd,
    load: nav.loadEventEnd,
    firstRender: marks['caveat-first-render'] ?? null,
    marks,
    articles: document.querySelectorAll('#articles article').length,
    claims: document.querySelectorAll('#claims .claim').length,
    domNodes: document.getElementsByTagName('*').length,
  }));
} catch (e) { ok(JSON.stringify({ error: String(e) })); } }, 0); }; requestAnimationFrame(go); setTimeout(go, 1000); })`;

async function once() {
  const { proc, profile, url } = await launch();
  try {
    const c = await client(url);
    // The browser's own first tab (a created one may be in the background and get no frames).
    const { targetInfos } = await c.send('Target.getTargets');
    const page = targetInfos.find((t) => t.type === 'page');
    const targetId = page ? page.targetId : (await c.send('Target.createTarget', { url: 'about:blank' })).targetId;
    const { sessionId } = await c.send('Target.attachToTarget', { targetId, flatten: true });
    await c.send('Page.enable', {}, sessionId);
    await c.send('Page.bringToFront', {}, sessionId);
    const loaded = c.once('Page.loadEventFired');
    await c.send('Page.navigate', { url: 'file://' + file }, sessionId);
    const limit = Number(process.env.TIMEOUT_S || 300) * 1000;
    let timer;
    const late = await Promise.race([loaded.then(() => false), new Promise((ok) => { timer = setTimeout(() => ok(true), limit); })]);
    clearTimeout(timer);
    if (late) { c.close(); return { timeout: limit }; }
    const r = await c.send('Runtime.evaluate', { expression: MEASURE, awaitPromise: true, returnByValue: true }, sessionId);
    c.close();
    return JSON.parse(r.result.value);
  } finally {
    if (proc.exitCode === null && proc.signalCode === null) {
      const exited = new Promise((ok) => proc.once('exit', ok));
      proc.kill();
      await exited;
    }
    try { rmSync(profile, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 }); } catch { /* a temporary directory */ }
  }
}

const all = [];
for (let i = 0; i < runs; i++) {
  let r;
  try {
    r = await once();
  } catch (e) {
    r = { error: String(e) };
  }
  all.push(r);
  console.log(JSON.stringify(r));
}
const median = (k) => {
  const v = all.map((r) => r[k]).filter((x) => x !== null).sort((a, b) => a - b);
  return v.length ? Math.round(v[Math.floor((v.length - 1) / 2)]) : null;
};
const out = { file, bytes, runs };
for (const k of ['fcp', 'domInteractive', 'domContentLoaded', 'firstRender', 'load', 'articles', 'claims', 'domNodes']) out[k] = median(k);
if (all.some((r) => r.timeout)) out.timeouts = all.filter((r) => r.timeout).length;
if (all.some((r) => r.error)) out.errors = all.filter((r) => r.error).length;
console.log('median ' + JSON.stringify(out));
