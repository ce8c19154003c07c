// Runs in the tests: the intra-op thread default (threads.ts) over injected machine facts and
// stored benchmark results, so the Apple Silicon rule is tested on any machine.

import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { benchStorePath, thisMachine } from '../../../src-worker/sessions/auto-provider.ts';
import type { BenchResult, BenchRow } from '../../../src-worker/protocol/messages.ts';
import {
  bestMeasuredThreads,
  chooseThreads,
  defaultThreads,
  gatherThreadFacts,
  resolveThreads,
  type ThreadFacts,
} from '../../../src-worker/sessions/threads.ts';

const M2_PRO: ThreadFacts = { platform: 'darwin', appleSilicon: true, performanceCores: 8, cores: 12 };
const INTEL_MAC: ThreadFacts = { platform: 'darwin', appleSilicon: false, performanceCores: undefined, cores: 12 };
const LINUX_2: ThreadFacts = { platform: 'linux', appleSilicon: false, performanceCores: undefined, cores: 2 };
const MACHINE = { cpu: 'Apple M2 Pro', platform: 'darwin', arch: 'arm64' };

test('default threads: performance cores on Apple Silicon, else the cores', () => {
  const table: [ThreadFacts, number, RegExp][] = [
    [M2_PRO, 8, /performance cores/],
    [{ ...M2_PRO, performanceCores: 4, cores: 8 }, 4, /performance cores/],
    // More performance cores than this process may use (a restricted process): the cores bound it.
    [{ ...M2_PRO, performanceCores: 8, cores: 6 }, 6, /performance cores/],
    // sysctl unreadable (old macOS): the cores.
    [{ ...M2_PRO, performanceCores: undefined }, 12, /cores available/],
    [{ ...M2_PRO, performanceCores: 0 }, 12, /cores available/],
    [INTEL_MAC, 12, /cores available/],
    [LINUX_2, 2, /cores available/],
    [{ ...LINUX_2, cores: 0 }, 1, /cores available/],
  ];
  for (const [facts, threads, reason] of table) {
    const choice = defaultThreads(facts);
    assert.equal(choice.threads, threads, JSON.stringify(facts));
    assert.match(choice.reason, reason);
  }
});

function row(threads: number | undefined, preset: BenchRow['preset'], rtf: number, provider: BenchRow['provider'] = 'cpu'): BenchRow {
  const s = { p50: rtf, p95: rtf };
  return {
    preset,
    provider,
    runs: 1,
    ttfaEngineMs: { p50: 500, p95: 500 },
    rtf: s,
    floorMs: s,
    floorRtf: s,
    audioSeconds: 3,
    peakRssBytes: 1,
    ...(threads === undefined ? {} : { threads }),
  };
}

function result(rows: BenchRow[], machine = MACHINE, startedAt = '2026-12-01T00:00:00.000Z'): BenchResult {
  return { startedAt, machine: { ...machine, cores: 12, memoryBytes: 1, node: 'v20', onnxruntime: '1.30.0', model: 'm.onnx' }, rows };
}

test('the best measured thread count wins once at least two were swept on this machine', () => {
  const sweep = result([
    row(4, 'short', 0.9),
    row(4, 'long', 0.8),
    row(8, 'short', 0.6),
    row(8, 'long', 0.5),
    row(12, 'short', 0.7),
    row(12, 'long', 0.6),
  ]);
  assert.equal(bestMeasuredThreads([sweep], MACHINE)?.threads, 8);
  assert.match(bestMeasuredThreads([sweep], MACHINE)?.reason ?? '', /^8 = the best RTF measured here/);
  // Facts lose to measurements: measured 4 beats the default of 8 performance cores.
  const fourBest = result([row(4, 'short', 0.4), row(8, 'short', 0.6)]);
  assert.equal(chooseThreads(M2_PRO, [fourBest], MACHINE).threads, 4);

  const table: [string, BenchResult[], number][] = [
    ['no results', [], 8],
    ['one thread count only', [result([row(2, 'short', 0.5)])], 8],
    ['rows without a thread count (older benchmarks)', [result([row(undefined, 'short', 0.1), row(undefined, 'long', 0.2)])], 8],
    ['another machine', [result([row(2, 'short', 0.1), row(4, 'short', 0.9)], { ...MACHINE, cpu: 'Apple M1' })], 8],
    ['CoreML rows do not count', [result([row(2, 'short', 0.1, 'coreml'), row(4, 'short', 0.9)])], 8],
    ['no preset in common', [result([row(2, 'short', 0.1), row(4, 'long', 0.9)])], 8],
    ['a tie goes to fewer threads', [result([row(6, 'short', 0.5), row(3, 'short', 0.5)])], 3],
    ['results across two benchmarks', [result([row(2, 'short', 0.9)]), result([row(4, 'short', 0.3)])], 4],
  ];
  for (const [name, results, threads] of table) assert.equal(chooseThreads(M2_PRO, results, MACHINE).threads, threads, name);
});

test('resolveThreads reads the benchmark store of the cache dir; a damaged store leaves the default', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kokoro-threads-'));
  const here = gatherThreadFacts();
  assert.equal(here.cores, os.availableParallelism());
  assert.equal(resolveThreads(dir).threads, defaultThreads(here).threads, 'no store');
  writeFileSync(benchStorePath(dir), 'not json');
  assert.equal(resolveThreads(dir).threads, defaultThreads(here).threads, 'damaged store');
  const machine = thisMachine();
  const stored = result([row(1, 'short', 0.4), row(3, 'short', 0.8)], machine);
  writeFileSync(benchStorePath(dir), JSON.stringify({ version: 1, results: [stored] }));
  assert.deepEqual(resolveThreads(dir).threads, 1);
});
