// Runs in the tests: the whole engine on the real model, with short texts (each run here takes a
// second or several): plausible speech, contiguous spans, chunk sizes, determinism, blends,
// stopping, and every bad input answered with its error while the engine keeps serving.

import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { createEngine, type Chunk, type Engine, type SpeakOptions } from '../../src-worker/engine.ts';
import { KokoroError } from '../../src-worker/errors.ts';
import { FIRST_CLAUSE_MAX_TOKENS } from '../../src-worker/plan.ts';
import { MAX_TEXT_CHARS, SAMPLE_RATE } from '../../src-worker/protocol.ts';
import { modelFiles } from './model-fixture.ts';

const files = await modelFiles();
const engine = await createEngine({ assets: files });
after(() => engine.dispose());

const HEART: SpeakOptions = { voice: 'af_heart', speed: 1 };

async function speakAll(text: string, opts: SpeakOptions = HEART, on?: (chunk: Chunk) => void): Promise<Chunk[]> {
  const chunks: Chunk[] = [];
  for await (const chunk of engine.speak(text, opts)) {
    chunks.push(chunk);
    on?.(chunk);
  }
  return chunks;
}

function concat(chunks: Chunk[]): Float32Array {
  const out = new Float32Array(chunks.reduce((n, c) => n + c.pcm.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c.pcm, at);
    at += c.pcm.length;
  }
  return out;
}

function rms(pcm: Float32Array): number {
  let sum = 0;
  for (const x of pcm) sum += x * x;
  return Math.sqrt(sum / pcm.length);
}

function assertCovers(text: string, chunks: Chunk[]) {
  let at = 0;
  chunks.forEach((chunk, i) => {
    assert.equal(chunk.index, i, 'chunks in order');
    assert.equal(chunk.span.start, at, `chunk ${i} starts where chunk ${i - 1} ended`);
    at = chunk.span.end;
    assert.equal(chunk.last, i === chunks.length - 1);
  });
  assert.equal(at, text.length, 'the last chunk ends at the end of the text');
  assert.equal(chunks.map((c) => text.slice(c.span.start, c.span.end)).join(''), text);
}

async function assertKokoroError(promise: Promise<unknown>, code: string, pattern: RegExp) {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof KokoroError, String(error));
    assert.equal(error.code, code);
    assert.match(`${error.message} | ${error.action}`, pattern);
    return true;
  });
}

test('warms up, lists 54 voices', async () => {
  await engine.warmUp();
  assert.equal(engine.voices().length, 54);
});

const SENTENCE = 'Hello there, this is a short test.';

test('a short sentence gives speech of plausible length and loudness', async () => {
  let started: unknown;
  const chunks = await speakAll(SENTENCE, { ...HEART, onStart: (info) => (started = info) });
  assert.deepEqual(started, { provider: 'cpu', fallbackReason: undefined });
  assertCovers(SENTENCE, chunks);
  const pcm = concat(chunks);
  const seconds = pcm.length / SAMPLE_RATE;
  const words = SENTENCE.split(/\s+/).length;
  // Ordinary speech runs at 2–4 words a second; allow generous margins either side.
  assert.ok(seconds > words * 0.15 && seconds < words * 0.8, `${seconds.toFixed(2)} s for ${words} words`);
  const level = rms(pcm);
  assert.ok(level > 0.01 && level < 0.5, `RMS ${level}`);
  assert.ok(pcm.every((x) => Number.isFinite(x) && Math.abs(x) <= 1.5));
  const chunk = chunks[0];
  assert.ok(chunk && chunk.timings.tokens > 10 && chunk.timings.inferMs > 0 && chunk.timings.prepareMs > 0);
  assert.equal(chunk.input.ids.length, chunk.timings.tokens + 2, 'ids plus two pads');
});

test('identical input gives identical audio; a blend of one voice at weight 1 is that voice', async () => {
  const text = 'Good morning.';
  const a = concat(await speakAll(text));
  const b = concat(await speakAll(text));
  assert.deepEqual(a, b);
  const blend = concat(await speakAll(text, { voice: 'af_heart:1', speed: 1 }));
  assert.deepEqual(blend, a);
  const other = concat(await speakAll(text, { voice: 'bf_emma', speed: 1 }));
  assert.notDeepEqual(other, a);
});

const PARAGRAPH =
  'The lighthouse stood alone on the cliff. Every night the keeper climbed the stairs, ' +
  'lit the lamp, and watched the ships pass by. He never complained; the sea was good company.';

test('a paragraph streams in order: spans cover the text, the first chunk is shorter than the rest', async () => {
  const chunks = await speakAll(PARAGRAPH);
  assertCovers(PARAGRAPH, chunks);
  assert.ok(chunks.length >= 3, `${chunks.length} chunks`);
  const [first, ...rest] = chunks.map((c) => c.timings.tokens);
  assert.ok(first !== undefined && first <= FIRST_CLAUSE_MAX_TOKENS);
  for (const tokens of rest.slice(0, -1)) assert.ok(tokens > first, `${tokens} > ${first}`);
  for (const c of chunks) assert.ok(c.pcm.length > 0 && rms(c.pcm) > 0.01);
});

test('stop ends the stream: nothing after the chunk in hand, nothing at all when stopped mid-run', async () => {
  const controller = new AbortController();
  const seen: number[] = [];
  await speakAll(PARAGRAPH, { ...HEART, signal: controller.signal }, (chunk) => {
    seen.push(chunk.index);
    controller.abort();
  });
  assert.deepEqual(seen, [0]);

  // Stopped while the first run is in flight: the generator ends without a chunk.
  const midRun = new AbortController();
  const stream = engine.speak(PARAGRAPH, { ...HEART, signal: midRun.signal, onStart: () => setTimeout(() => midRun.abort(), 50) });
  const result = await stream.next();
  assert.equal(result.done, true);

  // Already stopped before it began: no chunk, no error.
  assert.deepEqual(await speakAll(SENTENCE, { ...HEART, signal: AbortSignal.abort() }), []);
});

test('a text of 100,000+ characters starts with a short first chunk; stopping drops the rest', async () => {
  const sentence = 'This sentence is one of very many in a long chapter, and it ends here. ';
  const text = sentence.repeat(Math.ceil(100_001 / sentence.length));
  assert.ok(text.length > 100_000);
  const controller = new AbortController();
  const chunks = await speakAll(text, { ...HEART, signal: controller.signal }, () => controller.abort());
  assert.equal(chunks.length, 1);
  const first = chunks[0];
  assert.ok(first && first.span.start === 0 && first.span.end < sentence.length && !first.last);
  assert.ok(first.timings.tokens <= FIRST_CLAUSE_MAX_TOKENS);
});

test('each bad input gets its error and the engine keeps serving', async () => {
  const cases: [string, SpeakOptions, string, RegExp][] = [
    ['', HEART, 'empty-text', /empty/],
    ['  \n\t ', HEART, 'empty-text', /empty/],
    ['x'.repeat(MAX_TEXT_CHARS + 1), HEART, 'text-too-long', /characters/],
    [SENTENCE, { voice: 'af_nobody', speed: 1 }, 'unknown-voice', /af_nobody.*af_heart/],
    [SENTENCE, { voice: 'af_heart:0.5,,af_bella', speed: 1 }, 'bad-blend', /malformed/],
    [SENTENCE, { voice: 'af_heart:zero', speed: 1 }, 'bad-blend', /zero/],
    [SENTENCE, { ...HEART, speed: 0.4 }, 'bad-speed', /0\.4.*0\.5 to 2/],
    [SENTENCE, { ...HEART, speed: 2.5 }, 'bad-speed', /2\.5/],
    [SENTENCE, { ...HEART, speed: Number.NaN }, 'bad-speed', /NaN/],
    ['... --- !!! ???', HEART, 'no-speakable-text', /nothing that can be spoken/],
  ];
  for (const [text, opts, code, pattern] of cases) await assertKokoroError(speakAll(text, opts), code, pattern);
  const chunks = await speakAll('Still here.');
  assert.ok(chunks.length === 1 && (chunks[0]?.pcm.length ?? 0) > 0);
});

test('a missing model is model-missing naming the file and the fix; voices still list', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kokoro-no-model-'));
  const broken: Engine = await createEngine({ assets: { ...files, model: path.join(dir, 'kokoro.onnx') } });
  assert.equal(broken.voices().length, 54);
  await assertKokoroError(
    (async () => {
      for await (const _ of broken.speak(SENTENCE, HEART)) void _;
    })(),
    'model-missing',
    /kokoro\.onnx.*kokoro-bar fetch/,
  );
  await broken.dispose();
});
