// Runs under node:test: benchmark history kept in the user-data folder.

import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { BENCH_HISTORY_FILE, MAX_BENCH_RESULTS, readBenchHistory, saveBenchResult } from '../../../src-main/settings/bench-history.ts';
import type { BenchResult } from '../../../src-worker/protocol/messages.ts';

const result = (startedAt: string): BenchResult => ({
  startedAt,
  machine: { cpu: 'x', cores: 2, memoryBytes: 1, platform: 'linux', arch: 'x64', node: '20', onnxruntime: '1.30', model: 'int8' },
  rows: [
    {
      preset: 'short',
      provider: 'cpu',
      runs: 3,
      ttfaEngineMs: { p50: 1, p95: 2 },
      rtf: { p50: 1, p95: 2 },
      floorMs: { p50: 1, p95: 2 },
      floorRtf: { p50: 1, p95: 2 },
      audioSeconds: 1,
      peakRssBytes: 1,
    },
  ],
});

test('results are kept newest first and bounded; concurrent saves lose nothing', async () => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'kokoro-bench-'));
  assert.deepEqual(await readBenchHistory(dir), []);
  await Promise.all([saveBenchResult(dir, result('a')), saveBenchResult(dir, result('b'))]);
  assert.deepEqual((await readBenchHistory(dir)).map((r) => r.startedAt), ['b', 'a']);
  for (let i = 0; i < MAX_BENCH_RESULTS; i++) await saveBenchResult(dir, result(`n${i}`));
  const history = await readBenchHistory(dir);
  assert.equal(history.length, MAX_BENCH_RESULTS);
  assert.equal(history[0]?.startedAt, `n${MAX_BENCH_RESULTS - 1}`);
});

test('a malformed result is refused by name; a damaged file is set aside', async () => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'kokoro-bench-'));
  await assert.rejects(saveBenchResult(dir, { ...result('x'), rows: 'no' }), /"rows"/);
  await fs.writeFile(path.join(dir, BENCH_HISTORY_FILE), '{oops');
  assert.deepEqual(await readBenchHistory(dir), []);
  const files = await fs.readdir(dir);
  assert.ok(files.some((f) => f.startsWith('bench-history.corrupt-')), files.join(','));
});
