// Runs under node:test: main's side of the worker connections with the real WorkerClient and a
// fake port: who gets which end of a channel, what "worker down" tells each client, and what
// main's own client asks the worker and keeps (voices, unavailable providers).

import assert from 'node:assert/strict';
import { mock, test } from 'node:test';
import { PROTOCOL_VERSION, type PortLike, type WorkerEvent, type WorkerRequest } from '../../../src-worker/protocol/messages.ts';
import { createWorkerClient } from '../../../src-main/preload/worker-client.ts';
import { setupWorkerLink, VOICES_RETRY_MS } from '../../../src-main/worker/worker-link.ts';
import { FakeWindow } from '../fake-electron.ts';

/** Our end of a channel: what main's client posts, and a way to deliver worker events to it. */
class FakePort implements PortLike {
  readonly posted: WorkerRequest[] = [];
  #listener: ((message: unknown) => void) | null = null;
  constructor(readonly worker: string) {}
  postMessage(message: unknown): void {
    this.posted.push(message as WorkerRequest);
  }
  onMessage(listener: (message: unknown) => void): () => void {
    this.#listener = listener;
    return () => (this.#listener = null);
  }
  deliver(event: WorkerEvent): void {
    this.#listener?.(event);
  }
}

function link() {
  const ports: FakePort[] = [];
  const given: Array<[FakeWindow, FakePort]> = [];
  const told: Array<[FakeWindow, string]> = [];
  let voicesArrived = 0;
  let changes = 0;
  const client = createWorkerClient();
  const worker = setupWorkerLink<string, FakePort, FakeWindow>({
    client,
    openChannel: (name) => {
      const port = new FakePort(name);
      ports.push(port);
      return port;
    },
    portLike: (port) => port,
    givePort: (window, port) => void given.push([window, port]),
    tellDown: (window, reason) => void told.push([window, reason]),
    onVoices: () => void voicesArrived++,
    onChange: () => void changes++,
  });
  return { worker, client, ports, given, told, voicesArrived: () => voicesArrived, changes: () => changes };
}

const VOICES = [
  { id: 'af_heart', name: 'Heart', language: 'American English', lang: 'en-us', gender: 'female' as const },
  { id: 'bm_george', name: 'George', language: 'British English', lang: 'en-gb', gender: 'male' as const },
];

const HELLO: WorkerEvent = { type: 'hello', id: '', version: PROTOCOL_VERSION, pid: 1 };

test('a window gets its end of the channel; main attaches its own and asks for voices and status', () => {
  const l = link();
  const window = new FakeWindow();
  assert.equal(l.worker.workerUp(), false);
  l.worker.connect('w1', { kind: 'window', name: 'popover', window });
  assert.deepEqual(l.given, [[window, l.ports[0]]]);
  assert.equal(l.ports[0]?.worker, 'w1');
  assert.equal(l.worker.workerUp(), true);

  l.worker.connect('w1', { kind: 'main' });
  assert.equal(l.given.length, 1, 'main keeps its end');
  const mine = l.ports[1];
  mine?.deliver(HELLO);
  assert.equal(l.client.state, 'up');
  assert.deepEqual(
    mine?.posted.map((r) => r.type),
    ['list-voices', 'status'],
  );
  assert.equal(l.ports[0]?.posted.length, 0, "nothing of main's goes on the window's channel");
});

test('main keeps the voices and the unavailable providers the worker reports', () => {
  const l = link();
  assert.equal(l.worker.knownVoices(), undefined, 'unknown until listed');
  l.worker.connect('w1', { kind: 'main' });
  const port = l.ports[0];
  port?.deliver(HELLO);
  const [voicesRequest, statusRequest] = port?.posted ?? [];
  const before = l.changes();
  port?.deliver({ type: 'voices', id: voicesRequest?.id ?? '', voices: VOICES });
  assert.deepEqual(l.worker.voices(), VOICES);
  assert.deepEqual([...(l.worker.knownVoices() ?? [])], ['af_heart', 'bm_george']);
  assert.equal(l.voicesArrived(), 1, 'the settings voice is checked');
  port?.deliver({
    type: 'provider',
    id: statusRequest?.id ?? '',
    state: {
      requested: { provider: 'auto' },
      active: 'cpu',
      options: [
        { provider: 'cpu', available: true },
        { provider: 'coreml', available: false, reason: 'macOS only' },
        { provider: 'auto', available: false },
      ],
      model: 'm',
      threads: 2,
    },
  });
  assert.deepEqual(l.worker.unavailable(), { coreml: 'macOS only', auto: 'unavailable' });
  assert.equal(l.changes() - before, 2, 'the tray is refreshed for each');
  port?.deliver({ type: 'done', id: voicesRequest?.id ?? '', stopped: false });
  assert.equal(l.changes() - before, 2, 'other events change nothing');

  l.worker.setProvider({ provider: 'cpu' });
  const sent = port?.posted.at(-1);
  assert.equal(sent?.type, 'set-provider');
  assert.deepEqual(sent?.type === 'set-provider' && sent.provider, { provider: 'cpu' });
  assert.match(sent?.id ?? '', /^main-provider-\d+$/);
});

test('voices the worker cannot list yet (model not downloaded) are asked for again until they come', () => {
  mock.timers.enable({ apis: ['setTimeout'] });
  try {
    const l = link();
    l.worker.connect('w1', { kind: 'main' });
    const port = l.ports[0];
    port?.deliver(HELLO);
    const asked = () => port?.posted.filter((r) => r.type === 'list-voices') ?? [];
    const missing = {
      type: 'error',
      code: 'model-missing',
      message: 'The voices directory /x cannot be read.',
      action: 'Run it.',
    } as const;
    const before = l.changes();
    port?.deliver({ ...missing, id: asked()[0]?.id ?? '' });
    assert.deepEqual(l.worker.voicesProblem(), { code: 'model-missing', message: missing.message });
    assert.equal(l.changes() - before, 1, 'the tray shows why');
    mock.timers.tick(VOICES_RETRY_MS - 1);
    assert.equal(asked().length, 1, 'not before the retry delay');
    mock.timers.tick(1);
    assert.equal(asked().length, 2, 'asked again');
    // An error answering something else is not about the voices.
    port?.deliver({ ...missing, id: 'main-other-1' });
    mock.timers.tick(VOICES_RETRY_MS);
    assert.equal(asked().length, 2);
    port?.deliver({ type: 'voices', id: asked()[1]?.id ?? '', voices: VOICES });
    assert.deepEqual(l.worker.voices(), VOICES);
    assert.equal(l.worker.voicesProblem(), undefined);
    mock.timers.tick(VOICES_RETRY_MS * 3);
    assert.equal(asked().length, 2, 'no more asking once they came');
    // A retry pending when the worker goes down is dropped; the next worker is asked on hello.
    port?.deliver({ ...missing, id: asked()[1]?.id ?? '' });
    l.worker.down({ kind: 'main' }, 'exit code 9');
    mock.timers.tick(VOICES_RETRY_MS * 2);
    assert.equal(asked().length, 2);
  } finally {
    mock.timers.reset();
  }
});

test('worker down: a window is told the reason, main fails its pending requests; destroyed windows are skipped', () => {
  const l = link();
  const window = new FakeWindow();
  l.worker.connect('w1', { kind: 'window', name: 'app', window });
  l.worker.down({ kind: 'window', name: 'app', window }, 'exit code 9');
  assert.deepEqual(l.told, [[window, 'exit code 9']]);
  assert.equal(l.worker.workerUp(), false);

  const gone = new FakeWindow();
  gone.destroyed = true;
  l.worker.connect('w2', { kind: 'window', name: 'app', window: gone });
  l.worker.down({ kind: 'window', name: 'app', window: gone }, 'again');
  assert.equal(l.given.length, 1, 'no port for a destroyed window');
  assert.equal(l.told.length, 1, 'no message to a destroyed window');

  const events: WorkerEvent[] = [];
  l.client.onEvent((event) => void events.push(event));
  l.worker.connect('w3', { kind: 'main' });
  l.ports.at(-1)?.deliver(HELLO);
  l.worker.setProvider({ provider: 'cpu' });
  l.worker.down({ kind: 'main' }, 'crashed');
  assert.equal(l.client.state, 'down');
  assert.ok(
    events.some((e) => e.type === 'error' && e.code === 'worker-crashed' && e.id.startsWith('main-provider-')),
    JSON.stringify(events),
  );
  assert.equal(l.changes(), 6, 'every connect and down refreshes the tray');
});
