// Runs in the worker (and the benchmark, tests): the "Auto" provider. It keeps the benchmark
// results measured on this machine in a JSON file in the cache directory and picks the provider
// that measured best, never guessing from the chip. That file is the one benchmark store: the
// benchmark adds to it, Auto and the thread choice read it, and the renderer's history panel gets
// it through a `bench-history` request. (Main's former `bench-history.json` in the user-data
// folder is no longer read; it is left where it is, not deleted.)
//
// [Note: Auto chooses from measurements]
// Whether CoreML beats the CPU for Kokoro depends on the chip, the macOS version, the compute
// units and how onnxruntime partitions this model, so no rule of thumb is trusted. The benchmark
// stores its rows here (`saveBenchResult`); Auto (`chooseAuto`) looks only at results whose
// machine (CPU model, platform, arch) is this one, takes each provider's newest rows, and ranks
// them: a provider that keeps up with playback (RTF p50 below 1) beats one that does not; among
// those, the lower median time to first audio wins, then the lower RTF. Providers that cannot run
// here now (see [Note: Provider detection]) are not candidates. No usable results means CPU, with
// a reason that tells the user to run the benchmark.

import { promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describeCoreMl, type CoreMlOptions } from './coreml.ts';
import type { ProviderReport } from './providers.ts';
import {
  DEFAULT_COREML_OPTIONS,
  type BenchPreset,
  type BenchResult,
  type BenchRow,
  type MachineInfo,
  type ProviderChoice,
} from '../protocol/messages.ts';

/** File name of the stored benchmark results inside the cache directory. */
export const BENCH_STORE_FILE = 'bench-results.json';

/** Version of the stored file's shape. */
const STORE_VERSION = 1;

/** How many benchmark results the store keeps (oldest dropped first). */
export const MAX_STORED_RESULTS = 20;

/** RTF at which synthesis just keeps up with playback. */
const REALTIME_RTF = 1;

/**
 * A benchmark row as stored. Its `choice` says which CoreML units and format a `coreml` row
 * measured; rows without one measured the default CoreML options ({@link DEFAULT_COREML_OPTIONS}).
 */
export type StoredBenchRow = BenchRow;

/** What Auto decided: a concrete provider (never `auto`) and the sentence that explains it. */
export interface AutoDecision {
  choice: ProviderChoice;
  reason: string;
}

/** The parts of MachineInfo that say "this machine". */
export type MachineIdentity = Pick<MachineInfo, 'cpu' | 'platform' | 'arch'>;

/** This machine's identity, as the benchmark records it in MachineInfo. */
export function thisMachine(): MachineIdentity {
  return { cpu: os.cpus()[0]?.model.trim() ?? 'unknown CPU', platform: process.platform, arch: process.arch };
}

/** Path of the stored results in `cacheDir`. */
export function benchStorePath(cacheDir: string): string {
  return path.join(cacheDir, BENCH_STORE_FILE);
}

/** Reads stored results, oldest first; a missing or damaged file reads as none. */
export async function readBenchResults(file: string): Promise<BenchResult[]> {
  let text: string;
  try {
    text = await fsp.readFile(file, 'utf8');
  } catch {
    return [];
  }
  try {
    const parsed = JSON.parse(text) as { version?: unknown; results?: unknown };
    if (parsed.version !== STORE_VERSION || !Array.isArray(parsed.results)) return [];
    return parsed.results.filter(isBenchResult);
  } catch {
    // A damaged file only means Auto has nothing to go on until the next benchmark rewrites it.
    return [];
  }
}

/** Appends a result to the store (keeping the newest MAX_STORED_RESULTS), atomically. */
export async function saveBenchResult(file: string, result: BenchResult): Promise<void> {
  const results = [...(await readBenchResults(file)), result].slice(-MAX_STORED_RESULTS);
  await fsp.mkdir(path.dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.tmp`;
  await fsp.writeFile(temp, `${JSON.stringify({ version: STORE_VERSION, results }, null, 1)}\n`);
  await fsp.rename(temp, file);
}

/** Stores a finished benchmark for Auto in the cache directory (errors are the caller's to log). */
export async function recordBenchmark(result: BenchResult, cacheDir: string): Promise<void> {
  await saveBenchResult(benchStorePath(cacheDir), result);
}

/** The `kokoro-bar doctor` line about Auto: what it would choose now, and why. */
export async function describeAuto(cacheDir: string, report: ProviderReport): Promise<string> {
  const decision = await decideAuto(benchStorePath(cacheDir), report);
  return `auto would use ${choiceKey(decision.choice)}: ${decision.reason}`;
}

/** Reads the store and decides (see [Note: Auto chooses from measurements]). */
export async function decideAuto(file: string, report: ProviderReport, machine = thisMachine()): Promise<AutoDecision> {
  return chooseAuto(await readBenchResults(file), report, machine);
}

/** Picks the best provider measured on `machine` among those `report` says can run (pure). */
export function chooseAuto(results: readonly BenchResult[], report: ProviderReport, machine: MachineIdentity): AutoDecision {
  const mine = results.filter((r) => sameMachine(r.machine, machine));
  if (mine.length === 0) {
    return {
      choice: { provider: 'cpu' },
      reason:
        'Auto uses CPU until the benchmark has been run on this machine; run it from the Benchmark panel or with `npx kokoro-bar bench`.',
    };
  }

  // Each candidate's newest rows; results are ordered oldest first, so later ones overwrite.
  const candidates = new Map<string, Candidate>();
  for (const result of [...mine].sort((a, b) => a.startedAt.localeCompare(b.startedAt))) {
    const byKey = new Map<string, Candidate>();
    for (const row of result.rows as StoredBenchRow[]) {
      const choice = choiceOfRow(row);
      if (!canRun(choice, report)) continue;
      const key = choiceKey(choice);
      const candidate = byKey.get(key) ?? { key, choice, rows: [], startedAt: result.startedAt };
      candidate.rows.push(row);
      byKey.set(key, candidate);
    }
    for (const [key, candidate] of byKey) candidates.set(key, candidate);
  }
  if (candidates.size === 0) {
    return {
      choice: { provider: 'cpu' },
      reason: 'Auto uses CPU: none of the providers benchmarked on this machine can run now; run the benchmark again.',
    };
  }

  const common = commonPresets([...candidates.values()]);
  const scored = [...candidates.values()].map((c) => score(c, common));
  scored.sort(compareScores);
  const best = scored[0] as Scored;
  const others = scored.slice(1).map((s) => `${label(s.candidate.choice)} ${describeScore(s)}`);
  const against = others.length > 0 ? `, against ${others.join('; ')}` : ' (the only provider benchmarked)';
  return {
    choice: best.candidate.choice,
    reason: `Auto chose ${label(best.candidate.choice)}: ${describeScore(best)}${against}, measured on this machine on ${best.candidate.startedAt.slice(0, 10)}.`,
  };
}

/** The concrete choice a stored row measured. */
export function choiceOfRow(row: StoredBenchRow): ProviderChoice {
  if (row.provider === 'cpu') return { provider: 'cpu' };
  const coreml: CoreMlOptions = row.choice?.coreml ?? DEFAULT_COREML_OPTIONS;
  return { provider: 'coreml', coreml: { units: coreml.units, mlProgram: coreml.mlProgram } };
}

/** A stable key for a concrete choice: "cpu" or "coreml/<units>/<mlprogram|neuralnetwork>". */
export function choiceKey(choice: ProviderChoice): string {
  if (choice.provider !== 'coreml') return choice.provider;
  const { units, mlProgram } = choice.coreml ?? DEFAULT_COREML_OPTIONS;
  return `coreml/${units}/${mlProgram ? 'mlprogram' : 'neuralnetwork'}`;
}

interface Candidate {
  key: string;
  choice: ProviderChoice;
  rows: StoredBenchRow[];
  startedAt: string;
}

interface Scored {
  candidate: Candidate;
  ttfaMs: number;
  rtf: number;
}

function score(candidate: Candidate, presets: Set<BenchPreset>): Scored {
  // Compare like with like: only presets every candidate measured (all of its own if none shared).
  const rows = candidate.rows.filter((r) => presets.has(r.preset));
  const use = rows.length > 0 ? rows : candidate.rows;
  return {
    candidate,
    ttfaMs: mean(use.map((r) => r.ttfaEngineMs.p50)),
    rtf: mean(use.map((r) => r.rtf.p50)),
  };
}

function compareScores(a: Scored, b: Scored): number {
  const aKeepsUp = a.rtf < REALTIME_RTF;
  const bKeepsUp = b.rtf < REALTIME_RTF;
  if (aKeepsUp !== bKeepsUp) return aKeepsUp ? -1 : 1;
  if (a.ttfaMs !== b.ttfaMs) return a.ttfaMs - b.ttfaMs;
  if (a.rtf !== b.rtf) return a.rtf - b.rtf;
  // Equal measurements: prefer CPU, the provider with no partitioning surprises.
  return a.candidate.choice.provider === 'cpu' ? -1 : b.candidate.choice.provider === 'cpu' ? 1 : 0;
}

function commonPresets(candidates: Candidate[]): Set<BenchPreset> {
  const sets = candidates.map((c) => new Set(c.rows.map((r) => r.preset)));
  const first = sets[0] ?? new Set<BenchPreset>();
  return new Set([...first].filter((p) => sets.every((s) => s.has(p))));
}

function describeScore(s: Scored): string {
  return `first audio ${Math.round(s.ttfaMs)} ms, RTF ${s.rtf.toFixed(2)}`;
}

function label(choice: ProviderChoice): string {
  return choice.provider === 'coreml' ? describeCoreMl(choice.coreml ?? DEFAULT_COREML_OPTIONS) : 'CPU';
}

function canRun(choice: ProviderChoice, report: ProviderReport): boolean {
  const option = report.options.find((o) => o.provider === choice.provider);
  if (!option?.available) return false;
  if (choice.provider !== 'coreml') return true;
  const units = (choice.coreml ?? DEFAULT_COREML_OPTIONS).units;
  return report.coremlUnits.some((u) => u.units === units && u.available);
}

function sameMachine(a: MachineInfo, b: MachineIdentity): boolean {
  return a.cpu === b.cpu && a.platform === b.platform && a.arch === b.arch;
}

function mean(values: number[]): number {
  return values.reduce((sum, v) => sum + v, 0) / Math.max(values.length, 1);
}

function isBenchResult(value: unknown): value is BenchResult {
  if (typeof value !== 'object' || value === null) return false;
  const r = value as Partial<BenchResult>;
  return (
    typeof r.startedAt === 'string' &&
    typeof r.machine === 'object' &&
    r.machine !== null &&
    Array.isArray(r.rows) &&
    r.rows.every(
      (row: Partial<BenchRow>) =>
        (row.provider === 'cpu' || row.provider === 'coreml') &&
        typeof row.preset === 'string' &&
        typeof row.ttfaEngineMs?.p50 === 'number' &&
        typeof row.rtf?.p50 === 'number',
    )
  );
}
