// Runs as the worker under plain Node (a side-effect entry: import nothing from it), used by the
// dev host, the tests and anything else that runs the worker without Electron. Two ways:
// - a worker_threads Worker: serves every MessagePort handed to it in a connect message and
//   ends cleanly on `shutdown` (see [Note: Worker control messages]); start it with
//   src-main/worker/worker-thread.ts, which also registers tsx for this .ts file;
// - a forked child process: serves its parent over IPC (fork with `serialization: 'advanced'`
//   so PCM arrives as Float32Array) and ends when the parent disconnects.
// The engine is configured from the environment as in the utility process (WORKER_ENV, see
// boot.ts), so a thread or child gets its model variant, folders or files through `env`.

import { isMainThread, MessagePort, parentPort } from 'node:worker_threads';
import { fromNodePort, fromProcess } from '../protocol/port-adapters.ts';
import { describeControl, parseWorkerControl } from '../protocol/worker-env.ts';
import { bootWorker } from './boot.ts';

const worker = bootWorker();

if (!isMainThread && parentPort) {
  const parent = parentPort;
  // Closed on shutdown, so nothing keeps the thread alive once the sessions are released.
  const ports = new Set<MessagePort>();
  parent.on('message', (raw: unknown) => {
    const message = parseWorkerControl(raw);
    if (message?.type === 'connect' && message.port instanceof MessagePort) {
      const port = message.port;
      ports.add(port);
      port.once('close', () => ports.delete(port));
      worker.serve(fromNodePort(port));
    } else if (message?.type === 'shutdown') {
      void worker.shutdown().finally(() => {
        for (const port of ports) port.close();
        parent.close();
      });
    } else {
      console.error(`kokoro-bar worker: ignored a control message (${describeControl(raw)}); expected a connect with a port, or shutdown`);
    }
  });
} else if (process.send) {
  worker.serve(fromProcess(process));
  // The parent is the only client: without it there is nothing to serve.
  process.on('disconnect', () => void worker.shutdown().finally(() => process.exit(0)));
} else {
  console.error('entry-node.ts runs as a worker thread or as a forked child process, not on its own.');
  process.exit(2);
}
