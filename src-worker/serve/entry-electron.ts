// Runs in the Electron utility process that main forks: the worker's Electron entry. It does not
// import electron: in a utility process `process.parentPort` exists by itself. Main sends
// CONNECT_MESSAGE with a MessagePortMain in `ports` for each client (see [Note: Supervising the
// worker] and [Note: Worker control messages]); each port is served by the engine of boot.ts,
// the same one entry-node.ts serves under plain Node.

import { fromMessagePortMain, type MessagePortMainLike } from '../protocol/port-adapters.ts';
import { describeControl, parseWorkerControl } from '../protocol/worker-env.ts';
import { bootWorker } from './boot.ts';

/** The utility process's link to main. */
interface ParentPort {
  on(event: 'message', listener: (event: { data: unknown; ports: MessagePortMainLike[] }) => void): void;
}

const parentPort = (process as unknown as { parentPort?: ParentPort }).parentPort;
if (parentPort === undefined) {
  throw new Error('entry-electron.ts must run in an Electron utility process; use entry-node.ts under Node.');
}

// Attached at once; the engine loads meanwhile.
const worker = bootWorker();
parentPort.on('message', (event) => {
  const message = parseWorkerControl(event.data);
  if (message?.type !== 'connect') {
    console.error(`kokoro-bar worker: ignored a message from main (${describeControl(event.data)}); expected a connect`);
    return;
  }
  for (const port of event.ports) worker.serve(fromMessagePortMain(port));
});
