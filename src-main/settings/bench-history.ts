// Runs in the Electron main process (and tests, under plain Node): benchmark results kept across
// restarts in the user-data folder, newest first, bounded, written atomically. A damaged file is
// set aside and the history starts empty (it is a convenience, never a reason to fail).

import { promises as fs } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { BenchResult } from '../../src-worker/protocol/messages.ts';
import { writeFileAtomic } from './atomic-file.ts';

/** The history file's name inside the user-data folder. */
export const BENCH_HISTORY_FILE = 'bench-history.json';

/** Runs kept; older ones are dropped. */
export const MAX_BENCH_RESULTS = 50;

const statSchema = z.object({ p50: z.number(), p95: z.number() });

/** The shape of one stored result (what the renderer sends is checked against it). */
export const benchResultSchema = z.object({
  startedAt: z.string().max(64),
  machine: z.object({
    cpu: z.string().max(200),
    cores: z.number(),
    memoryBytes: z.number(),
    platform: z.string().max(32),
    arch: z.string().max(32),
    node: z.string().max(32),
    onnxruntime: z.string().max(32),
    model: z.string().max(200),
  }),
  rows: z
    .array(
      z.object({
        preset: z.enum(['short', 'medium', 'long']),
        provider: z.enum(['cpu', 'coreml']),
        runs: z.number(),
        ttfaEngineMs: statSchema,
        rtf: statSchema,
        floorMs: statSchema,
        floorRtf: statSchema,
        audioSeconds: z.number(),
        peakRssBytes: z.number(),
        coldStart: z.object({ createMs: z.number(), firstRunMs: z.number() }).optional(),
      }),
    )
    .max(100),
});

/** Reads the history in `dir`, newest first; [] when there is none or it is damaged. */
export async function readBenchHistory(dir: string): Promise<BenchResult[]> {
  const file = path.join(dir, BENCH_HISTORY_FILE);
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch {
    return [];
  }
  const parsed = z.array(benchResultSchema).safeParse(safeJson(text));
  if (parsed.success) return parsed.data as BenchResult[];
  await fs.rename(file, path.join(dir, `bench-history.corrupt-${Date.now()}.json`)).catch(() => undefined);
  return [];
}

// Saves run one at a time, so two quick saves cannot read the same old history.
let saving: Promise<unknown> = Promise.resolve();

/** Adds a result (checked: it comes from a renderer) to the front of the history in `dir`. */
export function saveBenchResult(dir: string, raw: unknown): Promise<void> {
  const next = saving.then(() => save(dir, raw));
  saving = next.catch(() => undefined);
  return next;
}

async function save(dir: string, raw: unknown): Promise<void> {
  const parsed = benchResultSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`Benchmark result not saved: "${issue?.path.join('.') ?? ''}" ${issue?.message ?? 'invalid'}`);
  }
  const history = await readBenchHistory(dir);
  const next = [parsed.data as BenchResult, ...history].slice(0, MAX_BENCH_RESULTS);
  await writeFileAtomic(path.join(dir, BENCH_HISTORY_FILE), `${JSON.stringify(next)}\n`);
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
