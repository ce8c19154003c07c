// Runs in the Electron main process: the worker as an Electron utility process, adapted to the
// supervisor's WorkerHandle, and the MessageChannelMain plumbing that connects it to a client
// (see [Note: Supervising the worker]). Electron comes in as a parameter (main.ts passes its own),
// so only main.ts loads it at run time.

import type { MessagePortMain, UtilityProcess } from 'electron';
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

/** The parts of Electron these functions use. */
export type WorkerElectron = Pick<typeof import('electron'), 'MessageChannelMain' | 'utilityProcess'>;

/** Forks the worker entry as a utility process. */
export function spawnUtilityWorker({ utilityProcess }: Pick<WorkerElectron, 'utilityProcess'>, launch: WorkerLaunch): UtilityWorker {
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

/**
 * Makes a channel to `worker` and returns the client's end (the worker gets the other). PCM
 * then flows worker → client directly; main holds neither end afterwards unless it is the client.
 */
export function openChannel({ MessageChannelMain }: Pick<WorkerElectron, 'MessageChannelMain'>, worker: UtilityWorker): MessagePortMain {
  const { port1, port2 } = new MessageChannelMain();
  worker.child.postMessage(CONNECT_MESSAGE, [port1]);
  return port2;
}
