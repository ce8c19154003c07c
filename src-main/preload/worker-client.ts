// Runs in the preload script (and tests, under plain Node): the client end of a port to the
// worker. It queues requests while no worker is connected, remembers which requests have not
// ended, and when the worker dies answers each of them with a `worker-crashed` error.
//
// [Note: Who fails pending requests]
// When the worker crashes, every request still in flight must end in an `error` event, or the
// UI waits forever. Main learns of the crash (the utility process exits) but is deliberately not
// on the request path (PCM and requests go straight from renderer to worker), so it does not know
// the request ids. The preload does: every request passes through its `send`, and every event
// through its listener. So the bookkeeping lives here, beside the port: main's supervisor only
// says "worker down" to each window (an IPC message), and this client turns that into one
// `worker-crashed` error per unfinished request, then "up" when main hands it a new port. Main
// stays stateless about requests, and the same client serves the Node tests unchanged.

import { isTerminal, isWorkerEvent } from '../../src-worker/protocol/messages.ts';
import type { ErrorEvent, PortLike, WorkerEvent, WorkerRequest } from '../../src-worker/protocol/messages.ts';

/** Requests held while the worker is down; beyond this the oldest are answered with an error. */
export const MAX_QUEUED_REQUESTS = 64;

/** Whether a worker is connected. */
export type WorkerState = 'up' | 'down';

/** The client end of the worker connection (see [Note: Who fails pending requests]). */
export interface WorkerClient {
  /** Sends a request now, or when a worker is next connected. */
  send(request: WorkerRequest): void;
  /** Receives every worker event, including synthesised crash errors; returns an unsubscribe. */
  onEvent(listener: (event: WorkerEvent) => void): () => void;
  onState(listener: (state: WorkerState) => void): () => void;
  /** Connects a (new) worker port; queued requests go out on it. */
  attach(port: PortLike): void;
  /** The worker is gone: fails every unfinished request with `worker-crashed`. */
  workerDown(reason: string): void;
  /** Ids of requests sent or queued that have not ended. */
  pendingIds(): string[];
  readonly state: WorkerState;
}

/** Creates a client with no worker attached yet (state 'down', requests queue). */
export function createWorkerClient(): WorkerClient {
  const eventListeners = new Set<(event: WorkerEvent) => void>();
  const stateListeners = new Set<(state: WorkerState) => void>();
  const pending = new Set<string>();
  let queue: WorkerRequest[] = [];
  let port: PortLike | null = null;
  let detach: (() => void) | null = null;
  let state: WorkerState = 'down';

  const emit = (event: WorkerEvent): void => {
    if (isTerminal(event)) pending.delete(event.id);
    for (const listener of eventListeners) listener(event);
  };
  const setState = (next: WorkerState): void => {
    if (next === state) return;
    state = next;
    for (const listener of stateListeners) listener(next);
  };
  const crashError = (id: string, reason: string): ErrorEvent => ({
    type: 'error',
    id,
    code: 'worker-crashed',
    message: `The speech engine stopped unexpectedly (${reason}).`,
    action: 'It is restarting by itself; try again in a moment.',
  });

  return {
    get state() {
      return state;
    },
    send(request) {
      pending.add(request.id);
      if (port !== null) {
        port.postMessage(request);
        return;
      }
      queue.push(request);
      if (queue.length > MAX_QUEUED_REQUESTS) {
        const dropped = queue.shift();
        if (dropped !== undefined) emit(crashError(dropped.id, 'too many requests while it restarted'));
      }
    },
    onEvent(listener) {
      eventListeners.add(listener);
      return () => eventListeners.delete(listener);
    },
    onState(listener) {
      stateListeners.add(listener);
      return () => stateListeners.delete(listener);
    },
    attach(next) {
      detach?.();
      port = next;
      detach = next.onMessage((raw) => {
        if (isWorkerEvent(raw)) emit(raw);
      });
      setState('up');
      const waiting = queue;
      queue = [];
      for (const request of waiting) next.postMessage(request);
    },
    workerDown(reason) {
      detach?.();
      detach = null;
      port = null;
      // Queued requests never reached the dead worker: they go out on the next one.
      const queuedIds = new Set(queue.map((r) => r.id));
      for (const id of [...pending]) {
        if (!queuedIds.has(id)) emit(crashError(id, reason));
      }
      setState('down');
    },
    pendingIds() {
      return [...pending];
    },
  };
}
