// Runs in the tests: the benchmark on the real model, one short run (its figures are printed by
// `npm run bench`, never asserted as timings here): the result has every field, sane values, and
// the floor is measured on the same first chunk.

import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { BENCH_PRESETS, runBenchmark, type BenchProgress } from '../../../src-worker/engine/bench.ts';
import { createEngine } from '../../../src-worker/engine/engine.ts';
import { percentile, stat } from '../../../src-worker/engine/metrics.ts';
import { modelFiles } from '../model-fixture.ts';

const files = await modelFiles();
const engine = await createEngine({ assets: files });
after(() => engine.dispose());

test('percentiles interpolate between ranks', () => {
  assert.equal(percentile([], 50), Number.NaN);
  assert.equal(percentile([7], 95), 7);
  assert.equal(percentile([3, 1, 2], 50), 2);
  assert.equal(percentile([1, 2, 3, 4], 50), 2.5);
  const { p50, p95 } = stat([100, 10, 20, 30, 40, 50, 60, 70, 80, 90]);
  assert.equal(p50, 55);
  assert.ok(Math.abs(p95 - 95.5) < 1e-9, String(p95));
});

test('a short benchmark reports TTFA, RTF, their floors, memory and the machine', async () => {
  const progress: BenchProgress[] = [];
  const result = await runBenchmark(engine, {
    presets: ['short'],
    runs: 2,
    onProgress: (p) => progress.push(p),
    originalModel: files.model,
  });
  assert.equal(result.rows.length, 1);
  const row = result.rows[0];
  assert.ok(row);
  assert.equal(row.preset, 'short');
  assert.equal(row.provider, 'cpu');
  assert.equal(row.runs, 2);
  // The floor is the derived graph the engine runs; the original graph's bare run is beside it.
  assert.equal(row.graph?.kind, 'derived', JSON.stringify(row.graph));
  assert.equal(row.threads, engine.sessions.state().threads);
  assert.ok(row.originalFloorMs && row.originalFloorRtf, 'the original graph was measured too');
  for (const s of [row.ttfaEngineMs, row.rtf, row.floorMs, row.floorRtf, row.originalFloorMs, row.originalFloorRtf]) {
    assert.ok(Number.isFinite(s.p50) && s.p50 > 0 && s.p95 >= s.p50, JSON.stringify(s));
  }
  // The pipeline includes the bare run, so it cannot be much faster than its floor.
  assert.ok(row.ttfaEngineMs.p50 > row.floorMs.p50 * 0.5);
  assert.ok(row.rtf.p50 >= row.floorRtf.p50 * 0.99);
  const words = BENCH_PRESETS.short.split(/\s+/).length;
  assert.ok(row.audioSeconds > words * 0.15 && row.audioSeconds < words * 0.8);
  assert.ok(row.peakRssBytes > 50 * 1024 * 1024);
  assert.ok(result.machine.cores >= 1 && result.machine.node === process.version);
  assert.match(result.machine.onnxruntime, /^\d+\.\d+\.\d+/);
  assert.ok(result.machine.model.endsWith('.onnx'));
  assert.ok(!Number.isNaN(Date.parse(result.startedAt)));
  assert.deepEqual(
    progress.map((p) => p.completed),
    [0, 1, 2, 3, 3],
  );
  assert.equal(progress.at(-2)?.label, 'original graph: bare runs');
  assert.ok(progress.every((p) => p.total === 3));
  assert.equal(progress.at(-1)?.label, 'done');
});
