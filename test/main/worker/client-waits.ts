// Runs in the tests (plain Node): waits on a WorkerClient, shared by the supervisor tests that run
// real workers (worker-supervisor.test.ts, worker-thread.test.ts).

import type { WorkerClient } from '../../../src-main/preload/worker-client.ts';
import type { WorkerEvent } from '../../../src-worker/protocol/messages.ts';

/** Resolves with the events of request `id` up to and including its terminal event. */
export function collect(client: WorkerClient, id: string, onEvent?: (event: WorkerEvent) => void): Promise<WorkerEvent[]> {
  return new Promise((resolve) => {
    const events: WorkerEvent[] = [];
    const off = client.onEvent((event) => {
      if (event.id !== id) return;
      events.push(event);
      onEvent?.(event);
      if (event.type === 'done' || event.type === 'error') {
        off();
        resolve(events);
      }
    });
  });
}

/** Resolves once the client's worker state is `state`. */
export function until(client: WorkerClient, state: 'up' | 'down'): Promise<void> {
  if (client.state === state) return Promise.resolve();
  return new Promise((resolve) => {
    const off = client.onState((s) => {
      if (s === state) {
        off();
        resolve();
      }
    });
  });
}
