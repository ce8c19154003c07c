// Runs in the worker, the CLI and the tests: the one module the rest of the app imports for model
// files. Where they live (`assetPaths`), whether they are usable (`checkAssets`, `ensureAssets`),
// how to get them (`fetchAssets`, `runFetchCommand`). See [Note: Asset sources] and
// [Note: Verified stamps] for the two design choices behind it.

export {
  CACHE_ENV,
  FETCH_COMMAND,
  STAMP_FILE,
  assetPaths,
  checkAssets,
  defaultCacheDir,
  describeProblems,
  ensureAssets,
  fetchCommandFor,
  type AssetCheck,
  type AssetFix,
  type CheckOptions,
  type AssetPaths,
  type AssetProblem,
  type AssetProblemKind,
} from './assets-cache.ts';
export {
  DEFAULT_VARIANT,
  MODEL_VARIANTS,
  loadManifest,
  parseManifest,
  parseVariant,
  type AssetEntry,
  type Manifest,
} from './assets-manifest.ts';
export { type FetchOptions, type FetchProgress, type FetchResult, fetchAssets } from './assets-fetch.ts';

/**
 * Runs `kokoro-bar fetch ARGS` and returns its exit code. The command module (progress bars,
 * argument parsing) is loaded only when called, so the worker, which imports this file for
 * `assetPaths`, never pays for it.
 */
export async function runFetchCommand(argv: string[]): Promise<number> {
  const command = await import('./assets-command.ts');
  return command.runFetchCommand(argv);
}
