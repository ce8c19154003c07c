// Runs in a Node worker thread of the browser dev host: registers tsx so the TypeScript worker
// entry can load (worker threads do not inherit the parent's `--import tsx` hooks on Node 20),
// then imports the entry named in workerData.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.entry);
