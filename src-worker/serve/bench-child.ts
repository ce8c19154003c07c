// Runs as the child process of `kokoro-bar bench`, bundled by cli/bench-process.ts and started under
// plain Node with no loader, as the app's worker runs (an esbuild bundle): the process that runs
// the engine for the benchmark, so every row's peak RSS is the engine's own (see [Note: Bench in
// the engine's process] in cli/bench-process.ts). A side-effect entry: import nothing from it.
//
// Message in (once):  { type: 'bench', options: BenchSweepOptions without onProgress }
// Messages out:       { type: 'progress', progress, threads }, then { type: 'result', result } or
//                     { type: 'error', message, code?, action? }; then the process exits.

import { runBenchSweep, type BenchSweepOptions } from '../engine/bench.ts';
import { KokoroError } from '../engine/errors.ts';

/** What the parent sends: the sweep's options, checked only for their shape here (the CLI parsed them). */
type BenchMessage = { type: 'bench'; options: Omit<BenchSweepOptions, 'onProgress'> };

function isBenchMessage(message: unknown): message is BenchMessage {
  if (typeof message !== 'object' || message === null) return false;
  const { type, options } = message as { type?: unknown; options?: unknown };
  return type === 'bench' && typeof options === 'object' && options !== null && Array.isArray((options as { presets?: unknown }).presets);
}

const send = (message: object): Promise<void> =>
  new Promise((resolve) => {
    if (!process.send) resolve();
    else process.send(message, undefined, {}, () => resolve());
  });

if (!process.send) {
  console.error('bench-child runs as a child process of `kokoro-bar bench`, not on its own.');
  process.exit(2);
}

// The parent is the only client: without it there is nothing to report to.
process.on('disconnect', () => process.exit(0));

process.once('message', (message: unknown) => {
  void (async () => {
    if (!isBenchMessage(message)) {
      await send({ type: 'error', message: 'bench-child expected a { type: "bench", options } message.' });
      process.exit(2);
    }
    try {
      const result = await runBenchSweep({
        ...message.options,
        onProgress: (progress, threads) => void send({ type: 'progress', progress, threads }),
      });
      await send({ type: 'result', result });
    } catch (error) {
      await send(
        error instanceof KokoroError
          ? { type: 'error', message: error.message, code: error.code, action: error.action }
          : { type: 'error', message: error instanceof Error ? (error.stack ?? error.message) : String(error) },
      );
    }
    process.disconnect?.();
  })();
});
