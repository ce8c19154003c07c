// Runs in the worker (for `benchmark` requests) and the CLI's engine process (`kokoro-bar bench`): the one
// benchmark, so the app's panel and the command line print comparable figures.
//
// [Note: Benchmark method]
// After a warm-up (phonemizer, session, one short utterance per provider) each preset is spoken
// `runs` times through the real engine, exactly as a speak request is, and measured as in
// [Note: What the engine measures] (TTFA = speak() called → first chunk handed over). Beside
// each run we measure the floor the pipeline cannot beat: the bare session run of the same
// first chunk (same ids, same style row, nothing else running), and the bare RTF, the
// onnxruntime run time of every chunk of that run (timed inside the inference thread) over its
// audio. The pipeline's own overhead is the distance between the two. Peak RSS is the high-water
// mark, after the preset, of the process that runs the engine ([Note: Peak RSS of this process]
// in metrics.ts; it only grows, so later presets include earlier ones): the worker for the app's
// panel, a bundled child for the CLI ([Note: Bench in the engine's process] in cli/bench-process.ts).
// The floor is the bare run of the graph the engine runs (the derived one, see [Note: Derived
// graph] in graph-derive.ts). So that its gain shows in one run, the same chunks are then run
// bare on the original graph too (`originalModel`): after every preset was measured and its peak
// RSS taken, in a second session loaded only then, so it never inflates the engine's figures.

import { createRequire } from 'node:module';
import os from 'node:os';
import type { Engine, EngineOptions } from './engine.ts';
import { createEngine } from './engine.ts';
import { createMeter, memory, stat } from './metrics.ts';
import type { GraphPreference } from '../sessions/graph-derive.ts';
import {
  DEFAULT_SPEED,
  DEFAULT_VOICE,
  SAMPLE_RATE,
  type BenchPreset,
  type BenchResult,
  type BenchRow,
  type EngineProcessInfo,
  type MachineInfo,
  type ProviderChoice,
} from '../protocol/messages.ts';
import { createKokoroSession } from '../sessions/session.ts';

/** The texts of the presets: a sentence, a paragraph, several paragraphs. */
export const BENCH_PRESETS: Readonly<Record<BenchPreset, string>> = {
  short: 'The quick brown fox jumps over the lazy dog.',
  medium:
    'Kokoro is a small speech model with eighty-two million parameters. ' +
    'It speaks clearly and naturally, and it runs comfortably on a laptop.',
  // Kept to about twenty seconds of speech: `bench --runs 3 --preset all` must finish in minutes
  // on a 2-core machine where the model runs slower than real time.
  long:
    'The lighthouse stood alone at the edge of the cliff. Every evening the keeper climbed the stairs.\n\n' +
    'Some nights the fog rolled in so thick that the beam seemed to stop at the glass.\n\n' +
    'When the last ship had passed, he wrote a line in his log and went to bed.',
};

/** Every preset, in the order they run. */
export const ALL_PRESETS: readonly BenchPreset[] = ['short', 'medium', 'long'];

/** Progress of a benchmark: `completed` of `total` runs, the one running named by `label`. */
export interface BenchProgress {
  completed: number;
  total: number;
  label: string;
}

/** What to benchmark. */
export interface BenchOptions {
  presets: readonly BenchPreset[];
  runs: number;
  /** Providers to compare (default: the engine's current one). */
  providers?: readonly ProviderChoice[];
  voice?: string;
  onProgress?: (progress: BenchProgress) => void;
  signal?: AbortSignal;
  /**
   * The source model file: when the engine runs the derived graph, the same chunks are also run
   * bare on this original graph (CPU, same threads) and reported as originalFloorMs/-Rtf.
   */
  originalModel?: string;
}

/** What one model run of a benchmark was given. */
type ModelInput = { ids: BigInt64Array; style: Float32Array; speed: number };

/** Runs the benchmark on `engine` (see [Note: Benchmark method]). */
export async function runBenchmark(engine: Engine, opts: BenchOptions): Promise<BenchResult> {
  const startedAt = new Date().toISOString();
  const voice = opts.voice ?? DEFAULT_VOICE;
  const providers: (ProviderChoice | undefined)[] = opts.providers?.length ? [...opts.providers] : [undefined];
  const total = providers.length * (1 + opts.presets.length * opts.runs);
  let completed = 0;
  const progress = (label: string): void => opts.onProgress?.({ completed, total, label });

  await engine.warmUp();
  const rows: BenchRow[] = [];
  // The inputs of every run of every row, for the original-graph floor measured at the end.
  const rowInputs: ModelInput[][][] = [];
  for (const provider of providers) {
    const name = provider?.provider ?? engine.sessions.state().requested.provider;
    progress(`${name}: warm-up`);
    await measureRun(engine, BENCH_PRESETS.short, voice, provider, opts.signal);
    completed++;
    for (const preset of opts.presets) {
      const runs: RunFigures[] = [];
      for (let i = 0; i < opts.runs; i++) {
        progress(`${name}: ${preset} ${i + 1}/${opts.runs}`);
        runs.push(await measureRun(engine, BENCH_PRESETS[preset], voice, provider, opts.signal));
        completed++;
      }
      const first = runs[0] as RunFigures;
      const cold = engine.sessions.coldStart?.(provider);
      const state = engine.sessions.state();
      rowInputs.push(runs.map((r) => r.inputs));
      rows.push({
        preset,
        provider: first.provider,
        runs: runs.length,
        ttfaEngineMs: stat(runs.map((r) => r.ttfaMs)),
        rtf: stat(runs.map((r) => r.rtf)),
        floorMs: stat(runs.map((r) => r.floorMs)),
        floorRtf: stat(runs.map((r) => r.floorRtf)),
        audioSeconds: first.audioSeconds,
        peakRssBytes: memory().peakRssBytes,
        ...(cold ? { coldStart: cold } : {}),
        // Which CoreML units/format this row measured, for Auto (see auto-provider.ts).
        ...(provider && provider.provider !== 'auto' ? { choice: provider } : {}),
        threads: state.threads,
        ...(state.graph ? { graph: state.graph } : {}),
      });
    }
  }
  if (opts.originalModel !== undefined && rows.some((r) => r.graph?.kind === 'derived')) {
    progress('original graph: bare runs');
    await measureOriginal(opts.originalModel, rows, rowInputs, opts.signal);
  }
  progress('done');
  return { startedAt, machine: machineInfo(engine), rows, engineProcess: engineProcess() };
}

/** What `kokoro-bar bench` measures: presets and runs, on one engine per swept thread count. */
export interface BenchSweepOptions {
  presets: readonly BenchPreset[];
  runs: number;
  /** The engine's options (assets, session); each swept engine gets them with its thread count. */
  engine: EngineOptions;
  graph: GraphPreference;
  /** Intra-op thread counts to sweep; undefined = the engine's default. */
  threads?: readonly number[];
  voice?: string;
  /** The source model, for the original-graph floor (see BenchOptions.originalModel); undefined = not measured. */
  originalModel?: string;
  /** Progress, with the swept thread count (undefined when not sweeping). */
  onProgress?: (progress: BenchProgress, threads: number | undefined) => void;
}

/**
 * Runs the benchmark on one engine per thread count and merges their rows into one result (a
 * session's threads are fixed when it is created; Auto compares the rows, see [Note: Intra-op
 * threads] in threads.ts). Runs in the process that runs the engine (see cli/bench-process.ts).
 */
export async function runBenchSweep(opts: BenchSweepOptions): Promise<BenchResult | undefined> {
  const base = opts.engine;
  let result: BenchResult | undefined;
  for (const count of opts.threads ?? [undefined]) {
    const engine = await createEngine({
      ...base,
      session: { ...base.session, graph: opts.graph, ...(count === undefined ? {} : { threads: count }) },
    });
    try {
      const one = await runBenchmark(engine, {
        presets: opts.presets,
        runs: opts.runs,
        ...(opts.originalModel === undefined ? {} : { originalModel: opts.originalModel }),
        ...(opts.voice === undefined ? {} : { voice: opts.voice }),
        onProgress: (p) => opts.onProgress?.(p, count),
      });
      result = result ? { ...result, rows: [...result.rows, ...one.rows] } : one;
    } finally {
      await engine.dispose();
    }
  }
  return result;
}

/** This process, which runs the engine (see [Note: What the engine measures] in metrics.ts). */
export function engineProcess(): EngineProcessInfo {
  const electron = process.versions['electron'];
  return {
    pid: process.pid,
    runtime: electron === undefined ? `node ${process.version}` : `electron ${electron}`,
    // A bundle names itself .js (dist/…); under tsx this module is still bench.ts.
    bundled: !import.meta.url.endsWith('.ts'),
  };
}

interface RunFigures {
  ttfaMs: number;
  rtf: number;
  floorMs: number;
  floorRtf: number;
  audioSeconds: number;
  provider: 'cpu' | 'coreml';
  /** Every chunk's model input, in order. */
  inputs: ModelInput[];
}

/** Runs every derived-graph row's chunks bare on the original graph and fills in its floors. */
async function measureOriginal(
  modelPath: string,
  rows: BenchRow[],
  rowInputs: ModelInput[][][],
  signal: AbortSignal | undefined,
): Promise<void> {
  const threads = rows[0]?.threads;
  const session = await createKokoroSession(modelPath, { graph: 'original', ...(threads === undefined ? {} : { threads }) });
  try {
    for (const [i, row] of rows.entries()) {
      if (row.graph?.kind !== 'derived' || row.provider !== 'cpu') continue;
      const firstMs: number[] = [];
      const rtfs: number[] = [];
      for (const inputs of rowInputs[i] ?? []) {
        let totalMs = 0;
        let samples = 0;
        for (const [n, input] of inputs.entries()) {
          if (signal?.aborted) throw new Error('The benchmark was stopped.');
          const out = await session.run(input.ids, input.style, input.speed);
          if (n === 0) firstMs.push(out.inferMs);
          totalMs += out.inferMs;
          samples += out.pcm.length;
        }
        // Over the audio the engine delivered (trimmed, with its pauses), as the row's RTF and
        // floor RTF are, so the three compare; the raw renders are longer (their pads).
        rtfs.push(totalMs / 1000 / (row.audioSeconds > 0 ? row.audioSeconds : samples / SAMPLE_RATE));
      }
      row.originalFloorMs = stat(firstMs);
      row.originalFloorRtf = stat(rtfs);
    }
  } finally {
    await session.release();
  }
}

async function measureRun(
  engine: Engine,
  text: string,
  voice: string,
  provider: ProviderChoice | undefined,
  signal: AbortSignal | undefined,
): Promise<RunFigures> {
  const requestedAt = performance.now();
  const meter = createMeter(requestedAt);
  let inferMs = 0;
  let firstInput: ModelInput | undefined;
  const inputs: ModelInput[] = [];
  let used: 'cpu' | 'coreml' = 'cpu';
  let waitFrom = requestedAt;
  const stream = engine.speak(text, { voice, speed: DEFAULT_SPEED, ...(provider ? { provider } : {}), ...(signal ? { signal } : {}) });
  for await (const chunk of stream) {
    meter.chunk(chunk.pcm, performance.now() - waitFrom, chunk.dropped);
    meter.posted();
    inferMs += chunk.timings.inferMs;
    firstInput ??= chunk.input;
    inputs.push(chunk.input);
    used = chunk.provider;
    waitFrom = performance.now();
  }
  if (!firstInput || meter.ttfaMs === undefined) throw new Error('The benchmark was stopped.');
  // The floor: the same first chunk, run bare on the same provider with nothing else running.
  const lease = await engine.sessions.acquire(provider);
  let floorMs: number;
  try {
    floorMs = (await lease.run(firstInput.ids, firstInput.style, firstInput.speed)).inferMs;
  } finally {
    lease.release();
  }
  return {
    ttfaMs: meter.ttfaMs,
    rtf: meter.rtf,
    floorMs,
    floorRtf: inferMs / 1000 / meter.audioSeconds,
    audioSeconds: meter.audioSeconds,
    provider: used,
    inputs,
  };
}

/** The machine the figures belong to. */
export function machineInfo(engine: Engine): MachineInfo {
  const require = createRequire(import.meta.url);
  let onnxruntime = 'unknown';
  try {
    onnxruntime = (require('onnxruntime-node/package.json') as { version: string }).version;
  } catch {
    // Reported as unknown; the benchmark itself would have failed without the package.
  }
  return {
    cpu: os.cpus()[0]?.model.trim() ?? 'unknown CPU',
    cores: os.availableParallelism(),
    memoryBytes: os.totalmem(),
    platform: process.platform,
    arch: process.arch,
    node: process.version,
    onnxruntime,
    model: engine.sessions.state().model,
  };
}
