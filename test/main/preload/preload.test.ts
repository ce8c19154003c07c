// Runs under node:test: the built preload bundle (dist/main/preload.cjs) executed against a fake
// `electron` module: it exposes exactly the KokoroBridge keys, asks main for a worker port,
// queues requests until the port arrives, relays events from a real MessagePort, reports
// playback state to main, and fails pending requests when main says the worker is down.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { APP_VERSION_ARG, INVOKE, SEND, TO_RENDERER } from '../../../src-main/ipc/ipc-contract.ts';
import type { KokoroBridge, WorkerEvent } from '../../../src-worker/protocol/messages.ts';

type Handler = (event: { ports: MessagePort[] }, ...args: unknown[]) => void;

async function loadPreload() {
  const { buildMain } = await import('../../../src-main/tools/build-main.ts');
  const written = await buildMain(['preload']);
  const file = written.find((f) => f.endsWith('preload.cjs'));
  assert.ok(file !== undefined);
  const exposed: Record<string, unknown> = {};
  const sent: unknown[][] = [];
  const invoked: unknown[][] = [];
  const handlers = new Map<string, Handler>();
  const electron = {
    contextBridge: { exposeInMainWorld: (key: string, value: unknown) => (exposed[key] = value) },
    ipcRenderer: {
      on: (channel: string, handler: Handler) => handlers.set(channel, handler),
      send: (...args: unknown[]) => sent.push(args),
      invoke: async (...args: unknown[]) => {
        invoked.push(args);
        return null;
      },
    },
  };
  const fakeRequire = (id: string): unknown => {
    if (id === 'electron') return electron;
    throw new Error(`the sandboxed preload tried to require "${id}"`);
  };
  const fakeProcess = { argv: ['electron', `${APP_VERSION_ARG}9.8.7`], platform: 'darwin', arch: 'arm64' };
  const module = { exports: {} };
  new Function('require', 'module', 'exports', 'process', readFileSync(file, 'utf8'))(fakeRequire, module, module.exports, fakeProcess);
  return { bridge: exposed['kokoro'] as KokoroBridge, exposed, sent, invoked, handlers };
}

const tick = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 30));

test('the preload exposes the bridge and wires it to the port and to main', async () => {
  const { bridge, exposed, sent, invoked, handlers } = await loadPreload();
  assert.deepEqual(Object.keys(exposed), ['kokoro']);
  assert.deepEqual(Object.keys(bridge).sort(), [
    'getSettings',
    'onCommand',
    'onEvent',
    'onWorkerState',
    'platform',
    'readClipboard',
    'send',
    'updateSettings',
  ]);
  assert.deepEqual(bridge.platform, { os: 'darwin', arch: 'arm64', shell: 'electron', appVersion: '9.8.7' });
  assert.deepEqual(sent[0], [SEND.requestWorkerPort], 'it asks main for a port once listeners are set');

  const events: WorkerEvent[] = [];
  const states: string[] = [];
  bridge.onEvent((e) => events.push(e));
  bridge.onWorkerState((s) => states.push(s));

  // A request before the port arrives is queued, then delivered.
  bridge.send({ type: 'speak', id: 's1', text: 'Hi.', voice: 'af_heart', speed: 1 });
  const { port1, port2 } = new MessageChannel();
  const atWorker: unknown[] = [];
  port2.onmessage = (e) => atWorker.push(e.data);
  handlers.get(TO_RENDERER.workerPort)?.({ ports: [port1] });
  await tick();
  assert.deepEqual(states, ['up']);
  assert.deepEqual(atWorker, [{ type: 'speak', id: 's1', text: 'Hi.', voice: 'af_heart', speed: 1 }]);

  // Events reach the page; the tray hears that this window is speaking.
  port2.postMessage({ type: 'started', id: 's1', sentences: [], voice: 'af_heart', provider: 'cpu' });
  await tick();
  assert.equal(events[0]?.type, 'started');
  assert.deepEqual(sent.at(-1), [SEND.playbackState, 'speaking']);

  // Main says the worker died: the pending request fails, the state goes down.
  handlers.get(TO_RENDERER.workerDown)?.({ ports: [] }, 'exit code 9');
  assert.equal(events.at(-1)?.type, 'error');
  assert.equal(events.at(-1)?.type === 'error' && events.at(-1)?.id, 's1');
  assert.deepEqual(states, ['up', 'down']);
  assert.deepEqual(sent.at(-1), [SEND.playbackState, 'idle']);

  // Commands from main reach the page; invoke channels carry their payloads.
  const commands: unknown[] = [];
  const off = bridge.onCommand((c) => commands.push(c));
  handlers.get(TO_RENDERER.command)?.({ ports: [] }, { type: 'show-view', view: 'settings' });
  off();
  handlers.get(TO_RENDERER.command)?.({ ports: [] }, { type: 'stop' });
  assert.deepEqual(commands, [{ type: 'show-view', view: 'settings' }]);
  await bridge.updateSettings({ speed: 1.5 });
  await bridge.getSettings();
  assert.deepEqual(invoked, [[INVOKE.updateSettings, { speed: 1.5 }], [INVOKE.getSettings]]);
  port1.close();
  port2.close();
});
