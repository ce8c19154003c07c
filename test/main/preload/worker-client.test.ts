// Runs under node:test: the preload's worker client over a real MessageChannel: queueing while
// down, pending tracking, `worker-crashed` errors for unfinished requests, reattaching, and
// refusing a worker of another protocol version.

import assert from 'node:assert/strict';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { test } from 'node:test';
import { MAX_QUEUED_REQUESTS, createWorkerClient } from '../../../src-main/preload/worker-client.ts';
import { PROTOCOL_VERSION, type PortLike, type WorkerEvent } from '../../../src-worker/protocol/messages.ts';

function nodePort(port: MessagePort): PortLike {
  return {
    postMessage: (message) => port.postMessage(message),
    onMessage(listener) {
      port.on('message', listener);
      return () => port.off('message', listener);
    },
  };
}

/** A stand-in worker end that records requests and can answer them. */
function fakeWorker() {
  const { port1, port2 } = new MessageChannel();
  const received: unknown[] = [];
  port2.on('message', (m) => received.push(m));
  return {
    clientPort: nodePort(port1),
    received,
    answer: (e: WorkerEvent) => port2.postMessage(e),
    close: () => {
      port1.close();
      port2.close();
    },
  };
}

const tick = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 20));

test('requests queue while down and go out in order on attach', async () => {
  const client = createWorkerClient();
  const states: string[] = [];
  client.onState((s) => states.push(s));
  client.send({ type: 'list-voices', id: 'v1' });
  client.send({ type: 'status', id: 's1' });
  assert.equal(client.state, 'down');
  const worker = fakeWorker();
  client.attach(worker.clientPort);
  await tick();
  assert.deepEqual(worker.received, [
    { type: 'list-voices', id: 'v1' },
    { type: 'status', id: 's1' },
  ]);
  assert.deepEqual(states, ['up']);
  worker.close();
});

test('terminal events clear pending ids; a crash fails only unfinished requests', async () => {
  const client = createWorkerClient();
  const events: WorkerEvent[] = [];
  client.onEvent((e) => events.push(e));
  const worker = fakeWorker();
  client.attach(worker.clientPort);
  client.send({ type: 'speak', id: 'a', text: 'Hi.', voice: 'af_heart', speed: 1 });
  client.send({ type: 'speak', id: 'b', text: 'Hello.', voice: 'af_heart', speed: 1 });
  client.send({ type: 'list-voices', id: 'c' });
  worker.answer({ type: 'done', id: 'a', stopped: false });
  worker.answer({ type: 'voices', id: 'c', voices: [] });
  worker.answer({ type: 'error', id: 'c', code: 'internal', message: 'x', action: 'y' });
  await tick();
  assert.deepEqual(client.pendingIds(), ['b']);
  events.length = 0;
  client.workerDown('exit code 134');
  assert.equal(client.state, 'down');
  assert.equal(events.length, 1);
  const crash = events[0];
  assert.equal(crash?.type, 'error');
  if (crash?.type === 'error') {
    assert.equal(crash.id, 'b');
    assert.equal(crash.code, 'worker-crashed');
    assert.match(crash.message, /exit code 134/);
  }
  assert.deepEqual(client.pendingIds(), []);
  // Events from the dead port no longer reach listeners.
  worker.answer({ type: 'done', id: 'b', stopped: false });
  await tick();
  assert.equal(events.length, 1);
  worker.close();
});

test('requests queued during a restart survive it and are sent to the new worker', async () => {
  const client = createWorkerClient();
  const events: WorkerEvent[] = [];
  client.onEvent((e) => events.push(e));
  const first = fakeWorker();
  client.attach(first.clientPort);
  client.workerDown('crash');
  client.send({ type: 'status', id: 'later' });
  client.workerDown('crash again');
  assert.deepEqual(events, [], 'a queued request never reached a worker, so it has not failed');
  const second = fakeWorker();
  client.attach(second.clientPort);
  await tick();
  assert.deepEqual(second.received, [{ type: 'status', id: 'later' }]);
  assert.deepEqual(first.received, []);
  first.close();
  second.close();
});

test('a bounded queue: the oldest queued request is failed when it overflows', () => {
  const client = createWorkerClient();
  const events: WorkerEvent[] = [];
  client.onEvent((e) => events.push(e));
  for (let i = 0; i <= MAX_QUEUED_REQUESTS; i++) client.send({ type: 'status', id: `r${i}` });
  assert.equal(events.length, 1);
  assert.equal(events[0]?.id, 'r0');
  assert.equal(events[0]?.type === 'error' && events[0].code, 'worker-crashed');
});

test('malformed messages from the port are ignored', async () => {
  const client = createWorkerClient();
  const events: WorkerEvent[] = [];
  client.onEvent((e) => events.push(e));
  const worker = fakeWorker();
  client.attach(worker.clientPort);
  worker.answer({ type: 'bogus', id: 'x' } as unknown as WorkerEvent);
  worker.answer({ type: 'done', id: 'ok', stopped: false });
  await tick();
  assert.deepEqual(
    events.map((e) => e.type),
    ['done'],
  );
  worker.close();
});

test('a worker of another protocol version is refused: pending and later requests end in version-mismatch, its events are dropped, a matching worker is served again', async () => {
  const client = createWorkerClient();
  const events: WorkerEvent[] = [];
  client.onEvent((e) => events.push(e));
  const old = fakeWorker();
  client.attach(old.clientPort);
  client.send({ type: 'status', id: 's1' });
  old.answer({ type: 'hello', id: '', version: PROTOCOL_VERSION - 1, pid: 1 });
  old.answer({ type: 'done', id: 's1', stopped: false });
  await tick();
  client.send({ type: 'list-voices', id: 'v1' });
  await tick();
  const codes = events.map((e) => `${e.type}:${e.id}:${e.type === 'error' ? e.code : ''}`);
  assert.deepEqual(codes, ['error:s1:version-mismatch', 'hello::', 'error:v1:version-mismatch']);
  const refusal = events.find((e) => e.type === 'error');
  assert.ok(
    refusal?.type === 'error' &&
      refusal.message.includes(`version ${PROTOCOL_VERSION - 1}`) &&
      refusal.message.includes(`version ${PROTOCOL_VERSION}`),
  );
  assert.deepEqual(old.received, [{ type: 'status', id: 's1' }], 'nothing more was sent to the refused worker');
  assert.deepEqual(client.pendingIds(), []);
  old.close();

  const next = fakeWorker();
  client.attach(next.clientPort);
  next.answer({ type: 'hello', id: '', version: PROTOCOL_VERSION, pid: 2 });
  await tick();
  client.send({ type: 'status', id: 's2' });
  await tick();
  assert.deepEqual(next.received, [{ type: 'status', id: 's2' }]);
  next.close();
});
