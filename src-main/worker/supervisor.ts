// Runs in the Electron main process, the browser dev host and tests (no Electron import): keeps
// one worker alive for a set of clients (windows, pages). Spawning, connecting and timers are
// injected, so the same logic drives Electron's utility process in the app (worker-process.ts)
// and a Node worker thread in the dev host (worker-thread.ts).
//
// [Note: Supervising the worker]
// Each client (a renderer window) gets its own channel to the worker: `connect` makes it and
// hands one end to each side. When the worker exits without being asked to, the supervisor
// tells every client it is down (which fails their pending requests, see [Note: Who fails
// pending requests]), waits as the restart policy says (see [Note: Restart with backoff]),
// spawns a new worker and connects every client again. The app itself never goes down with it.

import { DEFAULT_RESTART_OPTIONS, initialRestartState, onCrash, type RestartOptions } from './restart-policy.ts';

/** A running worker process as the supervisor sees it. */
export interface WorkerHandle {
  /** Registers the (single) listener called when the process ends, asked to or not. */
  onExit(listener: (reason: string) => void): void;
  /** Ends the process. */
  kill(): void;
}

/** Effects the supervisor needs, injected. */
export interface SupervisorDeps<Handle extends WorkerHandle, Client> {
  spawn(): Handle;
  /** Makes a channel between `worker` and `client` and hands each its end. */
  connect(worker: Handle, client: Client): void;
  /** Tells `client` the worker died (its pending requests fail). */
  workerDown(client: Client, reason: string): void;
  /** Something the user should be told. */
  notify?(message: string): void;
  setTimer(callback: () => void, ms: number): () => void;
  now(): number;
  options?: RestartOptions;
}

/** What the supervisor is doing. */
export type SupervisorStatus = 'stopped' | 'running' | 'restarting';

/** Keeps a worker running for its clients (see [Note: Supervising the worker]). */
export interface Supervisor<Client> {
  start(): void;
  addClient(client: Client): void;
  removeClient(client: Client): void;
  /**
   * Replaces the worker now (e.g. the model variant changed): clients are told it is down, then
   * connected to a fresh one. Not counted as a crash.
   */
  restart(reason: string): void;
  /** Ends the worker for good (app quit); no restart follows. */
  stop(): void;
  readonly status: SupervisorStatus;
  /** Workers spawned so far, the first included. */
  readonly spawns: number;
}

/** Creates a supervisor; nothing runs until `start`. */
export function createSupervisor<Handle extends WorkerHandle, Client>(deps: SupervisorDeps<Handle, Client>): Supervisor<Client> {
  const options = deps.options ?? DEFAULT_RESTART_OPTIONS;
  const clients = new Set<Client>();
  let worker: Handle | null = null;
  let startedAt = 0;
  let status: SupervisorStatus = 'stopped';
  let policy = initialRestartState();
  let cancelTimer: (() => void) | null = null;
  let spawns = 0;

  const launch = (): void => {
    cancelTimer = null;
    const handle = deps.spawn();
    spawns += 1;
    worker = handle;
    startedAt = deps.now();
    status = 'running';
    handle.onExit((reason) => {
      if (worker !== handle) return; // an old worker we already replaced or stopped
      worker = null;
      if (status === 'stopped') return;
      const decision = onCrash(policy, deps.now() - startedAt, options);
      policy = decision.state;
      status = 'restarting';
      for (const client of clients) deps.workerDown(client, reason);
      if (decision.notify) {
        deps.notify?.(
          `The speech engine has crashed ${decision.state.consecutiveCrashes} times in a row ` +
            `(last: ${reason}). It keeps restarting; run \`npx kokoro-bar doctor\` to find out why.`,
        );
      }
      cancelTimer = deps.setTimer(launch, decision.delayMs);
    });
    for (const client of clients) deps.connect(handle, client);
  };

  return {
    get status() {
      return status;
    },
    get spawns() {
      return spawns;
    },
    start() {
      if (status !== 'stopped') return;
      launch();
    },
    addClient(client) {
      clients.add(client);
      if (worker !== null && status === 'running') deps.connect(worker, client);
    },
    removeClient(client) {
      clients.delete(client);
    },
    restart(reason) {
      if (status === 'stopped') return;
      cancelTimer?.();
      cancelTimer = null;
      const current = worker;
      worker = null; // its exit is now ignored
      current?.kill();
      for (const client of clients) deps.workerDown(client, reason);
      launch();
    },
    stop() {
      status = 'stopped';
      cancelTimer?.();
      cancelTimer = null;
      const current = worker;
      worker = null;
      current?.kill();
    },
  };
}
