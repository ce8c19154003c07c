// Runs in the worker (and the CLI, tests, benchmark): one onnxruntime-node inference session of the
// Kokoro model, its options, and the simplest SessionSource (CPU only) the engine draws leases from.
//
// [Note: Session options]
// The model is one chain of big ops run for one utterance at a time, so a single op should use
// every core (intra-op threads = available parallelism) and nothing runs beside it (inter-op 1,
// sequential). Full graph optimisation fuses what it can; its result is written to disk and the
// next start loads that optimised graph with optimisation disabled: about a third faster to create
// here, and runs are as fast, so the cache stays. The optimised graph may contain layout transforms for this CPU (onnxruntime warns so),
// hence the cache key names the model file, the onnxruntime version, the platform and the CPU.
// Only CPU-only sessions use the cache: another provider wants the unfused graph to partition.
// The memory pattern is off: onnxruntime plans one block per input shape the second time it sees
// that shape, beside the arena blocks it already holds, and chunk lengths vary, so it only costs
// memory (the long preset's peak grew by ~170 MB over three runs with it, not without).
// The other memory options save little or cost more: no prepacking saves ~10 MB but prepacked
// weights are what makes ConvInteger/MatMulInteger fast, the device allocator for initializers
// changes nothing, no CPU arena multiplies the peak (every run allocates afresh and glibc keeps
// it), and arena shrinkage is a run option onnxruntime-node 1.30 does not pass on (it reads only
// `logSeverityLevel` and `tag`). What bounds the peak is the longest run (runs are capped at 40
// ids: [Note: Memory bounds chunk size] in plan.ts) and, on Linux, glibc's per-thread malloc
// arenas ([Note: Worker allocator] in protocol/worker-env.ts). So the session defaults stay.
//
// [Note: Session metadata]
// Kokoro exports differ: kokoro-onnx's takes `tokens`, `style`, `speed` (float32) and returns
// `audio`; onnx-community's takes `input_ids`, `style`, `speed` and returns `waveform`; some
// take `speed` as int32 (whole numbers only, so fractional speeds are rounded there). We read
// names and types from the session and never assume one export.
//
// [Note: Leases]
// An utterance acquires a SessionLease once and runs every chunk through it, so a provider
// switch in the middle (SessionPool.setProvider, see session-pool.ts) never cuts an utterance:
// the old session lives until its last lease is released.

import { createHash } from 'node:crypto';
import { existsSync, promises as fsp, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Worker, threadId } from 'node:worker_threads';
import * as ort from 'onnxruntime-node';
import { FETCH_COMMAND } from '../assets/cache.ts';
import { KokoroError } from '../engine/errors.ts';
import { DURATIONS_OUTPUT, resolveGraph, type DerivedEntry, type GraphPreference } from './graph-derive.ts';
import { detectProviders } from './providers.ts';
import { defaultThreads, gatherThreadFacts, resolveThreads } from './threads.ts';
import { DEFAULT_SPEED, type GraphState, type ProviderChoice, type ProviderState } from '../protocol/messages.ts';
import { STYLE_DIM } from '../engine/voices.ts';

/** onnxruntime log level 3 = errors only (its warnings are about things handled here). */
const ORT_LOG_ERRORS_ONLY = 3;

/** Warm-up ids: pad, the phonemes of "hello" (h ə l ˈ o ʊ) as vocab ids, pad. */
const WARM_UP_IDS = [0, 50, 83, 54, 156, 57, 135, 0];

/** A short input every session runs once before it serves requests. */
export interface WarmUpInput {
  ids: BigInt64Array;
  style: Float32Array;
  speed: number;
}

/** The warm-up input of every session (its own warm-up and the pool's): "hello", a flat style, normal speed. */
export function warmUpInput(): WarmUpInput {
  return { ids: BigInt64Array.from(WARM_UP_IDS, BigInt), style: new Float32Array(STYLE_DIM), speed: DEFAULT_SPEED };
}

/** Suffix of cached optimised graphs. */
const OPTIMIZED_SUFFIX = '.opt.onnx';

/** Samples per predicted duration frame: `durations` sum × this = the audio length. */
export const SAMPLES_PER_FRAME = 600;

/** What one run of the model gives back. */
export interface RunOutput {
  /** Mono PCM at 24 kHz (a fresh, transferable array). */
  pcm: Float32Array;
  /**
   * Predicted frames ({@link SAMPLES_PER_FRAME} samples each) of every padded input id (the pads
   * at both ends included); undefined when the graph has no `durations` output.
   */
  durations: Float32Array | undefined;
  /** onnxruntime's own run time, measured in the inference thread (no hops between threads). */
  inferMs: number;
}

/** One loaded Kokoro model. */
export interface KokoroSession {
  /** Runs padded ids with a style row at `speed`. */
  run(ids: BigInt64Array, style: Float32Array, speed: number): Promise<RunOutput>;
  /** Input names read from the model (see [Note: Session metadata]). */
  readonly inputNames: { readonly ids: string; readonly style: string; readonly speed: string };
  readonly outputName: string;
  /** The per-token duration output, when the graph has one (a derived graph does). */
  readonly durationsName: string | undefined;
  readonly speedType: 'float32' | 'int32';
  /** onnxruntime intra-op threads. */
  readonly threads: number;
  readonly modelPath: string;
  /** Which graph runs, and why (see [Note: Derived graph] in graph-derive.ts). */
  readonly graph: GraphState;
  /** The file the session was created from: the derived graph, or `modelPath`. */
  readonly graphPath: string;
  /** How loading went: creation time (with any derivation), warm-up run time, whether the optimised cache was used. */
  readonly load: { createMs: number; warmUpMs: number | undefined; fromCache: boolean };
  release(): Promise<void>;
}

/** Options of createKokoroSession; everything has a sensible default. */
export interface KokoroSessionOptions {
  executionProviders?: ort.InferenceSession.ExecutionProviderConfig[];
  threads?: number;
  /** Where optimised graphs are cached; undefined = the default cache; null = no cache. */
  optimizedCacheDir?: string | null;
  /** Run once at load so the first utterance does not pay for lazy allocations (default true). */
  warmUp?: boolean;
  /** onnxruntime session options over ours (measurements and tests; see [Note: Session options]). */
  ortOptions?: Partial<ort.InferenceSession.SessionOptions>;
  /** Which graph to run (default 'derived', falling back to the original with a reason). */
  graph?: GraphPreference;
  /** The expected derived file (default: from the manifest); null = none recorded (tests). */
  derivedEntry?: DerivedEntry | null;
}

/** The default directory for optimised graphs, beside the user's other caches. */
export function defaultOptimizedCacheDir(): string {
  const home = os.homedir();
  if (process.platform === 'darwin') return path.join(home, 'Library', 'Caches', 'Kokoro Bar', 'ort');
  const xdg = process.env['XDG_CACHE_HOME'];
  return path.join(xdg && path.isAbsolute(xdg) ? xdg : path.join(home, '.cache'), 'kokoro-bar-ort');
}

/**
 * Loads the model at `modelPath`, running its derived graph when it can be had (see [Note: Derived
 * graph] in graph-derive.ts) and the original otherwise; see [Note: Session options]. Throws
 * model-missing/-corrupt.
 */
export async function createKokoroSession(modelPath: string, opts: KokoroSessionOptions = {}): Promise<KokoroSession> {
  const fix = `Run \`${FETCH_COMMAND}\` to download the model again.`;
  let stat: { size: number; mtimeMs: number };
  try {
    stat = statSync(modelPath);
  } catch (error) {
    throw new KokoroError('model-missing', `The model file ${modelPath} is missing.`, `Run \`${FETCH_COMMAND}\` to download it.`, {
      cause: error,
    });
  }
  const threads = opts.threads ?? defaultThreads(gatherThreadFacts()).threads;
  const providers = opts.executionProviders ?? ['cpu'];
  const options: ort.InferenceSession.SessionOptions = {
    executionProviders: providers,
    // One op uses every core: an utterance is the only work this process does.
    intraOpNumThreads: threads,
    // The graph is a chain; a second pool would only compete with the intra-op threads.
    interOpNumThreads: 1,
    // Same reason: no parallel branches worth scheduling.
    executionMode: 'sequential',
    // Fuse everything onnxruntime can; the result is cached (see [Note: Session options]).
    graphOptimizationLevel: 'all',
    // Input lengths vary per chunk, so a memory pattern planned for one length is rarely reused,
    // and each new one is a second block beside the arena's (see [Note: Session options]).
    enableMemPattern: false,
    // Warnings only describe handled cases (e.g. the cached graph being CPU-specific).
    logSeverityLevel: ORT_LOG_ERRORS_ONLY,
    ...opts.ortOptions,
  };

  const cpuOnly = providers.every((p) => (typeof p === 'string' ? p : p.name) === 'cpu');
  const cacheDir = opts.optimizedCacheDir === undefined ? defaultOptimizedCacheDir() : opts.optimizedCacheDir;
  const optimizedFor = (file: string): string | undefined =>
    cpuOnly && cacheDir !== null ? path.join(cacheDir, cacheName(file, file === modelPath ? stat : statSync(file))) : undefined;

  const thread = new InferenceThread();
  try {
    const started = performance.now();
    // The derived graph when it can be had, else the original with the reason (see [Note: Derived graph]).
    const resolution = await resolveGraph(modelPath, {
      preference: opts.graph ?? 'derived',
      ...(opts.derivedEntry === undefined ? {} : { entry: opts.derivedEntry }),
    });
    let graph = resolution.state;
    let loaded: { described: Described; fromCache: boolean };
    try {
      loaded = await loadGraph(thread, resolution.modelPath, options, optimizedFor(resolution.modelPath), fix);
    } catch (error) {
      if (graph.kind !== 'derived') throw error;
      graph = { kind: 'original', reason: `onnxruntime could not load the derived graph: ${firstLine(error)}` };
      loaded = await loadGraph(thread, modelPath, options, optimizedFor(modelPath), fix);
    }
    const createMs = performance.now() - started;

    const kokoro = wrapSession(thread, loaded.described, modelPath, threads, fix);
    let warmUpMs: number | undefined;
    if (opts.warmUp ?? true) {
      const t = performance.now();
      const input = warmUpInput();
      await kokoro.run(input.ids, input.style, input.speed);
      warmUpMs = performance.now() - t;
    }
    return Object.assign(kokoro, {
      graph,
      graphPath: graph.kind === 'derived' ? resolution.modelPath : modelPath,
      load: { createMs, warmUpMs, fromCache: loaded.fromCache },
    });
  } catch (error) {
    await thread.terminate();
    throw error;
  }
}

/** Creates the session of `file` in `thread`, from its optimised copy when one is cached. */
async function loadGraph(
  thread: InferenceThread,
  file: string,
  options: ort.InferenceSession.SessionOptions,
  cached: string | undefined,
  fix: string,
): Promise<{ described: Described; fromCache: boolean }> {
  if (cached && existsSync(cached)) {
    try {
      // Already optimised: running the optimisers again would only cost start-up time.
      return { described: await thread.create(cached, { ...options, graphOptimizationLevel: 'disabled' }), fromCache: true };
    } catch {
      // A damaged cache entry is rebuilt from the model below.
      await fsp.rm(cached, { force: true });
    }
  }
  return { described: await createFromModel(thread, file, options, cached, fix), fromCache: false };
}

async function createFromModel(
  thread: InferenceThread,
  modelPath: string,
  options: ort.InferenceSession.SessionOptions,
  cached: string | undefined,
  fix: string,
): Promise<Described> {
  // onnxruntime writes the optimised graph while creating; write it under a temporary name and
  // rename it once complete, so a concurrent start never loads half a file.
  let temp: string | undefined;
  if (cached) {
    try {
      await fsp.mkdir(path.dirname(cached), { recursive: true });
      temp = `${cached}.${process.pid}.${threadId}.tmp`;
    } catch {
      temp = undefined; // An unwritable cache only costs start-up time.
    }
  }
  let described: Described;
  try {
    described = await thread.create(modelPath, temp ? { ...options, optimizedModelFilePath: temp } : options);
  } catch (error) {
    if (temp) await fsp.rm(temp, { force: true });
    throw new KokoroError('model-corrupt', `The model file ${modelPath} cannot be loaded: ${firstLine(error)}`, fix, {
      cause: error,
    });
  }
  if (temp && cached) await fsp.rename(temp, cached).catch(() => fsp.rm(temp, { force: true }));
  return described;
}

function cacheName(modelPath: string, stat: { size: number; mtimeMs: number }): string {
  const key = [
    path.resolve(modelPath),
    stat.size,
    Math.trunc(stat.mtimeMs),
    ort.env.versions.common,
    process.platform,
    process.arch,
    os.cpus()[0]?.model ?? '',
  ].join('\n');
  const digest = createHash('sha256').update(key).digest('hex').slice(0, 16);
  return `${path.basename(modelPath, '.onnx')}-${digest}${OPTIMIZED_SUFFIX}`;
}

// ---------------------------------------------------------------------------------------------
// The inference thread
//
// [Note: Inference thread]
// onnxruntime-node 1.30's `session.run` is synchronous on the calling thread (its promise only
// defers the call with setImmediate): a 3-second run freezes the event loop for 3 seconds. On the
// worker's own thread that would mean no stop request is read, no chunk posted and no clause
// phonemised while the model runs. So each session lives in its own worker_threads thread
// (inference-thread.js) and the worker's thread only posts ids and receives PCM (moved, not
// copied). This is what lets the engine phonemise chunk n+1 while chunk n runs and drop an
// in-flight run the moment a stop arrives. The thread is referenced only while a call is
// pending, so an idle session never keeps a CLI process alive.

type Metadata = { name: string; type: string | undefined };
type Described = { inputs: Metadata[]; outputs: Metadata[] };
type Reply = { id: number; ok: true; [key: string]: unknown } | { id: number; ok: false; message: string };

const THREAD_URL = new URL('./inference-thread.js', import.meta.url);

class InferenceThread {
  readonly #worker: Worker;
  readonly #pending = new Map<number, { resolve: (reply: Reply & { ok: true }) => void; reject: (error: Error) => void }>();
  #nextId = 1;
  #dead: Error | undefined;

  constructor() {
    // No execArgv: the thread is plain JavaScript and must not inherit a TypeScript loader.
    this.#worker = new Worker(THREAD_URL, { execArgv: [] });
    this.#worker.unref();
    this.#worker.on('message', (reply: Reply) => {
      const waiter = this.#pending.get(reply.id);
      if (!waiter) return;
      this.#settled(reply.id);
      if (reply.ok) waiter.resolve(reply);
      else waiter.reject(new Error(reply.message));
    });
    const fail = (error: Error): void => {
      this.#dead ??= error;
      for (const [id, waiter] of this.#pending) {
        this.#settled(id);
        waiter.reject(error);
      }
    };
    this.#worker.on('error', fail);
    this.#worker.on('exit', (code) => fail(new Error(`The inference thread exited (code ${code}).`)));
  }

  async create(modelPath: string, options: ort.InferenceSession.SessionOptions): Promise<Described> {
    const reply = await this.#call({ type: 'create', path: modelPath, options });
    return { inputs: reply['inputs'] as Metadata[], outputs: reply['outputs'] as Metadata[] };
  }

  async run(
    feeds: Record<string, { type: string; data: ArrayBufferView; dims: number[] }>,
    output: string,
    durations: string | undefined,
  ): Promise<RunOutput> {
    const reply = await this.#call({ type: 'run', feeds, output, durations });
    return {
      pcm: reply['pcm'] as Float32Array,
      durations: reply['durations'] as Float32Array | undefined,
      inferMs: reply['ms'] as number,
    };
  }

  async release(): Promise<void> {
    if (!this.#dead) await this.#call({ type: 'release' }).catch(() => undefined);
    await this.terminate();
  }

  async terminate(): Promise<void> {
    this.#dead ??= new Error('The session was released.');
    await this.#worker.terminate();
  }

  #call(message: Record<string, unknown>): Promise<Reply & { ok: true }> {
    if (this.#dead) return Promise.reject(this.#dead);
    const id = this.#nextId++;
    if (this.#pending.size === 0) this.#worker.ref();
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#worker.postMessage({ ...message, id });
    });
  }

  #settled(id: number): void {
    this.#pending.delete(id);
    if (this.#pending.size === 0) this.#worker.unref();
  }
}

function wrapSession(
  thread: InferenceThread,
  described: Described,
  modelPath: string,
  threads: number,
  fix: string,
): Omit<KokoroSession, 'load' | 'graph' | 'graphPath'> {
  const { inputs, outputs } = described;
  const wrong = (what: string): KokoroError =>
    new KokoroError(
      'model-corrupt',
      `The model file ${modelPath} is not a Kokoro model: ${what} (inputs: ${inputs.map((i) => i.name).join(', ')}; outputs: ${outputs.map((o) => o.name).join(', ')}).`,
      fix,
    );
  const ids = pick(inputs, ['tokens', 'input_ids'], 'int64');
  const style = pick(inputs, ['style', 'ref_s'], 'float32', [ids]);
  const speed = pick(inputs, ['speed'], undefined, [ids, style]);
  const output = pick(outputs, ['audio', 'waveform'], 'float32');
  if (!ids || !style || !speed || inputs.length !== 3) throw wrong('its inputs are not ids, style and speed');
  if (!output) throw wrong('it has no float32 audio output');
  if (speed.type !== undefined && speed.type !== 'float32' && speed.type !== 'int32') {
    throw wrong(`its speed input is ${speed.type}, not float32 or int32`);
  }
  const speedType = speed.type === 'int32' ? 'int32' : 'float32';
  const names = { ids: ids.name, style: style.name, speed: speed.name };
  const durations = outputs.find((o) => o.name === DURATIONS_OUTPUT && o !== output)?.name;

  return {
    inputNames: names,
    outputName: output.name,
    durationsName: durations,
    speedType,
    threads,
    modelPath,
    run(idsIn, styleIn, speedIn) {
      return thread.run(
        {
          [names.ids]: { type: 'int64', data: idsIn, dims: [1, idsIn.length] },
          [names.style]: { type: 'float32', data: styleIn, dims: [1, styleIn.length] },
          [names.speed]:
            speedType === 'int32'
              ? { type: 'int32', data: Int32Array.of(Math.round(speedIn)), dims: [1] }
              : { type: 'float32', data: Float32Array.of(speedIn), dims: [1] },
        },
        output.name,
        durations,
      );
    },
    release: () => thread.release(),
  };
}

// A value by one of its known names, else the first untaken one of the wanted type.
function pick(values: Metadata[], names: string[], type: string | undefined, taken: (Metadata | undefined)[] = []): Metadata | undefined {
  const free = values.filter((v) => !taken.includes(v));
  return free.find((v) => names.includes(v.name)) ?? (type === undefined ? free[0] : free.find((v) => v.type === type));
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0] ?? message;
}

// ---------------------------------------------------------------------------------------------
// Leases and sources

/** What one utterance holds for its whole life (see [Note: Leases]). */
export interface SessionLease {
  run(ids: BigInt64Array, style: Float32Array, speed: number): Promise<RunOutput>;
  readonly provider: 'cpu' | 'coreml';
  /** Why the provider differs from the one asked for, if it does. */
  readonly fallbackReason: string | undefined;
  release(): void;
}

/** Where the engine gets sessions from: this CPU source now, a CoreML-aware pool on macOS. */
export interface SessionSource {
  /** A lease on the session for `choice` (default: the current provider); loads on first use. */
  acquire(choice?: ProviderChoice): Promise<SessionLease>;
  state(): ProviderState;
  /** Switches the default provider; resolves once the new session is ready. */
  setProvider(choice: ProviderChoice): Promise<ProviderState>;
  dispose(): Promise<void>;
  /** Cold-start figures of the session for `choice` (default: the one in use), once loaded (for the benchmark). */
  coldStart?(choice?: ProviderChoice): { createMs: number; firstRunMs: number } | undefined;
}

/** The CPU-only SessionSource: one lazily loaded session, shared by every lease. */
export function createCpuSessionSource(
  modelPath: string,
  opts: KokoroSessionOptions = {},
  /** The loader (tests count its calls). */
  load: typeof createKokoroSession = createKokoroSession,
): SessionSource {
  let loading: Promise<KokoroSession> | undefined;
  let loaded: KokoroSession | undefined;
  let requested: ProviderChoice = { provider: 'cpu' };
  let report: ReturnType<typeof detectProviders> | undefined;
  const threads = opts.threads ?? resolveThreads().threads;

  // Memoised so concurrent first callers share one load; forgotten on failure so a later call
  // (after `kokoro-bar fetch`) tries again without a restart.
  const session = (): Promise<KokoroSession> => {
    loading ??= load(modelPath, { ...opts, threads }).then(
      (s) => (loaded = s),
      (error: unknown) => {
        loading = undefined;
        throw error;
      },
    );
    return loading;
  };

  const fallbackFor = (choice: ProviderChoice): string | undefined => {
    if (choice.provider !== 'coreml') return undefined;
    report ??= detectProviders();
    return report.coremlFallbackReason ?? 'This engine was started with the CPU provider only.';
  };

  return {
    async acquire(choice = requested) {
      const s = await session();
      return { run: (ids, style, speed) => s.run(ids, style, speed), provider: 'cpu', fallbackReason: fallbackFor(choice), release() {} };
    },
    state() {
      report ??= detectProviders();
      const fallbackReason = fallbackFor(requested);
      return {
        requested,
        active: 'cpu',
        ...(fallbackReason === undefined ? {} : { fallbackReason }),
        options: report.options,
        model: path.basename(modelPath),
        threads,
        ...(loaded ? { graph: loaded.graph } : {}),
      };
    },
    async setProvider(choice) {
      requested = choice;
      await session();
      return this.state();
    },
    async dispose() {
      const pending = loading;
      loading = undefined;
      loaded = undefined;
      const s = await pending?.catch(() => undefined);
      await s?.release();
    },
    coldStart() {
      return loaded ? { createMs: loaded.load.createMs, firstRunMs: loaded.load.warmUpMs ?? Number.NaN } : undefined;
    },
  };
}
