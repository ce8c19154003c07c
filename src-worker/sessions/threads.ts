// Runs in the worker (and the CLI, tests, benchmark): how many onnxruntime intra-op threads a
// session uses when nobody said.
//
// [Note: Intra-op threads]
// One run uses every thread it is given, and the model is the only heavy work of the process. On
// Apple Silicon the efficiency cores are much slower than the performance cores, and an op split
// evenly across both waits for its slowest share, so the default there is the performance-core
// count (`sysctl -n hw.perflevel0.physicalcpu`); elsewhere it is the cores this process may use
// (`os.availableParallelism()`). Once the benchmark has swept thread counts on this machine
// (`kokoro-bar bench --threads 1,2,4`), the count whose CPU rows measured the lowest RTF is used
// instead: measured beats assumed. The logic is pure over injected facts so it is tested anywhere.

import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { benchStorePath, thisMachine, type MachineIdentity } from './auto-provider.ts';
import { defaultCacheDir } from '../assets/cache.ts';
import type { BenchResult } from '../protocol/messages.ts';

/** What the thread default depends on. */
export interface ThreadFacts {
  platform: NodeJS.Platform;
  /** Apple Silicon (even when this process is translated). */
  appleSilicon: boolean;
  /** `hw.perflevel0.physicalcpu`: performance cores, on Apple Silicon; undefined elsewhere or unreadable. */
  performanceCores: number | undefined;
  /** Cores this process may use. */
  cores: number;
}

/** A thread count and the sentence that says where it came from (shown by doctor). */
export interface ThreadChoice {
  threads: number;
  reason: string;
}

/** Reads the facts of this machine (runs `sysctl` on macOS only). */
export function gatherThreadFacts(): ThreadFacts {
  const platform = process.platform;
  const cores = os.availableParallelism();
  if (platform !== 'darwin') return { platform, appleSilicon: false, performanceCores: undefined, cores };
  const appleSilicon =
    process.arch === 'arm64' || (os.cpus()[0]?.model ?? '').startsWith('Apple') || sysctlNumber('hw.optional.arm64') === 1;
  return { platform, appleSilicon, performanceCores: appleSilicon ? sysctlNumber('hw.perflevel0.physicalcpu') : undefined, cores };
}

/** The default before any measurement (see [Note: Intra-op threads]); pure. */
export function defaultThreads(facts: ThreadFacts): ThreadChoice {
  const cores = Math.max(1, Math.trunc(facts.cores));
  if (facts.appleSilicon && facts.performanceCores !== undefined && facts.performanceCores >= 1) {
    const threads = Math.min(Math.trunc(facts.performanceCores), cores);
    return { threads, reason: `${threads} = the performance cores of this Apple Silicon Mac (hw.perflevel0.physicalcpu)` };
  }
  return { threads: cores, reason: `${cores} = the cores available to this process` };
}

/**
 * The thread count whose stored CPU benchmark rows on `machine` have the lowest mean RTF p50
 * (over presets every swept count measured), if at least two counts were measured; pure.
 */
export function bestMeasuredThreads(results: readonly BenchResult[], machine: MachineIdentity): ThreadChoice | undefined {
  const byThreads = new Map<number, Map<string, number[]>>();
  for (const result of results) {
    const m = result.machine;
    if (m.cpu !== machine.cpu || m.platform !== machine.platform || m.arch !== machine.arch) continue;
    for (const row of result.rows) {
      if (row.provider !== 'cpu' || typeof row.threads !== 'number' || !Number.isFinite(row.rtf.p50)) continue;
      const presets = byThreads.get(row.threads) ?? new Map<string, number[]>();
      presets.set(row.preset, [...(presets.get(row.preset) ?? []), row.rtf.p50]);
      byThreads.set(row.threads, presets);
    }
  }
  if (byThreads.size < 2) return undefined;
  const sets = [...byThreads.values()].map((p) => new Set(p.keys()));
  const common = [...(sets[0] ?? [])].filter((preset) => sets.every((s) => s.has(preset)));
  if (common.length === 0) return undefined;
  const scored = [...byThreads.entries()].map(([threads, presets]) => ({
    threads,
    rtf: mean(common.map((preset) => mean(presets.get(preset) ?? []))),
  }));
  // Lowest RTF; a tie goes to fewer threads (less contention with the rest of the machine).
  scored.sort((a, b) => a.rtf - b.rtf || a.threads - b.threads);
  const best = scored[0];
  if (!best) return undefined;
  const others = scored
    .slice(1)
    .map((s) => `${s.threads}: ${s.rtf.toFixed(2)}`)
    .join(', ');
  return {
    threads: best.threads,
    reason: `${best.threads} = the best RTF measured here by the benchmark (${best.rtf.toFixed(2)}; ${others})`,
  };
}

/** The measured best when there is one, else the default; pure. */
export function chooseThreads(facts: ThreadFacts, results: readonly BenchResult[], machine: MachineIdentity): ThreadChoice {
  return bestMeasuredThreads(results, machine) ?? defaultThreads(facts);
}

/** This machine's choice, from its facts and the benchmark results stored in `cacheDir`. */
export function resolveThreads(cacheDir: string = defaultCacheDir()): ThreadChoice {
  return chooseThreads(gatherThreadFacts(), readStoredResults(benchStorePath(cacheDir)), thisMachine());
}

// Synchronous on purpose: a session's thread count is fixed when the pool is built (a few KB).
function readStoredResults(file: string): BenchResult[] {
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as { results?: unknown };
    if (!Array.isArray(parsed.results)) return [];
    return parsed.results
      .filter(
        (r: Partial<BenchResult>): r is BenchResult =>
          typeof r === 'object' && r !== null && typeof r.machine === 'object' && r.machine !== null && Array.isArray(r.rows),
      )
      .map((r) => ({ ...r, rows: r.rows.filter((row) => typeof row === 'object' && row !== null && typeof row.rtf?.p50 === 'number') }));
  } catch {
    return []; // No benchmark yet, or a damaged store: the default stands.
  }
}

function sysctlNumber(name: string): number | undefined {
  try {
    const value = Number(execFileSync('sysctl', ['-n', name], { encoding: 'utf8', timeout: 2_000 }).trim());
    return Number.isFinite(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

function mean(values: number[]): number {
  return values.reduce((sum, v) => sum + v, 0) / Math.max(values.length, 1);
}
