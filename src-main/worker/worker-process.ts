// Runs in the Electron main process: the worker as an Electron utility process, adapted to the
// supervisor's WorkerHandle, and the MessageChannelMain plumbing that connects it to a client
// (see [Note: Supervising the worker]).

import { MessageChannelMain, utilityProcess, type MessagePortMain, type UtilityProcess } from 'electron';
import { fromMessagePortMain } from '../../src-worker/protocol/port-adapters.ts';
import type { PortLike } from '../../src-worker/protocol/messages.ts';
import { CONNECT_MESSAGE } from '../../src-worker/protocol/worker-env.ts';
import type { WorkerHandle } from './supervisor.ts';

/** A utility process running the worker entry. */
export interface UtilityWorker extends WorkerHandle {
  readonly child: UtilityProcess;
}

/** How to start the worker: its entry file and environment (asset folders, caches). */
export interface WorkerLaunch {
  entry: string;
  env: Record<string, string>;
}

/** Forks the worker entry as a utility process. */
export function spawnUtilityWorker(launch: WorkerLaunch): UtilityWorker {
  const child = utilityProcess.fork(launch.entry, [], {
    serviceName: 'Kokoro Bar Speech Engine',
    env: { ...process.env, ...launch.env },
    stdio: 'inherit',
  });
  let exitListener: ((reason: string) => void) | null = null;
  let exited = false;
  child.once('exit', (code) => {
    exited = true;
    exitListener?.(`exit code ${code}`);
  });
  return {
    child,
    onExit(listener) {
      exitListener = listener;
    },
    kill() {
      if (!exited) child.kill();
    },
  };
}

/** Adapts an Electron MessagePortMain to the protocol's PortLike (one adapter, in host.ts). */
export function mainPort(port: MessagePortMain): PortLike {
  return fromMessagePortMain(port);
}

/**
 * Makes a channel to `worker` and returns the client's end (the worker gets the other). PCM
 * then flows worker → client directly; main holds neither end afterwards unless it is the client.
 */
export function openChannel(worker: UtilityWorker): MessagePortMain {
  const { port1, port2 } = new MessageChannelMain();
  worker.child.postMessage(CONNECT_MESSAGE, [port1]);
  return port2;
}
