// Runs in the worker, the CLI and the tests: where the model files live on this machine and the
// cheap check, run at every start, that they are the files the fetcher verified.
//
// [Note: Verified stamps]
// Hashing the 92 MB model on every start would cost about a second of CPU before the first word.
// Instead the fetcher hashes each file once, in full, as it installs it, and records in
// `verified.json` the file's size, modification time and the sha256 it matched. At start we only
// `stat` each file and compare with its stamp and with the manifest: a truncated file (size), a
// file replaced or edited in place (mtime), a file nobody verified (no stamp) and a manifest that
// now expects other bytes (sha256) are all caught without reading a byte of the file. Rewriting a
// file while keeping its size and forging its mtime is not something this guards against; it
// guards against accidents, not attackers (the fetch itself is what checks the bytes).
//
// [Note: Re-verify before asking for a download]
// A stamp that does not match (a cache copied or restored from a backup, so every mtime is new)
// only means "not verified as it is now", not "damaged": before reporting a file, the check
// hashes it once, locally, and a file whose bytes are the manifest's is stamped again and passes.
// So a byte-identical copy of the cache costs one hash of each file at its first start and then
// starts as fast as the original; only files that are really missing, truncated or different
// are reported, counted and offered for download. Wording follows what happened: nothing there
// yet is a first run ("download"); a file that was there and is wrong is fetched "again".

import { promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { KokoroError } from '../engine/errors.ts';
import { DEFAULT_VARIANT, type ModelVariant } from '../protocol/messages.ts';
import { type AssetEntry, type Manifest, assetsFor, loadManifest } from './manifest.ts';
import { sha256File } from './fetch-http.ts';
import { cacheDirFor } from '../protocol/cache-dir.ts';

/** The stamp file inside the cache directory (see [Note: Verified stamps]). */
export const STAMP_FILE = 'verified.json';

const STAMP_VERSION = 1;

/** The command that installs or repairs the assets, as users should type it. */
export const FETCH_COMMAND = 'npx kokoro-bar fetch';

/** Where the assets of one variant live. */
export interface AssetPaths {
  /** The ONNX model file of `variant`. */
  model: string;
  /** config.json, whose `vocab` maps phoneme symbols to token ids. */
  config: string;
  /** Directory of `NAME.bin` voice tables. */
  voicesDir: string;
  variant: ModelVariant;
  cacheDir: string;
}

/** This machine's per-user cache directory (the rule is protocol/cache-dir.ts, shared with main). */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  return cacheDirFor(env, os.homedir(), platform, path);
}

/** The paths of the model, config and voices of `variant` (int8 unless asked) in `cacheDir`. */
export function assetPaths(opts: { cacheDir?: string; variant?: ModelVariant } = {}, manifest: Manifest = loadManifest()): AssetPaths {
  const cacheDir = path.resolve(opts.cacheDir ?? defaultCacheDir());
  const variant = opts.variant ?? DEFAULT_VARIANT;
  const voiceDirs = new Set(manifest.voices.map((v) => path.posix.dirname(v.path)));
  const [voicesRel] = [...voiceDirs];
  if (voicesRel === undefined || voiceDirs.size !== 1) {
    throw new Error('models/manifest.json must keep every voice in one directory.');
  }
  return {
    model: resolveIn(cacheDir, manifest.models[variant].path),
    config: resolveIn(cacheDir, manifest.config.path),
    voicesDir: resolveIn(cacheDir, voicesRel),
    variant,
    cacheDir,
  };
}

/** The path of a manifest-relative asset path inside `dir`. */
export function resolveIn(dir: string, relative: string): string {
  return path.join(dir, ...relative.split('/'));
}

/** The command that fixes the assets at `paths`, with only the flags that differ from defaults. */
export function fetchCommandFor(paths: Pick<AssetPaths, 'variant' | 'cacheDir'>): string {
  let command = FETCH_COMMAND;
  if (paths.variant !== DEFAULT_VARIANT) command += ` --variant ${paths.variant}`;
  if (path.resolve(paths.cacheDir) !== path.resolve(defaultCacheDir())) command += ` --cache "${paths.cacheDir}"`;
  return command;
}

// ---------------------------------------------------------------------------------------------
// Stamps

/** What the fetcher recorded about one installed file. */
export interface Stamp {
  size: number;
  mtimeMs: number;
  sha256: string;
}

type StampFile = { version: number; files: Record<string, Stamp> };

/** Reads the stamps of `cacheDir` (none if the file is missing or unreadable). */
export async function readStamps(cacheDir: string): Promise<Record<string, Stamp>> {
  try {
    const parsed = JSON.parse(await fsp.readFile(path.join(cacheDir, STAMP_FILE), 'utf8')) as Partial<StampFile>;
    if (parsed.version !== STAMP_VERSION || typeof parsed.files !== 'object' || parsed.files === null) return {};
    return parsed.files;
  } catch {
    // A missing or damaged stamp file only means "nothing verified yet": the fetcher rebuilds it.
    return {};
  }
}

/** Replaces the stamps of `cacheDir` atomically (temp file, then rename). */
export async function writeStamps(cacheDir: string, files: Record<string, Stamp>): Promise<void> {
  const target = path.join(cacheDir, STAMP_FILE);
  const temp = `${target}.${process.pid}.tmp`;
  const body: StampFile = { version: STAMP_VERSION, files };
  await fsp.writeFile(temp, `${JSON.stringify(body, null, 1)}\n`);
  await fsp.rename(temp, target);
}

/** True when `stamp` vouches for a file with this `stat` holding the manifest's bytes of `asset`. */
export function isStamped(stamp: Stamp | undefined, asset: Pick<AssetEntry, 'sha256'>, stat: { size: number; mtimeMs: number }): boolean {
  return stamp !== undefined && stamp.sha256 === asset.sha256 && stamp.size === stat.size && stamp.mtimeMs === stat.mtimeMs;
}

// ---------------------------------------------------------------------------------------------
// The cheap check

/** Why one file is not usable. */
export type AssetProblemKind = 'missing' | 'wrong-size' | 'damaged' | 'unverifiable';

/** One file that is not usable, and why. */
export interface AssetProblem {
  /** Absolute path of the file. */
  file: string;
  /** Its path relative to the cache directory, as in the manifest. */
  asset: string;
  kind: AssetProblemKind;
  message: string;
}

/** The outcome of checking the assets of one variant. */
export interface AssetCheck {
  ok: boolean;
  problems: AssetProblem[];
  /** Files looked at. */
  checked: number;
}

/** How much the cheap check trusts a directory. */
export interface CheckOptions {
  /**
   * 'stamp' (default): size and the fetcher's stamp, and a local re-hash of any file whose stamp
   * does not match (see [Note: Re-verify before asking for a download]). 'size': size only, for
   * a read-only copy sealed by other means (the models folder inside a code-signed app bundle,
   * whose mtimes packaging does not keep).
   */
  trust?: 'stamp' | 'size';
  /** Told each file that is being re-hashed, and how far (for a "verifying…" line in the UI). */
  onVerify?: (asset: string, bytes: number, total: number) => void;
}

/**
 * Checks that every file of `paths.variant` is present, has its manifest size and carries a
 * stamp from a full sha256 check (see [Note: Verified stamps]); a file whose stamp does not match
 * is hashed and, when its bytes are right, stamped again (see [Note: Re-verify before asking for
 * a download]).
 */
export async function checkAssets(paths: AssetPaths, manifest: Manifest = loadManifest(), opts: CheckOptions = {}): Promise<AssetCheck> {
  const stamps = await readStamps(paths.cacheDir);
  const assets = assetsFor(manifest, paths.variant);
  const problems: AssetProblem[] = [];
  const restamped: Record<string, Stamp> = {};
  for (const asset of assets) {
    const outcome = await checkOne(paths.cacheDir, asset, stamps[asset.path], opts);
    if (outcome === undefined) continue;
    if ('sha256' in outcome) restamped[asset.path] = outcome;
    else problems.push(outcome);
  }
  if (Object.keys(restamped).length > 0) await restamp(paths.cacheDir, restamped);
  return { ok: problems.length === 0, problems, checked: assets.length };
}

// Records the stamps of files that were re-verified, merged into the stamps on disk now. Skipped
// while a fetch holds the cache (it writes the stamps itself) and when the cache is read-only:
// the files were verified either way, the next start just hashes them again.
async function restamp(cacheDir: string, files: Record<string, Stamp>): Promise<void> {
  const fetching = await fsp.stat(path.join(cacheDir, FETCH_LOCK_FILE)).then(
    () => true,
    () => false,
  );
  if (fetching) return;
  try {
    await writeStamps(cacheDir, { ...(await readStamps(cacheDir)), ...files });
  } catch {
    // Read-only or full: see above.
  }
}

/** Lock file a fetch holds while it writes the cache (fetch.ts takes it). */
export const FETCH_LOCK_FILE = '.fetch.lock';

async function checkOne(
  cacheDir: string,
  asset: AssetEntry,
  stamp: Stamp | undefined,
  opts: CheckOptions,
): Promise<AssetProblem | Stamp | undefined> {
  const file = resolveIn(cacheDir, asset.path);
  const problem = (kind: AssetProblemKind, message: string): AssetProblem => ({ file, asset: asset.path, kind, message });
  let stat;
  try {
    stat = await fsp.stat(file);
  } catch {
    return problem('missing', `${file} is missing.`);
  }
  if (!stat.isFile()) return problem('missing', `${file} is not a file.`);
  if (stat.size !== asset.size) {
    return problem('wrong-size', `${file} is ${stat.size} bytes but should be ${asset.size} (truncated or a different file).`);
  }
  if (asset.sha256 === null) {
    return problem('unverifiable', `${file} cannot be verified: the manifest has no sha256 for it.`);
  }
  if ((opts.trust ?? 'stamp') === 'size' || isStamped(stamp, asset, stat)) return undefined;
  const onBytes = opts.onVerify ? (bytes: number) => opts.onVerify?.(asset.path, bytes, asset.size) : undefined;
  if ((await sha256File(file, onBytes)) !== asset.sha256) {
    return problem('damaged', `${file} does not match its sha256 (damaged or a different file).`);
  }
  // Stat again: the bytes hashed are the ones this size and mtime now vouch for.
  const now = await fsp.stat(file);
  return { size: now.size, mtimeMs: now.mtimeMs, sha256: asset.sha256 };
}

/** What a failed check asks of the user, worded for a first run or a repair. */
export interface AssetFix {
  /** KokoroError code: `model-missing` when only missing files are wrong. */
  code: 'model-missing' | 'model-corrupt';
  message: string;
  action: string;
  /** Nothing of this variant is there yet: a first download, not a repair. */
  firstRun: boolean;
}

const MEGABYTE = 1_000_000;

/**
 * Words a failed check: the first bad file and how many more there really are, and the command
 * that fixes them, saying "download" for files never there and "again" only for files that were
 * there and are wrong (see [Note: Re-verify before asking for a download]).
 */
export function describeProblems(check: AssetCheck, paths: AssetPaths, manifest: Manifest = loadManifest()): AssetFix | undefined {
  const first = check.problems[0];
  if (!first) return undefined;
  const command = fetchCommandFor(paths);
  const missing = check.problems.filter((p) => p.kind === 'missing');
  const bad = check.problems.filter((p) => p.kind !== 'missing');
  const firstRun = missing.length === check.checked;
  if (firstRun) {
    const bytes = assetsFor(manifest, paths.variant).reduce((sum, a) => sum + a.size, 0);
    return {
      code: 'model-missing',
      firstRun,
      message: `The Kokoro model files (${paths.variant}) are not downloaded yet: ${check.checked} files, ${Math.round(bytes / MEGABYTE)} MB, none in ${paths.cacheDir}.`,
      action: `Run \`${command}\` to download and verify them (once).`,
    };
  }
  const more = check.problems.length > 1 ? ` (${check.problems.length - 1} more file(s) also need fixing)` : '';
  const what =
    bad.length === 0
      ? 'download the missing file(s)'
      : missing.length === 0
        ? 'download the damaged file(s) again'
        : 'download the missing file(s) and the damaged one(s) again';
  return {
    code: bad.length === 0 ? 'model-missing' : 'model-corrupt',
    firstRun,
    message: `${first.message}${more}`,
    action: `Run \`${command}\` to ${what}; verified files are kept.`,
  };
}

/**
 * Throws a KokoroError (`model-missing` or `model-corrupt`) naming the first bad file, how many
 * more are really wrong and the command that fixes them, unless every file of `paths.variant`
 * passes the check.
 */
export async function ensureAssets(paths: AssetPaths, manifest: Manifest = loadManifest(), opts: CheckOptions = {}): Promise<void> {
  const fix = describeProblems(await checkAssets(paths, manifest, opts), paths, manifest);
  if (fix) throw new KokoroError(fix.code, fix.message, fix.action);
}
