// Runs in Node (tests): the browser dev host's non-audio duties over its real HTTP and WebSocket
// endpoints, with the real worker behind it: static files, origin checks, settings validation
// and persistence, clipboard, the bench history from the worker, commands, and worker traffic
// with binary chunks.

import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import WebSocket from 'ws';
import { TEST_TOKEN_HEADER } from '../../src-main/dev-host/guards.ts';
import { SETTINGS_VERSION } from '../../src-worker/protocol/messages.ts';
import { startDevHost, type DevHost } from '../../src-main/dev-host/server.ts';
import { decodeChunk, type ServerFrame } from '../../src-worker/protocol/wire.ts';
import type { ChunkEvent, WorkerEvent } from '../../src-worker/protocol/messages.ts';

const WAIT_MS = 120_000;

let host: DevHost;
let dir: string;
let rendererDir: string;

/** A bridge client speaking the dev host's wire format, recording everything it receives. */
async function connect(origin?: string) {
  const url = host.url.replace('http:', 'ws:') + 'bridge';
  const socket = new WebSocket(url, origin === undefined ? {} : { origin });
  const frames: ServerFrame[] = [];
  const chunks: ChunkEvent[] = [];
  const waiters: (() => void)[] = [];
  socket.on('message', (data, isBinary) => {
    if (isBinary) {
      const buf = data as Buffer;
      chunks.push(decodeChunk(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer));
    } else frames.push(JSON.parse(String(data)) as ServerFrame);
    for (const w of waiters.splice(0)) w();
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  let n = 0;
  const until = async <T>(find: () => T | undefined): Promise<T> => {
    const deadline = Date.now() + WAIT_MS;
    for (;;) {
      const found = find();
      if (found !== undefined) return found;
      if (Date.now() > deadline) throw new Error('timed out waiting for the dev host');
      await new Promise<void>((resolve) => {
        waiters.push(resolve);
        setTimeout(resolve, 200);
      });
    }
  };
  const call = async (method: string, arg?: unknown) => {
    n += 1;
    const id = n;
    socket.send(JSON.stringify({ t: 'call', n: id, method, arg }));
    return until(() => frames.find((f) => f.t === 'reply' && f.n === id) as Extract<ServerFrame, { t: 'reply' }> | undefined);
  };
  const events = () => frames.flatMap((f) => (f.t === 'event' ? [f.event as WorkerEvent] : []));
  return { socket, frames, chunks, until, call, events };
}

describe('browser dev host', () => {
  before(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'kokoro-devhost-'));
    rendererDir = path.join(dir, 'renderer');
    mkdirSync(rendererDir);
    writeFileSync(path.join(rendererDir, 'index.html'), '<!doctype html><title>t</title>');
    writeFileSync(path.join(dir, 'secret.txt'), 'not served');
    host = await startDevHost({ rendererDir, dataDir: path.join(dir, 'data'), port: 0, clipboard: 'first', testEndpoints: true });
  });

  after(async () => {
    await host?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('serves the renderer on 127.0.0.1 and nothing outside its folder', async () => {
    assert.match(host.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
    const index = await fetch(host.url);
    assert.equal(index.status, 200);
    assert.match(await index.text(), /<title>t<\/title>/);
    const escape = await fetch(`${host.url}..%2Fsecret.txt`);
    assert.notEqual(escape.status, 200);
    assert.equal((await fetch(`${host.url}missing.js`)).status, 404);
  });

  test('refuses WebSocket connections from other origins', async () => {
    await assert.rejects(connect('http://evil.example'), /403|Unexpected server response/);
  });

  test('bridge calls: settings are validated and persisted, clipboard works; bench history comes from the worker', async () => {
    const c = await connect();
    const hello = await c.until(() => c.frames.find((f) => f.t === 'hello'));
    assert.equal(hello.t === 'hello' && hello.platform.shell, 'browser');
    const settings = await c.call('getSettings');
    assert.equal(settings.ok && (settings.value as { version: number }).version, SETTINGS_VERSION);
    const bad = await c.call('updateSettings', { speed: 9 });
    assert.equal(bad.ok && (bad.value as { ok: boolean }).ok, false, 'an out-of-range speed is refused');
    const unknown = await c.call('updateSettings', { colour: 'red' });
    assert.equal(unknown.ok && (unknown.value as { ok: boolean }).ok, false, 'an unknown key is refused');
    const good = await c.call('updateSettings', { speed: 1.25 });
    assert.equal(good.ok && (good.value as { ok: boolean }).ok, true);
    const onDisk = JSON.parse(readFileSync(path.join(dir, 'data', 'settings.json'), 'utf8'));
    assert.equal(onDisk.speed, 1.25);

    const first = await c.call('readClipboard');
    assert.equal(first.ok && first.value, 'first');
    const token = { [TEST_TOKEN_HEADER]: host.testToken ?? '' };
    await fetch(`${host.url}__test/clipboard`, { method: 'POST', headers: token, body: 'second' });
    const clip = await c.call('readClipboard');
    assert.equal(clip.ok && clip.value, 'second');

    // The bench history is the worker's (one store): a request over the bridge, not a call.
    for (const gone of ['benchHistory', 'saveBenchResult']) {
      const refused = await c.call(gone);
      assert.equal(refused.ok, false, gone);
      assert.match(refused.ok ? '' : refused.message, /Unknown bridge method/);
    }
    c.socket.send(JSON.stringify({ t: 'req', request: { type: 'bench-history', id: 'h1' } }));
    const historyDone = await c.until(() => c.events().find((e) => e.id === 'h1' && (e.type === 'done' || e.type === 'error')));
    assert.equal(historyDone.type, 'done', JSON.stringify(historyDone));
    const history = c.events().filter((e) => e.id === 'h1');
    assert.equal(history.length, 2, 'one bench-history event, then done');
    assert.ok(history[0]?.type === 'bench-history' && Array.isArray(history[0].results));

    await fetch(`${host.url}__test/command`, {
      method: 'POST',
      headers: token,
      body: JSON.stringify({ type: 'show-view', view: 'dashboard' }),
    });
    await c.until(() => c.frames.find((f) => f.t === 'command'));
    c.socket.close();
  });

  test('worker traffic: JSON events, chunk PCM in binary frames, done', { timeout: WAIT_MS * 2 }, async () => {
    const c = await connect();
    await c.until(() => c.frames.find((f) => f.t === 'worker' && f.state === 'up'));
    c.socket.send(JSON.stringify({ t: 'req', request: { type: 'speak', id: 's1', text: 'Hi.', voice: 'af_heart', speed: 1 } }));
    const done = await c.until(() => c.events().find((e) => e.id === 's1' && (e.type === 'done' || e.type === 'error')));
    assert.equal(done.type, 'done', JSON.stringify(done));
    const mine = c.chunks.filter((ch) => ch.id === 's1');
    assert.ok(mine.length >= 1, 'at least one chunk arrived as a binary frame');
    assert.ok(mine.every((ch) => ch.pcm instanceof Float32Array && ch.pcm.length > 0));
    assert.equal(mine[mine.length - 1]?.last, true);
    assert.ok(!c.frames.some((f) => f.t === 'event' && (f.event as { type: string }).type === 'chunk'), 'no chunk went as JSON');
    c.socket.send(JSON.stringify({ t: 'req', request: { type: 'speak', id: 7 } }));
    c.socket.send(JSON.stringify({ t: 'req', request: { type: 'speak', id: 's2', text: 'x', voice: 'af_heart' } }));
    const bad = await c.until(() => c.events().find((e) => e.id === 's2' && e.type === 'error'));
    assert.equal(bad.type === 'error' && bad.code, 'bad-request');
    c.socket.close();
  });

  test(
    'a new model variant restarts the worker: the page hears down, then up, and the new worker loads it',
    { timeout: WAIT_MS * 2 },
    async () => {
      const c = await connect();
      const states = () => c.frames.flatMap((f) => (f.t === 'worker' ? [f.state] : []));
      await c.until(() => (states().includes('up') ? true : undefined));
      const variantOf = async (id: string) => {
        c.socket.send(JSON.stringify({ t: 'req', request: { type: 'readiness', id } }));
        const event = await c.until(() => c.events().find((e) => e.id === id && e.type === 'readiness'));
        return event.type === 'readiness' ? event.state.variant : undefined;
      };
      assert.equal(await variantOf('r-int8'), 'int8');
      // fp16 is not in the test cache: the new worker still starts, and says so when asked.
      const switched = await c.call('updateSettings', { modelVariant: 'fp16' });
      assert.equal(switched.ok && (switched.value as { ok: boolean }).ok, true);
      await c.until(() => (states().join() === 'up,down,up' ? true : undefined));
      assert.equal(await variantOf('r-fp16'), 'fp16');
      await c.call('updateSettings', { modelVariant: 'int8' });
      await c.until(() => (states().join() === 'up,down,up,down,up' ? true : undefined));
      c.socket.send(JSON.stringify({ t: 'req', request: { type: 'speak', id: 'back', text: 'Hi.', voice: 'af_heart', speed: 1 } }));
      const done = await c.until(() => c.events().find((e) => e.id === 'back' && (e.type === 'done' || e.type === 'error')));
      assert.equal(done.type, 'done', JSON.stringify(done));
      c.socket.close();
    },
  );

  // Last: it closes the host. A regression here aborts the whole test process (SIGABRT).
  test('closing the host while a run is in flight ends the worker cleanly', { timeout: WAIT_MS * 2 }, async () => {
    const c = await connect();
    await c.until(() => c.frames.find((f) => f.t === 'worker' && f.state === 'up'));
    const text = 'Hello there. This sentence is long enough to need a second chunk, and it keeps going for a while.';
    c.socket.send(JSON.stringify({ t: 'req', request: { type: 'speak', id: 'long', text, voice: 'af_heart', speed: 1 } }));
    await c.until(() => c.chunks.find((ch) => ch.id === 'long'));
    await host.close();
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    assert.ok(true, 'still alive after the worker ended');
  });
});
