// Runs in Node (tests): the renderer's pure parts: the dev host's chunk frames, benchmark export,
// voice mix strings and the sentence lookup that drives highlighting.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeChunk, encodeChunk } from '../../src-worker/protocol/wire.ts';
import type { BenchResult, ChunkEvent } from '../../src-worker/protocol/messages.ts';
import { benchToCsv, benchToJson, CSV_COLUMNS } from '../../src-renderer/bench-export.ts';
import { describeGraph } from '../../src-renderer/format.ts';
import { sentenceAt } from '../../src-renderer/text-spans.ts';
import { formatVoice, parseVoice } from '../../src-renderer/voice-mix.ts';

test('chunk frames round-trip PCM bit-exactly for every header padding', () => {
  for (let extra = 0; extra < 4; extra += 1) {
    const pcm = Float32Array.from({ length: 1001 }, (_, i) => Math.sin(i) * 0.9);
    const event: ChunkEvent = {
      type: 'chunk',
      id: `speak-${'x'.repeat(extra)}`,
      index: 3,
      pcm,
      sampleRate: 24_000,
      span: { start: 5, end: 17 },
      timings: { prepareMs: 1.5, inferMs: 800, tokens: 12 },
      words: [{ span: { start: 5, end: 9 }, startSample: 0, endSample: 600 }],
      last: extra === 3,
    };
    const frame = encodeChunk(event);
    const copy = frame.buffer.slice(frame.byteOffset, frame.byteOffset + frame.byteLength) as ArrayBuffer;
    const back = decodeChunk(copy);
    assert.deepEqual({ ...back, pcm: [...back.pcm] }, { ...event, pcm: [...pcm] });
  }
  // A view into a larger buffer is encoded from its own range only.
  const big = Float32Array.from([9, 1, 2, 3, 9]);
  const view = big.subarray(1, 4);
  const frame = encodeChunk({
    type: 'chunk',
    id: 'a',
    index: 0,
    pcm: view,
    sampleRate: 24_000,
    span: { start: 0, end: 1 },
    timings: { prepareMs: 0, inferMs: 0, tokens: 1 },
    words: [],
    last: true,
  });
  assert.deepEqual([...decodeChunk(frame.slice().buffer).pcm], [1, 2, 3]);
  assert.throws(() => decodeChunk(new ArrayBuffer(2)), /too short/);
});

const RESULT: BenchResult = {
  startedAt: '2026-11-22T03:00:00.000Z',
  machine: {
    cpu: 'Intel, "Xeon"',
    cores: 2,
    memoryBytes: 8e9,
    platform: 'linux',
    arch: 'x64',
    node: '20.20.0',
    onnxruntime: '1.30.0',
    model: 'kokoro-v1.0.int8.onnx',
  },
  rows: [
    {
      preset: 'short',
      provider: 'cpu',
      runs: 3,
      ttfaEngineMs: { p50: 900, p95: 1100 },
      rtf: { p50: 1.2, p95: 1.4 },
      floorMs: { p50: 850, p95: 1000 },
      floorRtf: { p50: 1.1, p95: 1.3 },
      audioSeconds: 2.5,
      peakRssBytes: 400e6,
    },
  ],
};

test('benchmark export: JSON parses back; CSV has a header, one row per result row, quoting', () => {
  assert.deepEqual(JSON.parse(benchToJson(RESULT)), RESULT);
  const lines = benchToCsv(RESULT).trimEnd().split('\r\n');
  assert.equal(lines.length, 2);
  assert.equal(lines[0], CSV_COLUMNS.join(','));
  assert.match(lines[1] as string, /^2026-11-22T03:00:00.000Z,short,cpu,3,900,1100,1.2,1.4,/);
  assert.ok((lines[1] as string).includes('"Intel, ""Xeon"""'), 'cells with commas and quotes are quoted');
});

test('sentenceAt: lit sentence follows the offset, gaps keep the previous one', () => {
  const spans = [
    { start: 0, end: 10 },
    { start: 11, end: 20 },
    { start: 22, end: 30 },
  ];
  const table: [number, number][] = [
    [-1, -1],
    [0, 0],
    [9, 0],
    [10, 0],
    [11, 1],
    [21, 1],
    [22, 2],
    [29, 2],
    [99, 2],
    [0, 0],
  ];
  for (const [offset, expected] of table) assert.equal(sentenceAt(spans, offset), expected, `offset ${offset}`);
  assert.equal(sentenceAt([], 5), -1);
});

test('voice mix strings round-trip, including repeated blends', () => {
  const table: [string, string][] = [
    ['af_heart', 'af_heart'],
    ['af_heart:0.7,af_bella:0.3', 'af_heart:0.7,af_bella:0.3'],
    ['af_heart:0.7,af_bella:0.3', 'af_heart:0.7,af_bella:0.3'],
    ['af_heart:2,bm_george:2', 'af_heart:0.5,bm_george:0.5'],
  ];
  for (const [input, output] of table) assert.equal(formatVoice(parseVoice(input)), output, input);
  assert.deepEqual(parseVoice('af_sky'), { primary: 'af_sky', secondary: null, weight: 1 });
});

test('the dashboard names the graph the engine runs, and says why when it is the original', () => {
  const table: [Parameters<typeof describeGraph>[0], ReturnType<typeof describeGraph>][] = [
    [undefined, { label: '—', warning: null }],
    [
      { kind: 'derived', fromCache: true },
      { label: '2-D conv (derived)', warning: null },
    ],
    [
      { kind: 'derived', deriveMs: 750 },
      { label: '2-D conv (derived)', warning: null },
    ],
    [{ kind: 'original' }, { label: 'Original', warning: null }],
    [
      { kind: 'original', reason: 'the graph has no Round → Clip before a CumSum' },
      { label: 'Original', warning: 'Running the original, slower graph: the graph has no Round → Clip before a CumSum' },
    ],
  ];
  for (const [graph, expected] of table) assert.deepEqual(describeGraph(graph), expected, JSON.stringify(graph));
});
