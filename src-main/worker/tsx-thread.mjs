// Runs first in a Node worker thread whose entry is TypeScript (worker-thread.ts starts it for a
// .ts entry; tests that imitate other runtimes import it too): registers tsx, which worker
// threads do not inherit from the parent's `--import tsx` on Node 20, then imports the entry
// named in `workerData.entry` (a file URL). The app bundles the worker and needs none of this.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.entry);
