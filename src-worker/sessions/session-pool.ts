// Runs in the worker: the SessionPool, which owns the CPU session and the CoreML sessions, switches
// between them at run time without cutting an utterance, and falls back to CPU honestly.
//
// [Note: Leases pin a session]
// `acquire()` hands out a lease pinned to the session that is current at that moment, and the
// engine holds it for a whole utterance. `setProvider()` creates and warms the new session in the
// background while requests keep using the old one (no gap), and swaps only when the new one is
// ready. Leases taken before the swap keep the old session; it is released when its last lease is
// released, exactly once. The CPU session is never released: it is the fallback of every other.
//
// [Note: Honest fallback]
// A CoreML session that cannot be created (no CoreML on this machine, onnxruntime refuses the
// flags, the model does not convert) leaves the pool on CPU with the reason in
// ProviderState.fallbackReason. A CoreML run that fails (shape errors of this model under some
// flags) is retried on the CPU session within the same lease, whose `provider` and
// `fallbackReason` then say so, and the engine copies them into its metrics events; after
// COREML_FAILURES_BEFORE_FALLBACK failures in a row the pool itself switches to CPU.
//
// [Note: Warm-up timeout]
// Every new session runs once (the warm-up) before it becomes current; that first run is the slow
// one (CoreML compiles for the device). A CoreML warm-up that does not finish within
// `warmUpTimeoutMs` counts as a failed session, and a later CoreML run that takes longer than
// `runTimeoutMs` is retried on CPU and switches the pool to CPU at once (a session that stopped
// answering would only queue the next runs behind it). The timers can fire because each session
// runs in its own thread (see [Note: Inference thread] in session.ts): a native call that never
// returns blocks that thread only, and the pool abandons it (its release waits for the call). For
// a factory whose run blocks the calling thread, the elapsed-time check after the warm-up still
// catches a first run that took longer than the budget (heavy partitioning).

import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { InferenceSession } from 'onnxruntime-node';
import { defaultCacheDir } from '../assets/cache.ts';
import { benchStorePath, choiceKey, decideAuto } from './auto-provider.ts';
import { coreMlExecutionProviders, coreMlOptionsOf, describeCoreMl, type CoreMlOptions } from './coreml.ts';
import type { GraphPreference } from './graph-derive.ts';
import { detectProviders, usingCpu, type ProviderReport } from './providers.ts';
import { resolveThreads } from './threads.ts';
import type { ProviderChoice, ProviderState } from '../protocol/messages.ts';
import {
  createKokoroSession,
  type KokoroSession,
  type KokoroSessionOptions,
  type RunOutput,
  type SessionLease,
  type SessionSource,
  type WarmUpInput,
  warmUpInput,
} from './session.ts';

/** The least the pool needs of a loaded model (a KokoroSession, or a stand-in in tests). */
export type PoolSession = Pick<KokoroSession, 'run' | 'release'> & Partial<Pick<KokoroSession, 'graph'>>;

/** Which session to build: the provider, its options and the execution-provider list. */
export interface SessionSpec {
  /** Stable key, "cpu" or "coreml/<units>/<format>" (see choiceKey). */
  key: string;
  provider: 'cpu' | 'coreml';
  coreml?: CoreMlOptions;
  executionProviders: InferenceSession.ExecutionProviderConfig[];
}

/** Builds one session for a spec; the pool measures and warms it. */
export type SessionFactory = (spec: SessionSpec) => Promise<PoolSession>;

/** Session creation and first run of one session, cold, in milliseconds. */
export interface ColdStart {
  createMs: number;
  firstRunMs: number;
}

/** How a pool is built; everything but the model path has a default. */
export interface SessionPoolOptions {
  /** The model file; its name is shown in ProviderState.model. */
  modelPath: string;
  /** onnxruntime intra-op threads of every session, shown in ProviderState.threads. */
  threads?: number;
  /** Where the CPU session caches its optimised graph (createKokoroSession's option). */
  optimizedCacheDir?: string | null;
  /** Which graph sessions run (createKokoroSession's option; default the derived one). */
  graph?: GraphPreference;
  /** onnxruntime options over the defaults (createKokoroSession's option). */
  ortOptions?: KokoroSessionOptions['ortOptions'];
  /** Builds sessions (default: createKokoroSession without its own warm-up; tests inject one). */
  factory?: SessionFactory;
  /** What can run here (default: detectProviders()). */
  report?: ProviderReport;
  /** Resolves the `auto` provider (default: decideAuto on the results stored in the cache dir). */
  chooseAuto?: () => Promise<{ choice: ProviderChoice; reason: string }>;
  /** See [Note: Warm-up timeout]. */
  warmUpTimeoutMs?: number;
  /** See [Note: Warm-up timeout]. */
  runTimeoutMs?: number;
  /** The warm-up input (default: a few real phoneme ids and a flat style). */
  warmUp?: WarmUpInput;
  /** Load the CPU fallback when idle once CoreML is current (default true; see [Note: Idle warm-up]). */
  prewarmFallback?: boolean;
  /** Where a CoreML start in progress is noted (default: in the cache dir; null = never; see [Note: Crash marker]). */
  crashMarkerPath?: string | null;
}

// [Note: Crash marker]
// A native crash while CoreML compiles or first runs the model kills the whole worker process,
// not just its thread; main restarts the worker, which would start CoreML again from the saved
// settings and crash again. So while a CoreML session is being created and warmed, the pool keeps
// a small file naming it, and removes the file once that attempt ends either way. A pool that
// finds the file at start knows that choice took the previous worker down: the first request
// for it goes to CPU with that reason, and the file is removed, so choosing it again retries.

/** File name of the crash marker in the cache directory. */
export const CRASH_MARKER_FILE = 'coreml-starting.json';

// [Note: Idle warm-up]
// A CPU session that first loads when CoreML fails would add seconds of silence to that request.
// So once a CoreML session becomes current, the CPU fallback is loaded and warmed as soon as no
// utterance holds the current session (checked every IDLE_CHECK_MS), never during speech.

/** How often the pool checks for an idle moment to warm the CPU fallback. */
const IDLE_CHECK_MS = 2_000;

/** Budget for a CoreML session's first run before it counts as failed (see [Note: Warm-up timeout]). */
export const DEFAULT_WARM_UP_TIMEOUT_MS = 120_000;

/** Budget for any later CoreML run before it counts as hung (see [Note: Warm-up timeout]). */
export const DEFAULT_RUN_TIMEOUT_MS = 60_000;

/** CoreML run failures in a row after which the pool switches itself to CPU. */
export const COREML_FAILURES_BEFORE_FALLBACK = 2;

/** The spec of the CPU session. */
export const CPU_SPEC: SessionSpec = { key: 'cpu', provider: 'cpu', executionProviders: ['cpu'] };

interface Slot {
  spec: SessionSpec;
  /** The memoised load, started on first need (#ready): concurrent first callers share it. */
  loading: Promise<PoolSession> | undefined;
  session: PoolSession | undefined;
  leases: number;
  /** setProvider calls waiting for this slot to load; it is not released while any wait. */
  pending: number;
  /** Replaced as current; release once the last lease goes. */
  retired: boolean;
  released: boolean;
  coldStart: ColdStart | undefined;
}

/** The engine's default SessionSource: a pool over createKokoroSession with the engine's options. */
export function createSessionPool(modelPath: string, opts: KokoroSessionOptions = {}): SessionPool {
  return new SessionPool({
    modelPath,
    ...(opts.threads === undefined ? {} : { threads: opts.threads }),
    ...(opts.optimizedCacheDir === undefined ? {} : { optimizedCacheDir: opts.optimizedCacheDir }),
    ...(opts.graph === undefined ? {} : { graph: opts.graph }),
    ...(opts.ortOptions === undefined ? {} : { ortOptions: opts.ortOptions }),
  });
}

/** The worker's sessions, switched at run time with leases and honest CPU fallback. */
export class SessionPool implements SessionSource {
  readonly #factory: SessionFactory;
  readonly #model: string;
  readonly #threads: number;
  readonly #report: ProviderReport;
  readonly #chooseAuto: () => Promise<{ choice: ProviderChoice; reason: string }>;
  readonly #warmUpTimeoutMs: number;
  /** See [Note: Warm-up timeout]. */
  readonly runTimeoutMs: number;
  readonly #warmUp: WarmUpInput;
  readonly #slots = new Map<string, Slot>();
  readonly #cold = new Map<string, ColdStart>();
  #current: Slot;
  #requested: ProviderChoice = { provider: 'cpu' };
  #fallbackReason: string | undefined;
  #generation = 0;
  #coremlFailures = 0;
  #disposed = false;
  readonly #prewarmFallback: boolean;
  #idleTimer: NodeJS.Timeout | undefined;
  readonly #crashMarker: string | null;
  /** The CoreML key that took the previous worker down, until it is asked for once. */
  #crashedKey: string | undefined;

  constructor(options: SessionPoolOptions) {
    this.#model = options.modelPath;
    // See [Note: Intra-op threads] in threads.ts.
    const threads = (this.#threads = options.threads ?? resolveThreads().threads);
    const { modelPath, optimizedCacheDir, graph, ortOptions } = options;
    this.#factory =
      options.factory ??
      ((spec) =>
        createKokoroSession(modelPath, {
          executionProviders: spec.executionProviders,
          threads,
          // The pool runs the warm-up itself, to time it and to bound it (see [Note: Warm-up timeout]).
          warmUp: false,
          ...(optimizedCacheDir === undefined ? {} : { optimizedCacheDir }),
          ...(graph === undefined ? {} : { graph }),
          ...(ortOptions === undefined ? {} : { ortOptions }),
        }));
    this.#report = options.report ?? detectProviders();
    const report = this.#report;
    this.#chooseAuto = options.chooseAuto ?? (() => decideAuto(benchStorePath(defaultCacheDir()), report));
    this.#warmUpTimeoutMs = options.warmUpTimeoutMs ?? DEFAULT_WARM_UP_TIMEOUT_MS;
    this.runTimeoutMs = options.runTimeoutMs ?? DEFAULT_RUN_TIMEOUT_MS;
    this.#prewarmFallback = options.prewarmFallback ?? true;
    this.#crashMarker = options.crashMarkerPath === undefined ? path.join(defaultCacheDir(), CRASH_MARKER_FILE) : options.crashMarkerPath;
    this.#crashedKey = this.#readCrashMarker();
    this.#warmUp = options.warmUp ?? warmUpInput();
    // Lazy: the CPU session loads on first acquire() or prewarm(), not here.
    this.#current = this.#slot(CPU_SPEC);
  }

  /** What the pool runs on now, what was asked for, and why they differ. */
  state(): ProviderState {
    const state: ProviderState = {
      requested: this.#requested,
      active: this.#current.spec.provider,
      options: this.#report.options,
      model: path.basename(this.#model),
      threads: this.#threads,
    };
    if (this.#fallbackReason !== undefined) state.fallbackReason = this.#fallbackReason;
    const graph = (this.#current.session ?? this.#slots.get(CPU_SPEC.key)?.session)?.graph;
    if (graph !== undefined) state.graph = graph;
    return state;
  }

  /**
   * A lease on the current session (or on `choice` for this request only), loading it on first
   * use. The session is pinned now, so a switch that lands while this call waits does not move it.
   */
  async acquire(choice?: ProviderChoice): Promise<SessionLease> {
    this.#assertOpen();
    let slot: Slot;
    let reason: string | undefined;
    if (choice === undefined || choiceKey(choice) === choiceKey(this.#requested)) {
      slot = this.#current;
      reason = slot.spec.provider === 'cpu' ? this.#fallbackReason : undefined;
    } else {
      const resolved = await this.#resolve(choice);
      slot = this.#slot(resolved.spec);
      reason = resolved.reason;
    }
    slot.leases += 1;
    try {
      await this.#ready(slot);
    } catch (error) {
      slot.leases -= 1;
      if (slot.spec.provider === 'cpu') throw error;
      // A per-request CoreML override that cannot start: this request runs on CPU.
      const cpu = this.#slot(CPU_SPEC);
      cpu.leases += 1;
      try {
        await this.#ready(cpu);
      } catch (cpuError) {
        cpu.leases -= 1;
        throw cpuError;
      }
      return new Lease(this, cpu, usingCpu(`CoreML could not start: ${messageOf(error)}`));
    }
    return new Lease(this, slot, reason);
  }

  /**
   * Switches provider without a restart: builds and warms the new session in the background,
   * then swaps (see [Note: Leases pin a session]); resolves with the resulting state. If a later
   * call supersedes this one before it is ready, this one resolves with the state at that time.
   */
  async setProvider(choice: ProviderChoice): Promise<ProviderState> {
    this.#assertOpen();
    const generation = ++this.#generation;
    this.#requested = choice;
    const { spec, reason } = await this.#resolve(choice);
    const wanted = this.#slot(spec);
    let slot = wanted;
    let fallbackReason = reason;
    wanted.pending += 1;
    try {
      await this.#ready(wanted);
    } catch (error) {
      if (wanted.spec.provider === 'cpu') throw error;
      fallbackReason = usingCpu(`CoreML could not start: ${messageOf(error)}`);
      slot = this.#slot(CPU_SPEC);
      await this.#ready(slot);
    } finally {
      wanted.pending -= 1;
    }
    if (this.#disposed) return this.state();
    if (generation !== this.#generation) {
      // Superseded while loading: the newer call decides; drop this session if nobody uses it.
      if (slot !== this.#current) this.#retire(slot);
      return this.state();
    }
    this.#swap(slot, fallbackReason);
    return this.state();
  }

  /** Loads and warms the current session and the CPU fallback now, e.g. when the worker is idle. */
  async prewarm(): Promise<void> {
    this.#assertOpen();
    await Promise.all([this.#ready(this.#current), this.#ready(this.#slot(CPU_SPEC))]);
  }

  /** Cold-start figures of a choice's session (default: the current one), once it has loaded. */
  coldStart(choice?: ProviderChoice): ColdStart | undefined {
    const current = choice === undefined || choice.provider === 'auto' || choiceKey(choice) === choiceKey(this.#requested);
    return this.#cold.get(current ? this.#current.spec.key : choiceKey(choice));
  }

  /** Cold-start figures of every session loaded so far, by key ("cpu", "coreml/all/mlprogram"). */
  coldStarts(): Record<string, ColdStart> {
    return Object.fromEntries(this.#cold);
  }

  /** Releases every session, in use or not; later calls throw. */
  async dispose(): Promise<void> {
    if (this.#disposed) return;
    this.#disposed = true;
    clearTimeout(this.#idleTimer);
    const slots = [...this.#slots.values()];
    this.#slots.clear();
    await Promise.all(
      slots.map(async (slot) => {
        const session = await slot.loading?.catch(() => undefined);
        if (session && !slot.released) {
          slot.released = true;
          await session.release().catch(() => undefined);
        }
      }),
    );
  }

  // -------------------------------------------------------------------------------------------
  // Called by leases only (the Lease class below); not for the engine.

  /** A lease let go of `slot`. */
  leaseEnded(slot: Slot): void {
    slot.leases -= 1;
    this.#collect(slot);
  }

  /**
   * A run on `slot` (CoreML) failed and is retried on CPU; returns the CPU slot, leased. A hung
   * session (`hung`) makes the pool leave it at once; other failures only after a streak.
   */
  async fallBackFrom(slot: Slot, reason: string, hung = false): Promise<Slot> {
    const cpu = this.#slot(CPU_SPEC);
    cpu.leases += 1;
    try {
      await this.#ready(cpu);
    } catch (error) {
      cpu.leases -= 1;
      throw error;
    }
    this.#coremlFailures += 1;
    if (slot === this.#current && hung) {
      this.#swap(cpu, reason);
    } else if (slot === this.#current && this.#coremlFailures >= COREML_FAILURES_BEFORE_FALLBACK) {
      this.#swap(cpu, usingCpu(`CoreML failed ${this.#coremlFailures} times in a row (last: ${reason})`));
    }
    return cpu;
  }

  /** A CoreML run succeeded: the failure streak ends. */
  coremlSucceeded(): void {
    this.#coremlFailures = 0;
  }

  // -------------------------------------------------------------------------------------------

  #assertOpen(): void {
    if (this.#disposed) throw new Error('The session pool was disposed; create a new one.');
  }

  /** A concrete spec for a choice, with the reason when it is not what was asked for. */
  async #resolve(choice: ProviderChoice): Promise<{ spec: SessionSpec; reason: string | undefined }> {
    if (choice.provider === 'auto') {
      const decided = await this.#chooseAuto();
      const resolved = await this.#resolve(decided.choice);
      return { spec: resolved.spec, reason: resolved.reason ?? decided.reason };
    }
    if (choice.provider === 'cpu') return { spec: CPU_SPEC, reason: undefined };
    const coreml = coreMlOptionsOf(choice);
    if (this.#report.coremlFallbackReason !== undefined) {
      return { spec: CPU_SPEC, reason: this.#report.coremlFallbackReason };
    }
    const key = choiceKey({ provider: 'coreml', coreml });
    if (key === this.#crashedKey) {
      this.#crashedKey = undefined; // Asked for again after this, it is tried again.
      return {
        spec: CPU_SPEC,
        reason: `${describeCoreMl(coreml)} stopped Kokoro Bar's speech engine the last time it started; using CPU. Choose it again to retry.`,
      };
    }
    const units = this.#report.coremlUnits.find((u) => u.units === coreml.units);
    if (units && !units.available) {
      return { spec: CPU_SPEC, reason: usingCpu(`${describeCoreMl(coreml)} cannot run here: ${units.reason ?? ''}`) };
    }
    return {
      spec: {
        key: choiceKey({ provider: 'coreml', coreml }),
        provider: 'coreml',
        coreml,
        executionProviders: coreMlExecutionProviders(coreml),
      },
      reason: undefined,
    };
  }

  /** The slot of a spec, loading it once (see STYLE "Sessions load lazily, once"). */
  #slot(spec: SessionSpec): Slot {
    const existing = this.#slots.get(spec.key);
    if (existing && !existing.released) return existing;
    const slot: Slot = {
      spec,
      loading: undefined,
      session: undefined,
      leases: 0,
      pending: 0,
      retired: false,
      released: false,
      coldStart: undefined,
    };
    this.#slots.set(spec.key, slot);
    return slot;
  }

  /** The slot's session, loading it on first call. */
  #ready(slot: Slot): Promise<PoolSession> {
    if (slot.loading === undefined) {
      const loading = this.#load(slot);
      slot.loading = loading;
      // A failed load is forgotten, so the next request (after `kokoro-bar fetch`, or choosing
      // CoreML again) tries again without a restart. The CPU slot stays the one and only.
      loading.catch(() => {
        if (slot.loading === loading) slot.loading = undefined;
        if (slot.spec.provider !== 'cpu' && this.#slots.get(slot.spec.key) === slot) this.#slots.delete(slot.spec.key);
      });
    }
    return slot.loading;
  }

  async #load(slot: Slot): Promise<PoolSession> {
    if (slot.spec.provider !== 'coreml') return this.#loadAndWarm(slot);
    this.#writeCrashMarker(slot.spec.key);
    try {
      return await this.#loadAndWarm(slot);
    } finally {
      this.#removeCrashMarker();
    }
  }

  /** See [Note: Crash marker]. */
  #readCrashMarker(): string | undefined {
    if (this.#crashMarker === null) return undefined;
    try {
      const { key } = JSON.parse(readFileSync(this.#crashMarker, 'utf8')) as { key?: unknown };
      this.#removeCrashMarker();
      return typeof key === 'string' ? key : undefined;
    } catch {
      return undefined; // No marker (the usual case) or an unreadable one: nothing to avoid.
    }
  }

  #writeCrashMarker(key: string): void {
    if (this.#crashMarker === null) return;
    try {
      writeFileSync(this.#crashMarker, `${JSON.stringify({ key, pid: process.pid, at: new Date().toISOString() })}\n`);
    } catch {
      // An unwritable cache dir only loses the crash-loop guard.
    }
  }

  #removeCrashMarker(): void {
    if (this.#crashMarker !== null) rmSync(this.#crashMarker, { force: true });
  }

  async #loadAndWarm(slot: Slot): Promise<PoolSession> {
    const createdAt = performance.now();
    const session = await this.#factory(slot.spec);
    const createMs = performance.now() - createdAt;
    const ranAt = performance.now();
    const firstRun = session.run(this.#warmUp.ids, this.#warmUp.style, this.#warmUp.speed);
    try {
      if (slot.spec.provider === 'coreml') {
        await withTimeout(firstRun, this.#warmUpTimeoutMs, 'its first run did not finish');
      } else {
        await firstRun;
      }
    } catch (error) {
      // Release only once the run has settled: freeing a session under a running call is unsafe
      // (a run that never settles leaves its thread behind; see [Note: Warm-up timeout]).
      void firstRun.catch(() => undefined).finally(() => session.release().catch(() => undefined));
      throw error;
    }
    const firstRunMs = performance.now() - ranAt;
    if (slot.spec.provider === 'coreml' && firstRunMs > this.#warmUpTimeoutMs) {
      await session.release().catch(() => undefined);
      throw new Error(`its first run took ${formatSeconds(firstRunMs)}, more than the ${formatSeconds(this.#warmUpTimeoutMs)} allowed`);
    }
    slot.session = session;
    slot.coldStart = { createMs, firstRunMs };
    this.#cold.set(slot.spec.key, slot.coldStart);
    return session;
  }

  #swap(next: Slot, fallbackReason: string | undefined): void {
    const previous = this.#current;
    this.#current = next;
    next.retired = false;
    this.#fallbackReason = fallbackReason;
    this.#coremlFailures = 0;
    if (previous !== next) this.#retire(previous);
    if (next.spec.provider === 'coreml') this.#warmFallbackWhenIdle();
  }

  /** See [Note: Idle warm-up]. */
  #warmFallbackWhenIdle(): void {
    if (!this.#prewarmFallback || this.#idleTimer !== undefined) return;
    const check = (): void => {
      this.#idleTimer = undefined;
      if (this.#disposed || this.#slots.get(CPU_SPEC.key)?.loading !== undefined) return;
      if (this.#current.leases > 0) {
        this.#idleTimer = setTimeout(check, IDLE_CHECK_MS).unref();
        return;
      }
      // Failures surface again, with their reason, when the fallback is really needed.
      this.#ready(this.#slot(CPU_SPEC)).catch(() => undefined);
    };
    this.#idleTimer = setTimeout(check, IDLE_CHECK_MS).unref();
  }

  #retire(slot: Slot): void {
    if (slot.spec.provider === 'cpu' && slot.spec.key === CPU_SPEC.key) return; // the fallback stays
    slot.retired = true;
    this.#collect(slot);
  }

  #collect(slot: Slot): void {
    if (!slot.retired || slot.released || slot.leases > 0 || slot.pending > 0 || slot === this.#current) return;
    slot.released = true;
    if (this.#slots.get(slot.spec.key) === slot) this.#slots.delete(slot.spec.key);
    void slot.loading?.then(
      (session) => session.release().catch(() => undefined),
      () => undefined,
    );
  }
}

/** See [Note: Leases pin a session] and [Note: Honest fallback]. */
class Lease implements SessionLease {
  #slot: Slot;
  #released = false;
  provider: 'cpu' | 'coreml';
  fallbackReason: string | undefined;

  constructor(
    private readonly pool: SessionPool,
    slot: Slot,
    fallbackReason: string | undefined,
  ) {
    this.#slot = slot;
    this.provider = slot.spec.provider;
    this.fallbackReason = fallbackReason;
  }

  async run(ids: BigInt64Array, style: Float32Array, speed: number): Promise<RunOutput> {
    if (this.#released) throw new Error('This session lease was released; acquire a new one.');
    const slot = this.#slot;
    const session = slot.session as PoolSession;
    if (slot.spec.provider !== 'coreml') return session.run(ids, style, speed);
    try {
      const output = await withTimeout(session.run(ids, style, speed), this.pool.runTimeoutMs, 'did not finish');
      this.pool.coremlSucceeded();
      return output;
    } catch (error) {
      const hung = error instanceof RunTimeout;
      const reason = hung
        ? usingCpu(`CoreML stopped responding (a run ${messageOf(error)})`)
        : usingCpu(`CoreML failed on this text: ${messageOf(error)}`);
      const cpu = await this.pool.fallBackFrom(slot, reason, hung);
      const cpuSession = cpu.session as PoolSession;
      this.provider = 'cpu';
      this.fallbackReason = reason;
      if (this.#released) {
        // Released while CoreML ran (the engine stopped): finish this run, keep no hold.
        try {
          return await cpuSession.run(ids, style, speed);
        } finally {
          this.pool.leaseEnded(cpu);
        }
      }
      // The rest of this utterance stays on CPU: one voice, no flip-flopping between providers.
      this.#slot = cpu;
      this.pool.leaseEnded(slot);
      return cpuSession.run(ids, style, speed);
    }
  }

  release(): void {
    if (this.#released) return;
    this.#released = true;
    this.pool.leaseEnded(this.#slot);
  }
}

/** A run that did not settle within its budget. */
class RunTimeout extends Error {}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new RunTimeout(`${what} within ${formatSeconds(ms)}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function formatSeconds(ms: number): string {
  return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
}

/** onnxruntime's wording of known CoreML failures, and what they mean to a user. */
const KNOWN_COREML_ERRORS: [RegExp, string][] = [
  [/backend not found/i, 'this copy of onnxruntime-node has no CoreML backend'],
  [/does not have Apple Neural Engine/i, 'this Mac has no Neural Engine'],
];

function messageOf(error: unknown): string {
  // createKokoroSession wraps onnxruntime's error in a KokoroError about the model file; the
  // onnxruntime error (its cause) is the one that says what CoreML did not like.
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  const message = cause instanceof Error ? cause.message : String(cause);
  const known = KNOWN_COREML_ERRORS.find(([pattern]) => pattern.test(message));
  if (known) return known[1];
  // onnxruntime messages can run to many lines of graph detail; the first says what happened.
  return (message.split('\n')[0] ?? message).trim();
}
