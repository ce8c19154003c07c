// Runs under node:test: the worker as a Node worker thread (src-main/worker/worker-thread.ts),
// the handle the dev host gives main's supervisor. With small stand-in entries (no synthesis): a
// thread that ignores `shutdown` is terminated after the grace period, and one that throws
// reports its error as the exit reason. With the real entry and model, under the supervisor:
// a thread that dies is restarted with backoff and its client reconnected; `restart` (a new
// model variant) and `stop` end the old thread cleanly, mid-utterance, with no terminate.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import type { MessagePort } from 'node:worker_threads';
import { createWorkerClient, type WorkerClient } from '../../../src-main/preload/worker-client.ts';
import { createSupervisor } from '../../../src-main/worker/supervisor.ts';
import { spawnWorkerThread, type ThreadWorker } from '../../../src-main/worker/worker-thread.ts';
import type { PortLike } from '../../../src-worker/protocol/messages.ts';
import { WORKER_ENV } from '../../../src-worker/protocol/worker-env.ts';
import { modelFiles } from '../../worker/model-fixture.ts';
import { collect, until } from './client-waits.ts';

const ENTRY = new URL('../../../src-worker/serve/entry-node.ts', import.meta.url);
/** Each worker start loads the model and warms up (seconds on our shared 2-core machines). */
const TEST_TIMEOUT_MS = 600_000;
/** Far above a clean shutdown: a real worker that needs the terminate fallback fails the test. */
const GRACE_MS = 120_000;

const scratch = mkdtempSync(path.join(os.tmpdir(), 'kokoro-thread-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

/** Writes a stand-in entry module and returns its URL. */
function standIn(name: string, source: string): URL {
  const file = path.join(scratch, name);
  writeFileSync(file, source);
  return pathToFileURL(file);
}

test('a thread that ignores shutdown is terminated after the grace period', async () => {
  const entry = standIn('deaf.mjs', "import { parentPort } from 'node:worker_threads';\nparentPort.on('message', () => {});\n");
  const worker = spawnWorkerThread({ entry, graceMs: 200 });
  let reason: string | undefined;
  worker.onExit((r) => (reason = r));
  const askedAt = performance.now();
  worker.kill();
  worker.kill(); // asking twice changes nothing
  await worker.ended;
  assert.ok(performance.now() - askedAt >= 200, 'not before the grace period');
  assert.equal(reason, 'exit code 1', 'terminated');
});

test('a thread that throws reports its error as the exit reason', async () => {
  const worker = spawnWorkerThread({ entry: standIn('throws.mjs', "throw new Error('no model here');\n") });
  const reason = await new Promise<string>((resolve) => worker.onExit(resolve));
  assert.equal(reason, 'no model here');
});

function nodePort(port: MessagePort): PortLike {
  return {
    postMessage: (message) => port.postMessage(message),
    onMessage(listener) {
      port.on('message', listener);
      return () => port.off('message', listener);
    },
  };
}

/** Speaks `text` as request `id` and checks it ends in `done` with PCM. */
async function speaks(client: WorkerClient, id: string, text = 'Hi there.'): Promise<void> {
  const answer = collect(client, id);
  client.send({ type: 'speak', id, text, voice: 'af_heart', speed: 1 });
  const events = await answer;
  assert.equal(events.at(-1)?.type, 'done', JSON.stringify(events.at(-1)));
  assert.ok(events.some((e) => e.type === 'chunk' && e.pcm instanceof Float32Array && e.pcm.length > 0));
}

test(
  'under the supervisor: a dead thread is restarted and reconnected; restart and stop end threads cleanly',
  { timeout: TEST_TIMEOUT_MS },
  async () => {
    const files = await modelFiles();
    const client = createWorkerClient();
    const threads: ThreadWorker[] = [];
    const reasons = new Map<ThreadWorker, string>();
    const states: string[] = [];
    client.onState((state) => states.push(state));
    const supervisor = createSupervisor<ThreadWorker, WorkerClient>({
      spawn: () => {
        const worker = spawnWorkerThread({
          entry: ENTRY,
          env: { ...process.env, [WORKER_ENV.engine]: JSON.stringify({ assets: files }) },
          graceMs: GRACE_MS,
        });
        // How each thread ended (the supervisor holds the handle's one exit listener).
        worker.thread.once('exit', (code) => reasons.set(worker, `exit code ${code}`));
        threads.push(worker);
        return worker;
      },
      connect: (worker, c) => c.attach(nodePort(worker.openChannel())),
      workerDown: (c, reason) => c.workerDown(reason),
      setTimer(callback, ms) {
        const timer = setTimeout(callback, ms);
        return () => clearTimeout(timer);
      },
      now: () => Date.now(),
      options: { baseMs: 100, maxMs: 1_000, stableMs: 60_000 },
    });
    supervisor.addClient(client);
    supervisor.start();
    try {
      await speaks(client, 'one');

      // 1. The thread dies unasked (terminated while idle, so nothing native is interrupted).
      const first = threads[0] as ThreadWorker;
      await first.thread.terminate();
      await until(client, 'down');
      assert.equal(supervisor.status, 'restarting');
      await until(client, 'up');
      assert.equal(supervisor.spawns, 2);
      await speaks(client, 'two');

      // 2. A new model variant: the old thread is asked to end mid-utterance and does, by itself.
      const second = threads[1] as ThreadWorker;
      const long = 'Hello there. This sentence is long enough to need a second chunk, and it keeps going for a while.';
      const cut = collect(client, 'three', (event) => {
        if (event.type === 'chunk' && event.index === 0) supervisor.restart('switching to the fp16 model');
      });
      client.send({ type: 'speak', id: 'three', text: long, voice: 'af_heart', speed: 1 });
      const cutEvents = await cut;
      const last = cutEvents.at(-1);
      assert.ok(last?.type === 'error' && last.code === 'worker-crashed', JSON.stringify(last));
      await second.ended;
      assert.equal(reasons.get(second), 'exit code 0', 'ended by itself, not terminated');
      assert.equal(supervisor.spawns, 3);
      await speaks(client, 'four');

      // 3. Stop mid-utterance: no restart follows, and the thread ends cleanly.
      const third = threads[2] as ThreadWorker;
      void collect(client, 'five', (event) => {
        if (event.type === 'chunk' && event.index === 0) supervisor.stop();
      });
      client.send({ type: 'speak', id: 'five', text: long, voice: 'af_heart', speed: 1 });
      await third.ended;
      assert.equal(reasons.get(third), 'exit code 0');
      assert.equal(supervisor.status, 'stopped');
      assert.equal(supervisor.spawns, 3);
      assert.deepEqual(states, ['up', 'down', 'up', 'down', 'up']);
    } finally {
      supervisor.stop();
      await Promise.all(threads.map((worker) => worker.thread.terminate()));
    }
  },
);
