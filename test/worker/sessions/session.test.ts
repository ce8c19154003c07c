// Runs in the tests: loading the real Kokoro model, its metadata, the optimised-graph cache, the
// errors for a missing or damaged model, and the CPU SessionSource.

import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { KokoroError } from '../../../src-worker/engine/errors.ts';
import { createCpuSessionSource, createKokoroSession } from '../../../src-worker/sessions/session.ts';
import { STYLE_DIM } from '../../../src-worker/engine/voices.ts';
import { modelFiles } from '../model-fixture.ts';

const { model } = await modelFiles();
const cacheDir = mkdtempSync(path.join(os.tmpdir(), 'kokoro-ort-cache-'));
// "hello" in the model's ids (hə'loʊ), between pads.
const IDS = BigInt64Array.from([0, 50, 83, 54, 156, 57, 135, 0], BigInt);
const STYLE = new Float32Array(STYLE_DIM).fill(0.1);

function assertKokoroError(code: string, file: RegExp) {
  return (error: unknown) => {
    assert.ok(error instanceof KokoroError, String(error));
    assert.equal(error.code, code);
    assert.match(error.message, file);
    assert.match(error.action, /kokoro-bar fetch/);
    return true;
  };
}

test('reads names and the speed type from the model, caches the optimised graph, runs deterministically', async () => {
  const first = await createKokoroSession(model, { optimizedCacheDir: cacheDir, graph: 'original' });
  assert.deepEqual(first.graph, { kind: 'original' });
  assert.deepEqual(first.inputNames, { ids: 'tokens', style: 'style', speed: 'speed' });
  assert.equal(first.outputName, 'audio');
  assert.equal(first.durationsName, undefined);
  assert.equal(first.speedType, 'float32');
  assert.equal(first.threads, os.availableParallelism());
  assert.equal(first.load.fromCache, false);
  assert.ok(first.load.warmUpMs !== undefined);
  const cached = readdirSync(cacheDir);
  assert.equal(cached.length, 1, 'one optimised graph, no temporary files left');
  assert.match(cached[0] ?? '', /\.opt\.onnx$/);

  const { pcm: a, durations, inferMs } = await first.run(IDS, STYLE, 1);
  const { pcm: b } = await first.run(IDS, STYLE, 1);
  assert.ok(a.length > 0);
  assert.equal(durations, undefined, 'the original graph has no durations output');
  assert.ok(inferMs > 0, 'onnxruntime run time measured in the thread');
  assert.deepEqual(a, b, 'identical input gives identical audio');
  assert.equal(a.byteOffset, 0);
  assert.equal(a.byteLength, a.buffer.byteLength, 'a fresh, transferable buffer');
  const { pcm: slow } = await first.run(IDS, STYLE, 0.5);
  assert.ok(slow.length > a.length * 1.5, 'half speed gives longer audio');
  await first.release();

  const second = await createKokoroSession(model, { optimizedCacheDir: cacheDir, warmUp: false, graph: 'original' });
  assert.equal(second.load.fromCache, true);
  assert.equal(second.load.warmUpMs, undefined);
  const { pcm: c } = await second.run(IDS, STYLE, 1);
  assert.equal(c.length, a.length);
  await second.release();
});

test('a missing model is model-missing and a damaged one model-corrupt, each naming the file and the fix', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kokoro-bad-model-'));
  await assert.rejects(createKokoroSession(path.join(dir, 'absent.onnx')), assertKokoroError('model-missing', /absent\.onnx/));
  const damaged = path.join(dir, 'damaged.onnx');
  writeFileSync(damaged, 'this is not an onnx model');
  await assert.rejects(createKokoroSession(damaged, { optimizedCacheDir: dir }), assertKokoroError('model-corrupt', /damaged\.onnx/));
  assert.deepEqual(readdirSync(dir).sort(), ['damaged.onnx'], 'no cache file left behind');
});

test('the CPU source loads once for concurrent callers and retries a failed load', async () => {
  let loads = 0;
  const counting: typeof createKokoroSession = (...args) => {
    loads++;
    return createKokoroSession(...args);
  };
  const source = createCpuSessionSource(model, { optimizedCacheDir: cacheDir, warmUp: false }, counting);
  assert.equal(source.coldStart?.(), undefined);
  const [one, two] = await Promise.all([source.acquire(), source.acquire({ provider: 'cpu' })]);
  assert.equal(one.provider, 'cpu');
  assert.equal(one.fallbackReason, undefined);
  assert.equal(loads, 1, 'concurrent first callers share one load');
  const [x, y] = (await Promise.all([one.run(IDS, STYLE, 1), two.run(IDS, STYLE, 1)])).map((r) => r.pcm);
  assert.deepEqual(x, y);
  one.release();
  two.release();
  const state = source.state();
  assert.equal(state.active, 'cpu');
  assert.equal(state.model, path.basename(model));
  assert.ok(state.options.some((o) => o.provider === 'cpu' && o.available));
  // CoreML cannot run here: asking for it falls back to CPU with a reason.
  const coreml = await source.acquire({ provider: 'coreml' });
  assert.equal(loads, 1);
  assert.equal(coreml.provider, 'cpu');
  if (process.platform !== 'darwin') assert.match(coreml.fallbackReason ?? '', /macOS/);
  await source.dispose();

  const dir = mkdtempSync(path.join(os.tmpdir(), 'kokoro-late-model-'));
  let lateLoads = 0;
  const late = createCpuSessionSource(path.join(dir, 'model.onnx'), { optimizedCacheDir: null, warmUp: false }, (...args) => {
    lateLoads++;
    return createKokoroSession(...args);
  });
  await assert.rejects(late.acquire(), assertKokoroError('model-missing', /model\.onnx/));
  await assert.rejects(late.acquire(), assertKokoroError('model-missing', /model\.onnx/));
  assert.equal(lateLoads, 2, 'a failed load is not memoised');
  await late.dispose();
});
