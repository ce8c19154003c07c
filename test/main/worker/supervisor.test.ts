// Runs under node:test: the supervisor with fake workers and a fake clock: crash → clients told
// → restart after the policy's delay → clients reconnected; stop means no restart.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createSupervisor, type WorkerHandle } from '../../../src-main/worker/supervisor.ts';

class FakeWorker implements WorkerHandle {
  exitListener: ((reason: string) => void) | null = null;
  killed = false;
  constructor(readonly serial: number) {}
  onExit(listener: (reason: string) => void): void {
    this.exitListener = listener;
  }
  kill(): void {
    this.killed = true;
    this.exitListener?.('killed');
  }
  crash(reason = 'exit code 1'): void {
    this.exitListener?.(reason);
  }
}

function harness() {
  const log: string[] = [];
  const workers: FakeWorker[] = [];
  const timers: Array<{ at: number; fn: () => void; cancelled: boolean }> = [];
  let now = 0;
  const supervisor = createSupervisor<FakeWorker, string>({
    spawn: () => {
      const worker = new FakeWorker(workers.length + 1);
      workers.push(worker);
      log.push(`spawn ${worker.serial}`);
      return worker;
    },
    connect: (worker, client) => log.push(`connect ${client} to ${worker.serial}`),
    workerDown: (client, reason) => log.push(`down ${client}: ${reason}`),
    notify: (message) => log.push(`notify ${message.slice(0, 40)}`),
    setTimer: (fn, ms) => {
      const timer = { at: now + ms, fn, cancelled: false };
      timers.push(timer);
      return () => {
        timer.cancelled = true;
      };
    },
    now: () => now,
    options: { baseMs: 100, maxMs: 400, stableMs: 10_000 },
  });
  const advance = (ms: number): void => {
    now += ms;
    for (const timer of timers.splice(0)) {
      if (timer.cancelled) continue;
      if (timer.at <= now) timer.fn();
      else timers.push(timer);
    }
  };
  return { supervisor, log, workers, advance, pendingTimers: () => timers.filter((t) => !t.cancelled).length };
}

test('clients are connected to the worker, before and after it starts', () => {
  const { supervisor, log } = harness();
  supervisor.addClient('popover');
  supervisor.start();
  supervisor.addClient('settings');
  assert.deepEqual(log, ['spawn 1', 'connect popover to 1', 'connect settings to 1']);
  assert.equal(supervisor.status, 'running');
});

test('a crash tells every client, waits the backoff, restarts and reconnects', () => {
  const { supervisor, log, workers, advance } = harness();
  supervisor.addClient('a');
  supervisor.addClient('b');
  supervisor.start();
  log.length = 0;
  workers[0]?.crash('signal SIGSEGV');
  assert.deepEqual(log, ['down a: signal SIGSEGV', 'down b: signal SIGSEGV']);
  assert.equal(supervisor.status, 'restarting');
  advance(99);
  assert.equal(workers.length, 1, 'no restart before the delay');
  advance(1);
  assert.equal(workers.length, 2);
  assert.deepEqual(log.slice(2), ['spawn 2', 'connect a to 2', 'connect b to 2']);
  assert.equal(supervisor.status, 'running');
});

test('quick crashes back off up to the cap; the user is told; stable uptime resets', () => {
  const { supervisor, log, workers, advance } = harness();
  supervisor.start();
  const waits: number[] = [];
  for (let i = 0; i < 4; i++) {
    const before = workers.length;
    workers.at(-1)?.crash();
    let waited = 0;
    while (workers.length === before) {
      advance(50);
      waited += 50;
    }
    waits.push(waited);
  }
  assert.deepEqual(waits, [100, 200, 400, 400]);
  assert.equal(log.filter((l) => l.startsWith('notify')).length, 1);
  advance(10_000);
  workers.at(-1)?.crash();
  advance(100);
  assert.equal(workers.length, 6, 'after a stable run the first delay is the base again');
});

test('removed clients are not reconnected', () => {
  const { supervisor, log, workers, advance } = harness();
  supervisor.addClient('a');
  supervisor.addClient('b');
  supervisor.start();
  supervisor.removeClient('b');
  log.length = 0;
  workers[0]?.crash();
  advance(100);
  assert.deepEqual(log, ['down a: exit code 1', 'spawn 2', 'connect a to 2']);
});

test('stop kills the worker without a restart, also during a backoff wait', () => {
  const first = harness();
  first.supervisor.addClient('a');
  first.supervisor.start();
  first.log.length = 0;
  first.supervisor.stop();
  assert.ok(first.workers[0]?.killed);
  first.advance(1_000);
  assert.deepEqual(first.log, [], 'no down, no respawn after a deliberate stop');
  assert.equal(first.supervisor.status, 'stopped');

  const second = harness();
  second.supervisor.start();
  second.workers[0]?.crash();
  second.supervisor.stop();
  second.advance(1_000);
  assert.equal(second.workers.length, 1);
  assert.equal(second.pendingTimers(), 0);
});

test('restart replaces the worker at once, tells clients, and does not count as a crash', () => {
  const { supervisor, log, workers, advance } = harness();
  supervisor.addClient('a');
  supervisor.start();
  log.length = 0;
  supervisor.restart('model variant changed');
  assert.ok(workers[0]?.killed);
  assert.deepEqual(log, ['down a: model variant changed', 'spawn 2', 'connect a to 2']);
  // The next real crash still starts from the base delay.
  workers[1]?.crash();
  advance(100);
  assert.equal(workers.length, 3);
});
