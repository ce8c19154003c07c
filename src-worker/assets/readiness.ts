// Runs in the worker (Electron utility process, dev host thread, Node child): answers "can the
// engine speak?" honestly and fetches the model files with progress when it cannot, for the
// protocol's `readiness` and `fetch-model` requests (see protocol/messages.ts).
//
// [Note: Honest readiness]
// A worker that is up is not an engine that can speak. Ready means: every file of the engine's
// variant passes the check (size, stamp, else a local re-hash; see [Note: Re-verify before
// asking for a download] in cache.ts) and the warm-up (phonemizer, vocab, session) has
// succeeded. Missing or damaged files are `needs-fetch` (with `firstRun` when nothing is there
// yet, so the UI says "download", not "again"); a warm-up that fails for another reason is
// `failed` with its message. A fetch runs once per variant however many windows ask: a second
// `fetch-model` joins the first and hears the same progress. The variants are reported with
// whether each can be had here: installed, or a source that can deliver it (a local mirror, a
// registry copy, or an official host that answers), so the settings never offer a variant that
// would only fail.

import { promises as fsp } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { type AssetPaths, assetPaths, checkAssets, describeProblems, fetchCommandFor } from './cache.ts';
import { type Manifest, loadManifest } from './manifest.ts';
import { fetchAssets, type FetchOptions, type FetchProgress } from './fetch.ts';
import { assetsFor } from './manifest.ts';
import { localMirrorDirs } from './fetch.ts';
import { resolveIn } from './cache.ts';
import { KokoroError } from '../engine/errors.ts';
import {
  DEFAULT_VARIANT,
  MODEL_VARIANTS,
  type FetchProgressEvent,
  type ModelVariant,
  type ReadinessState,
  type VariantOption,
} from '../protocol/messages.ts';

/** How long an official host may take to answer the availability probe. */
export const PROBE_TIMEOUT_MS = 3_000;

/** Fewest milliseconds between two progress events of one file (the bar redraws ~10×/s). */
export const PROGRESS_INTERVAL_MS = 100;

/** One fetch's progress as the protocol carries it (without the request id). */
export type FetchProgressInfo = Omit<FetchProgressEvent, 'type' | 'id'>;

/** What the host needs: the state now, and fetching. */
export interface Readiness {
  /** The state now, then (through `onVariants`) again once every variant's sources are known. */
  state(onVariants?: (state: ReadinessState) => void): Promise<ReadinessState>;
  /** Fetches the files of `variant` (default: the engine's), or joins the fetch already running. */
  fetch(variant: ModelVariant | undefined, onProgress: (progress: FetchProgressInfo) => void): Promise<ReadinessState>;
}

/** How to build the readiness of one engine. */
export interface ReadinessOptions {
  /** Loads the phonemizer, vocab and session (Engine.warmUp). */
  warmUp: () => Promise<void>;
  /**
   * The cache the engine loads its files from; undefined when it was handed files by path
   * (KOKORO_BAR_ENGINE): then only the warm-up decides, and nothing can be fetched.
   */
  paths: AssetPaths | undefined;
  /** 'size' for the sealed copy inside an app bundle (see CheckOptions). */
  trust?: 'stamp' | 'size';
  manifest?: Manifest;
  /** Passed to fetchAssets (tests: from, localMirrors, network, registryClient). */
  fetchOptions?: Partial<FetchOptions>;
  /** Whether an official URL answers (tests replace it). */
  probe?: (url: string) => Promise<boolean>;
  env?: NodeJS.ProcessEnv;
}

/** The readiness of one engine (see [Note: Honest readiness]). */
export function createReadiness(opts: ReadinessOptions): Readiness {
  const manifest = opts.manifest ?? loadManifest();
  const env = opts.env ?? process.env;
  const probe = opts.probe ?? probeUrl;
  const variant: ModelVariant = opts.paths?.variant ?? DEFAULT_VARIANT;
  const fetches = new Map<ModelVariant, { promise: Promise<void>; listeners: Set<(p: FetchProgressInfo) => void>; firstRun: boolean }>();
  let reachable: Promise<Map<string, boolean>> | undefined;
  const fetchOptions: Partial<FetchOptions> = opts.fetchOptions ?? {};

  async function own(): Promise<ReadinessState> {
    const base = { variant, firstRun: false, variants: [] as VariantOption[] };
    const running = fetches.get(variant);
    if (running) {
      return {
        ...base,
        status: 'fetching',
        firstRun: running.firstRun,
        reason: `Downloading the ${variant} model files.`,
        action: 'Wait for the download to finish.',
      };
    }
    if (opts.paths) {
      const check = await checkAssets(opts.paths, manifest, opts.trust ? { trust: opts.trust } : {});
      const fix = describeProblems(check, opts.paths, manifest);
      if (fix) {
        return {
          ...base,
          status: 'needs-fetch',
          firstRun: fix.firstRun,
          reason: fix.message,
          action: appAction(fix.firstRun, fix.code, opts.paths),
        };
      }
    }
    try {
      await opts.warmUp();
      return { ...base, status: 'ready' };
    } catch (error) {
      const kokoro = error instanceof KokoroError ? error : undefined;
      const message = error instanceof Error ? error.message : String(error);
      const fileProblem = kokoro?.code === 'model-missing' || kokoro?.code === 'model-corrupt';
      return {
        ...base,
        status: fileProblem && opts.paths ? 'needs-fetch' : 'failed',
        reason: `The engine could not start: ${message}`,
        action: kokoro?.action ?? 'Press “Fetch model” to download and verify the model files again, or see `npx kokoro-bar doctor`.',
      };
    }
  }

  async function variants(): Promise<VariantOption[]> {
    const cacheDir = opts.paths?.cacheDir;
    if (cacheDir === undefined) return [{ variant, installed: true, available: true, downloadBytes: 0 }];
    reachable ??= probeOfficialHomes();
    const hosts = await reachable;
    const options: VariantOption[] = [];
    for (const v of MODEL_VARIANTS) {
      const paths = assetPaths({ cacheDir, variant: v }, manifest);
      const check = await checkAssets(paths, manifest, opts.trust ? { trust: opts.trust } : {});
      const missing = new Set(check.problems.map((p) => p.asset));
      const needed = assetsFor(manifest, v).filter((a) => missing.has(a.path));
      const downloadBytes = needed.reduce((sum, a) => sum + a.size, 0);
      if (check.ok) {
        options.push({ variant: v, installed: true, available: true, downloadBytes: 0 });
        continue;
      }
      const unobtainable: string[] = [];
      for (const asset of needed) {
        if (asset.sha256 === null) {
          unobtainable.push(`${asset.path} has no known sha256`);
          continue;
        }
        const local = await anyFile(localDirs().map((dir) => resolveIn(dir, asset.path)));
        const official = asset.urls.some((url) => hosts.get(url) === true);
        if (!local && !official && asset.mirrors.length === 0) unobtainable.push(`${asset.path} cannot be downloaded here`);
      }
      const [reason] = unobtainable;
      options.push(
        reason === undefined
          ? { variant: v, installed: false, available: true, downloadBytes }
          : {
              variant: v,
              installed: false,
              available: false,
              downloadBytes,
              reason: `${reason} (its official home did not answer and no registry has a copy).`,
            },
      );
    }
    return options;
  }

  function localDirs(): string[] {
    const dirs = fetchOptions.localMirrors ?? localMirrorDirs(manifest, env);
    return fetchOptions.from === undefined ? dirs : [fetchOptions.from, ...dirs];
  }

  // One probe per official URL that some not-installed file might need, all at once.
  async function probeOfficialHomes(): Promise<Map<string, boolean>> {
    if (fetchOptions.network === false) return new Map();
    const urls = [...new Set(Object.values(manifest.models).flatMap((m) => m.urls))];
    const results = await Promise.all(urls.map(async (url) => [url, await probe(url).catch(() => false)] as const));
    return new Map(results);
  }

  return {
    async state(onVariants) {
      const now = await own();
      if (onVariants) {
        // Always called, so the request always ends: without variants if they cannot be known.
        void (async () => {
          const list = await variants().catch(() => []);
          const again = await own().catch(() => now);
          onVariants({ ...again, variants: list });
        })();
      }
      return now;
    },

    async fetch(wanted, onProgress) {
      const target = wanted ?? variant;
      if (!opts.paths) {
        throw new KokoroError(
          'model-missing',
          'This engine was given its model files by path, so it cannot fetch them.',
          'Fix the files named in KOKORO_BAR_ENGINE, or unset it to use the verified cache.',
        );
      }
      let running = fetches.get(target);
      if (!running) {
        const listeners = new Set<(p: FetchProgressInfo) => void>();
        const tracker = progressTracker((p) => listeners.forEach((l) => l(p)));
        const cacheDir = opts.paths.cacheDir;
        const entry = { promise: Promise.resolve(), listeners, firstRun: false };
        entry.promise = (async () => {
          // Whether this is a first download, for the state reported while it runs.
          const before = await checkAssets(assetPaths({ cacheDir, variant: target }, manifest), manifest);
          entry.firstRun = before.problems.length === before.checked && before.problems.every((p) => p.kind === 'missing');
          await fetchAssets({ ...fetchOptions, cacheDir, variant: target, manifest, onProgress: tracker });
        })();
        running = entry;
        fetches.set(target, entry);
        // Forget it either way: a failed fetch can be asked for again, a finished one is a no-op.
        void entry.promise.then(
          () => fetches.delete(target),
          () => fetches.delete(target),
        );
      }
      running.listeners.add(onProgress);
      try {
        await running.promise;
      } finally {
        running.listeners.delete(onProgress);
      }
      reachable = undefined; // what is installed changed; probe again when asked
      return { ...(await own()), variants: await variants().catch(() => []) };
    },
  };
}

// What the app's user can do, worded for a first run or a repair ("again" only then).
function appAction(firstRun: boolean, code: 'model-missing' | 'model-corrupt', paths: AssetPaths): string {
  const cli = `or run \`${fetchCommandFor(paths)}\``;
  if (firstRun) return `Press “Fetch model” to download and verify them (once), ${cli}.`;
  return code === 'model-missing'
    ? `Press “Fetch model” to download the missing file(s), ${cli}; verified files are kept.`
    : `Press “Fetch model” to download the damaged file(s) again, ${cli}; verified files are kept.`;
}

/**
 * Turns the fetcher's events into throttled protocol progress: at most one event per file every
 * PROGRESS_INTERVAL_MS, but always the first and last of each file and every "installed".
 */
export function progressTracker(
  emit: (p: FetchProgressInfo) => void,
  now: () => number = () => performance.now(),
): (e: FetchProgress) => void {
  let files = 0;
  let filesDone = 0;
  let totalBytes = 0;
  let lastAt = -Infinity;
  let lastKey = '';
  return (event) => {
    switch (event.type) {
      case 'plan':
        files = event.files;
        totalBytes = event.bytes;
        return;
      case 'installed':
        filesDone = event.done;
        emit({ phase: 'installed', label: event.asset, bytes: event.bytes, total: event.bytes, filesDone, files, totalBytes });
        return;
      case 'transfer':
      case 'verify': {
        const phase = event.type === 'transfer' ? 'downloading' : 'verifying';
        const key = `${phase}:${event.label}`;
        const edge = key !== lastKey || event.bytes === 0 || event.bytes >= event.total;
        const t = now();
        if (!edge && t - lastAt < PROGRESS_INTERVAL_MS) return;
        lastAt = t;
        lastKey = key;
        emit({ phase, label: event.label, bytes: event.bytes, total: event.total, filesDone, files, totalBytes });
        return;
      }
      case 'source-failed':
        return;
    }
  };
}

async function anyFile(files: string[]): Promise<boolean> {
  for (const file of files) if ((await fsp.stat(file).catch(() => undefined))?.isFile()) return true;
  return false;
}

/** True when `url`'s host answers a HEAD request (any status below 500) within PROBE_TIMEOUT_MS. */
export function probeUrl(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      resolve(false);
      return;
    }
    const client = parsed.protocol === 'https:' ? https : http;
    const req = client.request(parsed, { method: 'HEAD', timeout: PROBE_TIMEOUT_MS }, (res) => {
      res.resume();
      resolve((res.statusCode ?? 500) < 500);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
    req.end();
  });
}
