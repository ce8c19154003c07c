// Runs under Node at build time (`npm run build:main`): bundles the Electron main process, the
// preload script and the worker's Electron entry into dist/ with esbuild, where paths.ts expects
// them (APP_FILES).
//
// [Note: Three bundles, three formats]
// - main (dist/main/main.js): ESM, Node platform; `electron` and every npm package stay external
//   (electron-builder ships node_modules; onnxruntime-node is native and cannot be bundled).
// - preload (dist/main/preload.cjs): CommonJS with everything inlined but `electron`, because a
//   sandboxed preload can neither load ESM nor require anything from node_modules. Built for the
//   browser platform so that a Node built-in sneaking into it fails the build, not the app.
// - worker (dist/worker/entry-electron.js): ESM, Node platform, packages external; the engine's
//   inference thread is plain JS loaded by URL beside the bundle, so it is copied there.

import { build, type BuildOptions } from 'esbuild';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { APP_FILES } from '../app/paths.ts';

/** The checkout's root. */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Electron 41 ships Node 24; the bundles may use anything it has. */
const NODE_TARGET = 'node22';

/** Chromium of Electron 41, for the preload. */
const CHROME_TARGET = 'chrome140';

/** Files loaded by URL at run time that must sit beside the worker bundle. */
const WORKER_SIDE_FILES = ['src-worker/sessions/inference-thread.js'];

const common: BuildOptions = {
  bundle: true,
  sourcemap: 'linked',
  logLevel: 'warning',
  absWorkingDir: ROOT,
  legalComments: 'none',
};

/** The bundles build:main makes. */
export type BundleName = 'main' | 'preload' | 'worker';

/** Builds the bundles (all three unless `only` names some); returns the files written. */
export async function buildMain(only: readonly BundleName[] = ['main', 'preload', 'worker']): Promise<string[]> {
  const out = (relative: string): string => path.join(ROOT, ...relative.split('/'));
  const builds: Record<BundleName, () => Promise<unknown>> = {
    main: () =>
      build({
        ...common,
        entryPoints: ['src-main/main.ts'],
        outfile: out(APP_FILES.main),
        platform: 'node',
        format: 'esm',
        target: NODE_TARGET,
        packages: 'external',
      }),
    preload: () =>
      build({
        ...common,
        entryPoints: ['src-main/preload/preload.ts'],
        outfile: out(APP_FILES.preload),
        platform: 'browser',
        format: 'cjs',
        target: CHROME_TARGET,
        external: ['electron'],
      }),
    worker: () =>
      build({
        ...common,
        entryPoints: ['src-worker/serve/entry-electron.ts'],
        outfile: out(APP_FILES.workerEntry),
        platform: 'node',
        format: 'esm',
        target: NODE_TARGET,
        packages: 'external',
      }),
  };
  const results = await Promise.allSettled(only.map((name) => builds[name]()));
  const failures = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failures.length > 0) {
    throw new Error(`build:main failed: ${failures.map((f) => (f.reason as Error).message).join('\n')}`);
  }
  const files: Record<BundleName, string> = { main: APP_FILES.main, preload: APP_FILES.preload, worker: APP_FILES.workerEntry };
  const written = only.map((name) => out(files[name]));
  for (const file of only.includes('worker') ? WORKER_SIDE_FILES : []) {
    const source = out(file);
    if (!(await exists(source))) continue;
    const target = path.join(path.dirname(out(APP_FILES.workerEntry)), path.basename(file));
    await fs.copyFile(source, target);
    written.push(target);
  }
  return written;
}

async function exists(file: string): Promise<boolean> {
  return fs.access(file).then(
    () => true,
    () => false,
  );
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const written = await buildMain();
  for (const file of written) console.log(`built ${path.relative(ROOT, file)}`);
}
