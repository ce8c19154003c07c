// Runs in Node (tests): the dev-host bridge's connection over a real WebSocket (the `ws`
// package's client stands in for the browser's): an outage is reported at once, calls fail
// instead of hanging, nothing sent meanwhile is replayed later, and the page reconnects by
// itself when the host comes back on the same port (issue 10).

import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { WebSocket as NodeWebSocket, WebSocketServer } from 'ws';
import type { ClientFrame, ServerFrame } from '../../src-worker/protocol/wire.ts';
import { connectWsBridge, UNREACHABLE_MESSAGE, type SocketConstructor } from '../../src-renderer/bridge/ws-bridge.ts';
import { defaultSettings } from '../../src-main/settings/settings.ts';

const PLATFORM = { os: 'browser', arch: 'x64', shell: 'browser', appVersion: 'test' } as const;
/** Long enough for a few reconnection attempts on a loaded machine. */
const WAIT_MS = 10_000;

/** A stand-in host that speaks the wire format: hello, replies to getSettings, records requests. */
async function fakeHost(port = 0) {
  const server = new WebSocketServer({ host: '127.0.0.1', port });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const received: ClientFrame[] = [];
  server.on('connection', (socket) => {
    const send = (frame: ServerFrame) => socket.send(JSON.stringify(frame));
    send({ t: 'hello', platform: PLATFORM });
    send({ t: 'worker', state: 'up' });
    socket.on('message', (data) => {
      const frame = JSON.parse(String(data)) as ClientFrame;
      received.push(frame);
      if (frame.t === 'call') send({ t: 'reply', n: frame.n, ok: true, value: defaultSettings() });
    });
  });
  const close = () =>
    new Promise<void>((resolve) => {
      for (const client of server.clients) client.terminate();
      server.close(() => resolve());
    });
  return { port: (server.address() as AddressInfo).port, received, close };
}

const until = async (check: () => boolean, what: string) => {
  const deadline = Date.now() + WAIT_MS;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};

test('the bridge reports an outage at once, fails calls meanwhile, drops requests, and reconnects when the host is back', async () => {
  let host = await fakeHost();
  const port = host.port;
  const ended = new AbortController();
  const bridge = await connectWsBridge(`ws://127.0.0.1:${port}/bridge`, {
    Socket: NodeWebSocket as unknown as SocketConstructor,
    reconnectFirstMs: 20,
    reconnectMaxMs: 200,
    signal: ended.signal,
  });
  const states: string[] = [];
  bridge.onWorkerState((s) => void states.push(s));
  assert.equal((await bridge.getSettings()).voice, 'af_heart');

  await host.close();
  await until(() => states.includes('down'), "'down'");
  // A call during the outage fails at once rather than waiting for a host that is not there.
  const started = Date.now();
  await assert.rejects(bridge.getSettings(), new RegExp(UNREACHABLE_MESSAGE.slice(0, 30)));
  assert.ok(Date.now() - started < 1_000, 'the call failed at once');
  bridge.send({ type: 'speak', id: 'stale', text: 'Sent while offline.', voice: 'af_heart', speed: 1 });

  host = await fakeHost(port);
  await until(() => states.at(-1) === 'up', "'up' after reconnecting");
  assert.deepEqual(states, ['down', 'up'], 'one down, one up: no flapping while it retried');
  assert.equal((await bridge.getSettings()).voice, 'af_heart', 'calls work again on the same bridge');
  assert.ok(
    !host.received.some((f) => f.t === 'req' && f.request.id === 'stale'),
    'a request sent while offline is not replayed minutes later',
  );
  bridge.send({ type: 'status', id: 'fresh' });
  await until(() => host.received.some((f) => f.t === 'req' && f.request.id === 'fresh'), 'a new request');
  ended.abort();
  await host.close();
});
