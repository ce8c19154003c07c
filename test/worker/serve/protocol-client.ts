// Runs in the tests (plain Node): a protocol client on one end of a channel, shared by the tests
// that serve the engine (host.test.ts, entry-node.test.ts). It records every event, checks each is
// well formed, and resolves waits on conditions.

import assert from 'node:assert/strict';
import type { MessagePort } from 'node:worker_threads';
import { isTerminal, isWorkerEvent, type ChunkEvent, type WorkerEvent, type WorkerRequest } from '../../../src-worker/protocol/messages.ts';

/** A client that sends with `send` and hears what `subscribe` delivers. */
export function client(send: (request: WorkerRequest) => void, subscribe: (listener: (raw: unknown) => void) => void) {
  const events: WorkerEvent[] = [];
  const waiters: { check: () => boolean; resolve: () => void }[] = [];
  subscribe((raw) => {
    assert.ok(isWorkerEvent(raw), `a well-formed event: ${JSON.stringify(raw)}`);
    events.push(raw);
    for (const w of [...waiters]) {
      if (w.check()) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    }
  });
  const until = (check: () => boolean): Promise<void> =>
    check() ? Promise.resolve() : new Promise((resolve) => waiters.push({ check, resolve }));
  const of = (id: string) => events.filter((e) => e.id === id);
  const ended = (id: string) => until(() => of(id).some(isTerminal));
  return { events, send, until, of, ended };
}

/** A client over a worker_threads MessagePort. */
export function portClient(port: MessagePort) {
  return client(
    (request) => port.postMessage(request),
    (listener) => port.on('message', listener),
  );
}

// Checks [Note: One protocol] for one request: data events, then exactly one terminal, last.

/** The chunk events among `events`. */
export function chunksOf(events: WorkerEvent[]): ChunkEvent[] {
  return events.filter((e): e is ChunkEvent => e.type === 'chunk');
}
