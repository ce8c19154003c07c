// Runs in the tests: the derived graph (graph-derive.ts) on the real Kokoro model: the same
// samples as the original, no 1-D ConvInteger left, durations that add up to the audio, its
// cache, and the clear fallback to the original graph for models it cannot or must not derive.

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import onnxProto from 'onnx-proto';
import { loadManifest } from '../../../src-worker/assets/manifest.ts';
import {
  DURATIONS_OUTPUT,
  DERIVED_METADATA_KEY,
  GraphDeriveError,
  deriveGraph,
  derivedEntryFor,
  resolveGraph,
  type DerivedEntry,
} from '../../../src-worker/sessions/graph-derive.ts';
import { phonemize } from '../../../src-worker/text/phonemize.ts';
import { SAMPLES_PER_FRAME, createKokoroSession } from '../../../src-worker/sessions/session.ts';
import { loadVocab, padIds, tokenize } from '../../../src-worker/text/tokenize.ts';
import { createVoiceStore } from '../../../src-worker/engine/voices.ts';
import { modelFiles } from '../model-fixture.ts';

const { onnx } = onnxProto;
const files = await modelFiles();
const source = readFileSync(files.model);
const derived = deriveGraph(source);
const recorded = loadManifest().models.int8.derived as DerivedEntry;
const ortCache = mkdtempSync(path.join(os.tmpdir(), 'kokoro-derive-ort-'));

/** A scratch directory holding a copy of `bytes` as a model file. */
function modelCopy(bytes: Uint8Array, name = 'model.onnx'): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kokoro-derive-'));
  const file = path.join(dir, name);
  writeFileSync(file, bytes);
  return file;
}

/** The model with its (one) Round node replaced by Floor: valid, but without the durations structure. */
function withoutDurations(): Uint8Array {
  const model = onnx.ModelProto.decode(source);
  const round = model.graph?.node?.find((n) => n.opType === 'Round');
  assert.ok(round, 'the export has a Round node');
  round.opType = 'Floor';
  return onnx.ModelProto.encode(model).finish();
}

test('derivation is deterministic and matches the sha256 recorded in the manifest', () => {
  const again = deriveGraph(source);
  const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');
  assert.equal(sha(again.bytes), sha(derived.bytes));
  assert.equal(sha(derived.bytes), recorded.sha256);
  assert.equal(derived.bytes.length, recorded.size);
  assert.equal(derived.durationsFrom, '/encoder/Clip_output_0', 'found by structure: the Round → Clip feeding the CumSum');
  assert.equal(derived.lifted, 87, 'all 87 ConvInteger of the int8 export are 1-D');
  assert.equal(derived.unsqueezed, 86, 'one Unsqueeze per distinct quantized input');
});

test('the derived graph has no 1-D ConvInteger, Unsqueeze/Squeeze take axes as inputs (opset 20), and a durations output', () => {
  const model = onnx.ModelProto.decode(derived.bytes);
  const graph = model.graph;
  assert.ok(graph?.node && graph.initializer && graph.output);
  const initializers = new Map(graph.initializer.map((t) => [t.name, t]));
  const convs = graph.node.filter((n) => n.opType === 'ConvInteger');
  assert.equal(convs.length, 87);
  for (const conv of convs) {
    assert.equal(initializers.get(conv.input?.[1] ?? '')?.dims?.length, 4, `${conv.name ?? ''} has a 4-D weight`);
    assert.equal(conv.attribute?.find((a) => a.name === 'kernel_shape')?.ints?.length, 2);
    assert.equal(conv.attribute?.find((a) => a.name === 'pads')?.ints?.length, 4);
  }
  const lifts = graph.node.filter((n) => (n.opType === 'Unsqueeze' || n.opType === 'Squeeze') && (n.name ?? '').includes('lift2d'));
  assert.equal(lifts.length, 86 + 87);
  for (const node of lifts) {
    assert.equal(node.input?.length, 2, 'axes as an input from opset 13 on');
    assert.equal(node.attribute?.length ?? 0, 0);
  }
  assert.deepEqual(
    graph.output.map((o) => o.name),
    ['audio', DURATIONS_OUTPUT],
  );
  assert.ok(model.metadataProps?.some((p) => p.key === DERIVED_METADATA_KEY));
});

test('derived and original graphs give identical samples; durations × 600 = audio length', async () => {
  const [original, lifted] = await Promise.all([
    createKokoroSession(files.model, { graph: 'original', warmUp: false, optimizedCacheDir: ortCache }),
    createKokoroSession(files.model, { warmUp: false, optimizedCacheDir: ortCache }),
  ]);
  try {
    assert.equal(original.graph.kind, 'original');
    assert.equal(original.durationsName, undefined);
    assert.equal(lifted.graph.kind, 'derived', JSON.stringify(lifted.graph));
    assert.equal(lifted.durationsName, DURATIONS_OUTPUT);
    const vocab = loadVocab(files.config);
    const voices = createVoiceStore(files.voicesDir);
    const cases: [string, string, number][] = [
      ['The old library closed its doors at six.', 'af_heart', 1],
      ['Hello!', 'am_michael', 1],
      ['Numbers, commas; and a question, too?', 'bf_emma', 0.8],
      ['A much faster reading of one short line.', 'af_heart', 1.4],
    ];
    for (const [text, voiceId, speed] of cases) {
      const voice = await voices.resolve(voiceId);
      const { ids } = tokenize(await phonemize(text, voice.lang), vocab);
      const padded = padIds(ids);
      const style = voice.style(ids.length);
      const a = await original.run(padded, style, speed);
      const b = await lifted.run(padded, style, speed);
      assert.equal(a.durations, undefined);
      assert.equal(b.pcm.length, a.pcm.length, text);
      let maxDiff = 0;
      for (let i = 0; i < a.pcm.length; i++) maxDiff = Math.max(maxDiff, Math.abs((a.pcm[i] as number) - (b.pcm[i] as number)));
      assert.equal(maxDiff, 0, `identical samples for "${text}"`);
      assert.ok(b.durations, 'the derived graph returns durations');
      assert.equal(b.durations.length, padded.length, 'one duration per padded id');
      const frames = b.durations.reduce((sum, d) => sum + d, 0);
      assert.equal(frames * SAMPLES_PER_FRAME, b.pcm.length, `durations × ${SAMPLES_PER_FRAME} = audio length for "${text}"`);
      assert.ok(b.inferMs > 0 && a.inferMs > 0);
    }
  } finally {
    await Promise.all([original.release(), lifted.release()]);
  }
});

test('the derived file is cached beside the model with a stamp, reused, and derived again when changed', async () => {
  const model = modelCopy(source);
  const entry: DerivedEntry = { ...recorded, path: path.join(path.dirname(model), 'model.conv2d.onnx') };
  const first = await resolveGraph(model, { entry });
  assert.equal(first.state.kind, 'derived');
  assert.equal(first.state.fromCache, false);
  assert.ok((first.state.deriveMs ?? 0) > 0);
  assert.equal(first.modelPath, entry.path);
  assert.deepEqual(
    readdirSync(path.dirname(model)).sort(),
    ['model.conv2d.onnx', 'model.conv2d.onnx.verified.json', 'model.onnx'],
    'no temporary file left',
  );
  assert.equal(createHash('sha256').update(readFileSync(entry.path)).digest('hex'), recorded.sha256);

  const second = await resolveGraph(model, { entry });
  assert.deepEqual(second.state, { kind: 'derived', fromCache: true });

  // Touched since it was verified: derived (and verified) again.
  const later = new Date(statSync(entry.path).mtimeMs + 5_000);
  utimesSync(entry.path, later, later);
  const third = await resolveGraph(model, { entry });
  assert.equal(third.state.fromCache, false);

  // The manifest's entry is found for a copy under another name (matched by size).
  assert.equal((await derivedEntryFor(model))?.sha256, recorded.sha256);
});

test('a graph without the duration structure falls back to the original graph with the reason, and still speaks', async () => {
  const bytes = withoutDurations();
  assert.throws(
    () => deriveGraph(bytes),
    (error: unknown) =>
      error instanceof GraphDeriveError && /no per-token durations \(no Round → Clip feeding a CumSum\)/.test(error.message),
  );
  const model = modelCopy(bytes);
  const entry: DerivedEntry = { ...recorded, path: path.join(path.dirname(model), 'model.conv2d.onnx') };
  const session = await createKokoroSession(model, { derivedEntry: entry, warmUp: false, optimizedCacheDir: null });
  try {
    assert.equal(session.graph.kind, 'original');
    assert.match(session.graph.reason ?? '', /no per-token durations/);
    assert.equal(session.graphPath, model);
    const out = await session.run(BigInt64Array.from([0, 50, 83, 54, 156, 57, 135, 0], BigInt), new Float32Array(256).fill(0.1), 1);
    assert.ok(out.pcm.length > 0);
    assert.equal(out.durations, undefined);
  } finally {
    await session.release();
  }
  assert.deepEqual(readdirSync(path.dirname(model)), ['model.onnx'], 'nothing written');
});

test('a truncated model, a hash mismatch and an unknown model each fall back with a clear reason (never a crash)', async () => {
  const cases: { bytes: Uint8Array; entry: (dir: string) => DerivedEntry | null; reason: RegExp }[] = [
    {
      bytes: source.subarray(0, 4_000_000),
      entry: (dir) => ({ ...recorded, path: path.join(dir, 'd.onnx') }),
      reason: /not a readable ONNX protobuf|no graph|no per-token durations/,
    },
    {
      bytes: source,
      entry: (dir) => ({ ...recorded, sha256: '0'.repeat(64), path: path.join(dir, 'd.onnx') }),
      reason: /not the recorded one/,
    },
    { bytes: Buffer.from('this is not an onnx model'), entry: () => null, reason: /no derived graph is recorded for model\.onnx/ },
    {
      bytes: Buffer.from('this is not an onnx model'),
      entry: (dir) => ({ ...recorded, path: path.join(dir, 'd.onnx') }),
      reason: /not a readable ONNX protobuf|no graph/,
    },
  ];
  for (const { bytes, entry, reason } of cases) {
    const model = modelCopy(bytes);
    const resolved = await resolveGraph(model, { entry: entry(path.dirname(model)) });
    assert.equal(resolved.state.kind, 'original');
    assert.match(resolved.state.reason ?? '', reason);
    assert.equal(resolved.modelPath, model);
    assert.deepEqual(readdirSync(path.dirname(model)), ['model.onnx'], 'nothing written');
  }
});

test('graph: "original" is honoured without a reason', async () => {
  const resolved = await resolveGraph(files.model, { preference: 'original' });
  assert.deepEqual(resolved, { modelPath: files.model, state: { kind: 'original' } });
});

/**
 * A tiny graph built with onnx-proto: two 1-D ConvInteger sharing one input (strides, pads and
 * dilations not 1) and the Round → Clip → Cast → CumSum durations path, at `opset`.
 */
function tinyModel(opset: number): Uint8Array {
  const { TensorProto, AttributeProto } = onnx;
  const ints = (name: string, values: number[]) => ({ name, type: AttributeProto.AttributeType.INTS, ints: values });
  const tensor = (name: string, type: number, dims: number[], raw: Uint8Array) => ({ name, dataType: type, dims, rawData: raw });
  const weight = Uint8Array.from({ length: 3 * 2 * 3 }, (_, i) => (i * 37) % 251);
  const model = onnx.ModelProto.create({
    irVersion: 7,
    opsetImport: [{ domain: '', version: opset }],
    graph: {
      name: 'tiny',
      input: [
        {
          name: 'x',
          type: {
            tensorType: { elemType: TensorProto.DataType.UINT8, shape: { dim: [{ dimValue: 1 }, { dimValue: 2 }, { dimValue: 9 }] } },
          },
        },
        { name: 'd', type: { tensorType: { elemType: TensorProto.DataType.FLOAT, shape: { dim: [{ dimValue: 1 }, { dimValue: 4 }] } } } },
      ],
      output: [
        { name: 'y1', type: { tensorType: { elemType: TensorProto.DataType.INT32 } } },
        { name: 'y2', type: { tensorType: { elemType: TensorProto.DataType.INT32 } } },
        { name: 'c', type: { tensorType: { elemType: TensorProto.DataType.INT64 } } },
      ],
      initializer: [
        tensor('w', TensorProto.DataType.UINT8, [3, 2, 3], weight),
        tensor(
          'w2',
          TensorProto.DataType.UINT8,
          [3, 2, 3],
          weight.map((v) => 255 - v),
        ),
        tensor('xz', TensorProto.DataType.UINT8, [], Uint8Array.of(7)),
        tensor('lo', TensorProto.DataType.FLOAT, [], new Uint8Array(Float32Array.of(0).buffer)),
        tensor('axis', TensorProto.DataType.INT64, [], new Uint8Array(BigInt64Array.of(1n).buffer)),
      ],
      node: [
        {
          name: 'conv1',
          opType: 'ConvInteger',
          input: ['x', 'w', 'xz'],
          output: ['y1'],
          attribute: [ints('kernel_shape', [3]), ints('pads', [1, 2]), ints('strides', [2])],
        },
        {
          name: 'conv2',
          opType: 'ConvInteger',
          input: ['x', 'w2'],
          output: ['y2'],
          attribute: [ints('dilations', [2]), ints('pads', [0, 1])],
        },
        { name: 'round', opType: 'Round', input: ['d'], output: ['r'] },
        { name: 'clip', opType: 'Clip', input: ['r', 'lo'], output: ['frames'] },
        {
          name: 'cast',
          opType: 'Cast',
          input: ['frames'],
          output: ['f64'],
          attribute: [{ name: 'to', type: AttributeProto.AttributeType.INT, i: TensorProto.DataType.INT64 }],
        },
        { name: 'cumsum', opType: 'CumSum', input: ['f64', 'axis'], output: ['c'] },
      ],
    },
  });
  return onnx.ModelProto.encode(model).finish();
}

test('the lift computes the same sums with strides, pads, dilations and a shared input, at opset 11 (axes attribute) and 13 (axes input)', async () => {
  const ort = await import('onnxruntime-node');
  const x = Uint8Array.from({ length: 18 }, (_, i) => (i * 53 + 11) % 256);
  const d = Float32Array.of(1.4, 2.6, -3, 7.5);
  const feeds = { x: new ort.Tensor('uint8', x, [1, 2, 9]), d: new ort.Tensor('float32', d, [1, 4]) };
  for (const opset of [11, 13]) {
    const source = tinyModel(opset);
    const lifted = deriveGraph(source);
    assert.equal(lifted.lifted, 2);
    assert.equal(lifted.unsqueezed, 1, 'one Unsqueeze for the input both convolutions share');
    assert.equal(lifted.durationsFrom, 'frames');
    const unsqueeze = onnx.ModelProto.decode(lifted.bytes).graph?.node?.find((n) => n.opType === 'Unsqueeze');
    assert.equal(unsqueeze?.input?.length, opset >= 13 ? 2 : 1, `opset ${opset}: axes as ${opset >= 13 ? 'input' : 'attribute'}`);
    const [a, b] = await Promise.all([ort.InferenceSession.create(source), ort.InferenceSession.create(lifted.bytes)]);
    const [ra, rb] = await Promise.all([a.run(feeds), b.run(feeds)]);
    for (const name of ['y1', 'y2', 'c']) {
      assert.deepEqual(rb[name]?.dims, ra[name]?.dims, `${name} dims at opset ${opset}`);
      assert.deepEqual(
        Array.from(rb[name]?.data as ArrayLike<number | bigint>),
        Array.from(ra[name]?.data as ArrayLike<number | bigint>),
        `${name} at opset ${opset}`,
      );
    }
    assert.deepEqual(Array.from(rb[DURATIONS_OUTPUT]?.data as Float32Array), [1, 3, 0, 8], 'Round then Clip at 0');
    await Promise.all([a.release(), b.release()]);
  }
});

test('when the model folder cannot take the derived file, it goes to the fallback cache directory', async () => {
  const model = modelCopy(source);
  const fallbackDir = mkdtempSync(path.join(os.tmpdir(), 'kokoro-derive-fallback-'));
  // A "folder" that is a file: nothing can be written under it, not even by root.
  const entry: DerivedEntry = { ...recorded, path: path.join(model, 'model.conv2d.onnx') };
  const first = await resolveGraph(model, { entry, fallbackDir });
  assert.equal(first.state.kind, 'derived', JSON.stringify(first.state));
  assert.equal(first.modelPath, path.join(fallbackDir, 'model.conv2d.onnx'));
  const second = await resolveGraph(model, { entry, fallbackDir });
  assert.deepEqual(second, { modelPath: first.modelPath, state: { kind: 'derived', fromCache: true } });
  // With nowhere to write, the original runs and the reason says why.
  const nowhere = await resolveGraph(model, { entry, fallbackDir: null });
  assert.equal(nowhere.state.kind, 'original');
  assert.match(nowhere.state.reason ?? '', /could not be made: (ENOTDIR|EEXIST)/);
});
