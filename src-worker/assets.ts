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
  ensureAssets,
  fetchCommandFor,
  type AssetCheck,
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
export { FETCH_USAGE, runFetchCommand } from './assets-command.ts';
