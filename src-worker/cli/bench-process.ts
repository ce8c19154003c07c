// Runs in the CLI (`kokoro-bar bench`) and the measuring tools: runs the benchmark in a child
// process that runs the engine as the app does, and hands back that process's figures.
//
// [Note: Bench in the engine's process]
// DESIGN.md defines memory as the worker's resident set, from the worker process itself. The app
// runs the worker as an esbuild bundle (build-main.ts) under Electron's Node; the CLI runs under
// tsx, which alone held ~40 MB more than bare Node at start here (80 vs 41 MB) and compiles every
// module in process. So `bench` builds the same kind of bundle of bench-child.ts (ESM, Node
// platform, npm packages external, inference-thread.js copied beside it: the worker bundle's
// recipe), forks it under plain Node with no loader and the worker's environment
// (WORKER_PROCESS_ENV), and every row's peak RSS is that child's own maxRSS; the CLI process's
// own peak is reported beside it (`cliProcess`), never added or subtracted. The bundle goes to
// dist/bench/ inside the package, so that its bare imports resolve from the package's
// node_modules as the app's worker bundle's do.

import { fork } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchProgress, BenchSweepOptions } from '../engine/bench.ts';
import { KokoroError } from '../engine/errors.ts';
import { WORKER_PROCESS_ENV } from '../protocol/worker-env.ts';
import type { BenchResult, ErrorCode } from '../protocol/messages.ts';

/** The package's root (src-worker/cli/../..). */
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** The entry bundled for the child. */
const CHILD_ENTRY = 'src-worker/serve/bench-child.ts';

/** Where the child's bundle is written, inside the package (see [Note: Bench in the engine's process]). */
export const BENCH_CHILD_BUNDLE = 'dist/bench/bench-child.js';

/** Loaded by URL beside the bundle at run time (as for the worker bundle, see build-main.ts). */
const SIDE_FILES = ['src-worker/sessions/inference-thread.js'];

/** Node 20.11 is the package's floor (package.json engines). */
const NODE_TARGET = 'node20';

/** Builds the child's bundle (about a second) and returns its path. */
export async function buildBenchChild(): Promise<string> {
  // esbuild comes with tsx, which the CLI itself runs on; imported here so nothing else pays for it.
  const { build } = await import('esbuild');
  const outfile = path.join(ROOT, ...BENCH_CHILD_BUNDLE.split('/'));
  await build({
    entryPoints: [CHILD_ENTRY],
    absWorkingDir: ROOT,
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: NODE_TARGET,
    packages: 'external',
    logLevel: 'warning',
    legalComments: 'none',
  });
  for (const file of SIDE_FILES) await fs.copyFile(path.join(ROOT, file), path.join(path.dirname(outfile), path.basename(file)));
  return outfile;
}

/** How to run the child: its bundle (default: build it now) and environment over the worker's (null removes a variable). */
export interface BenchChildOptions {
  bundle?: string;
  env?: Record<string, string | null>;
}

/** Runs runBenchSweep in a bundled child under plain Node (see [Note: Bench in the engine's process]). */
export async function runBenchInChild(opts: BenchSweepOptions, child: BenchChildOptions = {}): Promise<BenchResult | undefined> {
  const bundle = child.bundle ?? (await buildBenchChild());
  const { onProgress, ...options } = opts;
  const env: NodeJS.ProcessEnv = { ...process.env, ...WORKER_PROCESS_ENV };
  for (const [name, value] of Object.entries(child.env ?? {})) {
    if (value === null) delete env[name];
    else env[name] = value;
  }
  const proc = fork(bundle, [], {
    // No loader: the bundle is plain JavaScript, as the app's worker is.
    execArgv: [],
    // Structured clone, so NaN figures (a cold start not measured) arrive as NaN, not null.
    serialization: 'advanced',
    env,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise<BenchResult | undefined>((resolve, reject) => {
    let settled = false;
    const finish = (fn: () => void): void => {
      if (settled) return;
      settled = true;
      fn();
    };
    proc.on('message', (message: unknown) => {
      const m = message as { type?: unknown } & Record<string, unknown>;
      if (m.type === 'progress') onProgress?.(m['progress'] as BenchProgress, m['threads'] as number | undefined);
      else if (m.type === 'result') finish(() => resolve((m['result'] as BenchResult | null) ?? undefined));
      else if (m.type === 'error') {
        const text = String(m['message']);
        finish(() =>
          reject(
            typeof m['code'] === 'string'
              ? new KokoroError(m['code'] as ErrorCode, text, String(m['action'] ?? ''))
              : new Error(`The benchmark process failed: ${text}`),
          ),
        );
      }
    });
    proc.on('error', (error) => finish(() => reject(error)));
    proc.on('exit', (code, signal) =>
      finish(() => reject(new Error(`The benchmark process ended (${signal ?? `code ${code}`}) before it reported a result.`))),
    );
    proc.send({ type: 'bench', options });
  });
}
