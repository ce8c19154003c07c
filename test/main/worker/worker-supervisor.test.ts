// Runs under node:test with the real model: the supervisor that runs the app's utility process,
// driving the real worker entry (src-worker/serve/entry-node.ts) as a Node child process instead. Requests
// go over a real MessagePort through the preload's WorkerClient; the worker is killed
// mid-utterance, the pending request gets its `worker-crashed` error, and the restarted worker
// serves the next request.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { createSupervisor, type WorkerHandle } from '../../../src-main/worker/supervisor.ts';
import { createWorkerClient, type WorkerClient } from '../../../src-main/preload/worker-client.ts';
import type { ChunkEvent, PortLike } from '../../../src-worker/protocol/messages.ts';
import { collect, until } from './client-waits.ts';

const ENTRY = new URL('../../../src-worker/serve/entry-node.ts', import.meta.url);

/** Generous: each worker start loads the model and warms up (seconds on our 2-core machines). */
const TEST_TIMEOUT_MS = 600_000;

// A crash is a process dying, as the utility process would: the worker runs as a child process
// (entry-node.ts's IPC mode) and is killed with SIGKILL. (Terminating a worker *thread* instead
// while onnxruntime is mid-run aborts the whole test process with a Napi::Error, which says
// nothing about our supervisor.) The client still talks over a real MessagePort: `connect`
// relays its far end to the child's IPC channel, the one hop the utility process makes natively.
class ChildWorker implements WorkerHandle {
  readonly child: ChildProcess = fork(fileURLToPath(ENTRY), [], {
    execArgv: ['--import', 'tsx'],
    serialization: 'advanced',
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  onExit(listener: (reason: string) => void): void {
    this.child.once('exit', (code, signal) => listener(signal === null ? `exit code ${code}` : `signal ${signal}`));
  }
  kill(): void {
    this.child.kill('SIGKILL');
  }
}

function nodePort(port: MessagePort): PortLike {
  return {
    postMessage: (message) => port.postMessage(message),
    onMessage(listener) {
      port.on('message', listener);
      return () => {
        port.off('message', listener);
        port.close();
      };
    },
  };
}

test(
  'the supervised real worker streams ordered chunks, survives a kill mid-utterance, and serves again',
  { timeout: TEST_TIMEOUT_MS },
  async (t) => {
    const client = createWorkerClient();
    const workers: ChildWorker[] = [];
    const supervisor = createSupervisor<ChildWorker, WorkerClient>({
      spawn: () => {
        const worker = new ChildWorker();
        workers.push(worker);
        return worker;
      },
      connect(worker, c) {
        const { port1, port2 } = new MessageChannel();
        port1.on('message', (request) => {
          if (worker.child.connected) worker.child.send(request);
        });
        worker.child.on('message', (event) => port1.postMessage(event));
        worker.child.once('exit', () => port1.close());
        c.attach(nodePort(port2));
      },
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
      // 1. Ordered chunks over the real port.
      const first = collect(client, 'one');
      client.send({
        type: 'speak',
        id: 'one',
        text: 'Hello there, my friend. This second sentence is a little longer.',
        voice: 'af_heart',
        speed: 1,
      });
      const events = await first;
      const terminal = events.at(-1);
      assert.equal(terminal?.type, 'done', JSON.stringify(terminal));
      const chunks = events.filter((e): e is ChunkEvent => e.type === 'chunk');
      assert.ok(chunks.length >= 2, `a short first chunk and the rest: at least two chunks, got ${chunks.length}`);
      assert.deepEqual(
        chunks.map((c) => c.index),
        chunks.map((_, i) => i),
        'chunks arrive in index order',
      );
      assert.ok(chunks.every((c) => c.pcm instanceof Float32Array && c.pcm.length > 0));
      assert.deepEqual(
        chunks.map((c) => c.last),
        chunks.map((_, i) => i === chunks.length - 1),
      );
      assert.equal(events[0]?.type, 'started');

      // 2. Kill the worker while it is speaking: the pending request ends in worker-crashed.
      let killedAt = 0;
      const killed = collect(client, 'two', (event) => {
        if (event.type === 'chunk' && event.index === 0) {
          killedAt = performance.now();
          workers.at(-1)?.kill();
        }
      });
      client.send({
        type: 'speak',
        id: 'two',
        text: 'This one will not finish. It has a second sentence. And a third one, to be sure.',
        voice: 'af_heart',
        speed: 1,
      });
      const crashed = await killed;
      const last = crashed.at(-1);
      assert.equal(last?.type, 'error');
      if (last?.type === 'error') {
        assert.equal(last.code, 'worker-crashed');
        assert.match(last.action, /restarting/);
      }
      assert.ok(
        crashed.some((e) => e.type === 'chunk'),
        'it was killed mid-utterance, after its first chunk',
      );
      assert.deepEqual(client.pendingIds(), []);

      // 3. The supervisor restarts it and the new worker serves.
      await until(client, 'up');
      const upAt = performance.now();
      assert.equal(supervisor.spawns, 2);
      let firstChunkAt = 0;
      const again = collect(client, 'three', (event) => {
        if (event.type === 'chunk' && firstChunkAt === 0) firstChunkAt = performance.now();
      });
      client.send({ type: 'speak', id: 'three', text: 'Back again.', voice: 'af_heart', speed: 1 });
      const after = await again;
      // Figures, not assertions: how long a crash costs the user on this machine.
      t.diagnostic(
        JSON.stringify({
          killToReconnectedMs: Math.round(upAt - killedAt),
          reconnectedToFirstChunkMs: Math.round(firstChunkAt - upAt),
        }),
      );
      assert.equal(after.at(-1)?.type, 'done', JSON.stringify(after.at(-1)));
      assert.ok(after.some((e) => e.type === 'chunk'));
    } finally {
      supervisor.stop();
    }
  },
);
