// Runs in main (launching the worker) and the CLI (launching the benchmark's engine process): the
// environment the worker process starts with, so both measure the same process.

/** Environment variables every worker process starts with. */
export const WORKER_PROCESS_ENV: Readonly<Record<string, string>> = {};
