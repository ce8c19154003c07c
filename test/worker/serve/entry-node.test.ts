// Runs under node:test with the real model: the plain-Node worker entry (src-worker/serve/entry-node.ts)
// both ways it runs. As a worker thread (started with src-main/worker/worker-thread.ts, as the
// dev host does): it serves every port of a connect message, ignores other messages, and on
// `shutdown` ends by itself mid-utterance, with no abort and no terminate. As a forked child
// process: it serves its parent over IPC with PCM intact and exits when the parent disconnects.

import assert from 'node:assert/strict';
import { fork } from 'node:child_process';
import { test } from 'node:test';
import { spawnWorkerThread } from '../../../src-main/worker/worker-thread.ts';
import { WORKER_ENV } from '../../../src-worker/protocol/worker-env.ts';
import { modelFiles } from '../model-fixture.ts';
import { chunksOf, client, portClient } from './protocol-client.ts';

const ENTRY = new URL('../../../src-worker/serve/entry-node.ts', import.meta.url);
/** Each start loads the model (seconds on our shared 2-core machines). */
const TEST_TIMEOUT_MS = 300_000;
/** Far above a clean shutdown: a thread that needs the terminate fallback fails the test. */
const GRACE_MS = 120_000;

const files = await modelFiles();
const engineEnv = { ...process.env, [WORKER_ENV.engine]: JSON.stringify({ assets: files }) };

test(
  'as a worker thread: serves each connected port, ignores stray messages, ends by itself on shutdown mid-utterance',
  { timeout: TEST_TIMEOUT_MS },
  async () => {
    const worker = spawnWorkerThread({ entry: ENTRY, env: engineEnv, graceMs: GRACE_MS });
    let reason: string | undefined;
    worker.onExit((r) => (reason = r));
    try {
      // Not ours (no port, unknown type): logged and ignored, the thread keeps serving.
      worker.thread.postMessage({ type: 'connect' });
      worker.thread.postMessage({ type: 'reboot' });
      const a = portClient(worker.openChannel());
      const b = portClient(worker.openChannel());
      await Promise.all([a, b].map((c) => c.until(() => c.events.some((e) => e.type === 'hello'))));
      a.send({ type: 'speak', id: 'a', text: 'Hi.', voice: 'af_heart', speed: 1 });
      b.send({ type: 'speak', id: 'b', text: 'Hello.', voice: 'af_heart', speed: 1 });
      await Promise.all([a.ended('a'), b.ended('b')]);
      for (const [c, id] of [
        [a, 'a'],
        [b, 'b'],
      ] as const) {
        assert.equal(c.of(id).at(-1)?.type, 'done', JSON.stringify(c.of(id).at(-1)));
        assert.ok(chunksOf(c.of(id)).every((chunk) => chunk.pcm instanceof Float32Array && chunk.pcm.length > 0));
      }

      // Shutdown while a run is in flight: the thread ends on its own (exit code 0, no terminate).
      const text = 'Hello there. This sentence is long enough to need a second chunk, and it keeps going for a while.';
      a.send({ type: 'speak', id: 'long', text, voice: 'af_heart', speed: 1 });
      await a.until(() => chunksOf(a.of('long')).length > 0);
      const askedAt = performance.now();
      worker.kill();
      await worker.ended;
      assert.equal(reason, 'exit code 0');
      assert.ok(performance.now() - askedAt < GRACE_MS, 'ended before the grace period');
    } finally {
      await worker.thread.terminate();
    }
  },
);

test(
  'as a child process: serves its parent over IPC, PCM intact, and exits when the parent disconnects',
  { timeout: TEST_TIMEOUT_MS },
  async () => {
    const child = fork(ENTRY, [], {
      execArgv: ['--import', 'tsx'],
      serialization: 'advanced',
      env: engineEnv,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      const c = client(
        (request) => child.send(request),
        (listener) => child.on('message', listener),
      );
      await c.until(() => c.events.some((e) => e.type === 'hello'));
      const hello = c.events.find((e) => e.type === 'hello');
      assert.ok(hello?.type === 'hello' && hello.pid === child.pid);
      c.send({ type: 'speak', id: 'k', text: 'Hi.', voice: 'af_heart', speed: 1 });
      await c.ended('k');
      assert.equal(c.of('k').at(-1)?.type, 'done');
      const chunk = chunksOf(c.of('k'))[0];
      assert.ok(chunk && chunk.pcm instanceof Float32Array && chunk.pcm.length > 0);
    } finally {
      child.disconnect();
    }
    assert.equal(await exited, 0);
  },
);
