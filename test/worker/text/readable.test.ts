// Tests (Node): the text check before any work (readable.ts) as a table of input → outcome;
// seeded random junk through the real engine, which must end in speech or a typed error in
// bounded time and with bounded chunks; and the skipped-text notice reaching a protocol client.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MessageChannel } from 'node:worker_threads';
import { createEngine } from '../../../src-worker/engine/engine.ts';
import { KokoroError } from '../../../src-worker/engine/errors.ts';
import { fromNodePort } from '../../../src-worker/protocol/port-adapters.ts';
import { serve } from '../../../src-worker/serve/host.ts';
import { MAX_CHUNK_TOKENS } from '../../../src-worker/engine/plan.ts';
import {
  MAX_TEXT_CHARS,
  SAMPLE_RATE,
  isTerminal,
  isWorkerEvent,
  type ErrorCode,
  type WorkerEvent,
} from '../../../src-worker/protocol/messages.ts';
import { checkText, dropUnreadable } from '../../../src-worker/text/readable.ts';
import { seededRandom } from '../../seeded-random.ts';
import { modelFiles } from '../model-fixture.ts';

/** What checkText makes of a text: an error code, or the scripts and characters it skips. */
function outcome(text: string): ErrorCode | { scripts: string[]; chars: number } | 'ok' {
  try {
    const { skipped } = checkText(text);
    return skipped ? { scripts: skipped.scripts, chars: skipped.chars } : 'ok';
  } catch (error) {
    if (error instanceof KokoroError) return error.code;
    throw error;
  }
}

const cases: [string, string, ReturnType<typeof outcome>][] = [
  ['English', 'Hello there, how are you?', 'ok'],
  ['accented Latin', 'Café, naïve, résumé, Ångström, Dvořák.', 'ok'],
  ['lone Greek letters are symbols', 'The α-particle, π and Δt.', 'ok'],
  ['emoji and symbols', 'Nice 😀 → ★ © 2024', 'ok'],
  ['a stray replacement character is dropped, not refused', 'Caf\ufffd au lait is good today.', 'ok'],
  ['empty', '   \n ', 'empty-text'],
  // Before, these reached the engine and failed as no-speakable-text only after the model loaded.
  ['only invisible characters', ' \u200b\u200d \u2060\u00ad\u200e\ufeff ', 'empty-text'],
  ['too long', 'x'.repeat(MAX_TEXT_CHARS + 1), 'text-too-long'],
  ['Arabic alone', 'مرحبا بالعالم', 'unsupported-script'],
  ['Arabic with harakat and its own full stop', 'مَرْحَبًا بِالْعَالَمِ۔', 'unsupported-script'],
  ['Hebrew alone', 'שלום עולם', 'unsupported-script'],
  ['Chinese alone', '你好。世界！', 'unsupported-script'],
  ['Japanese alone', '今日は晴れです。', 'unsupported-script'],
  ['Korean alone', '안녕하세요', 'unsupported-script'],
  ['Cyrillic alone', 'Привет, мир!', 'unsupported-script'],
  ['Arabic digits and punctuation only', '١٢٣ ، ٤٥٦', 'unsupported-script'],
  ['Arabic in English, twice', 'Say مرحبا then سلام again.', { scripts: ['Arabic'], chars: 9 }],
  ['Hebrew and Chinese in English', 'Hello שלום and 你好 friends.', { scripts: ['Hebrew', 'Chinese (Han)'], chars: 6 }],
  ['Greek words in English', 'The word λόγος means word.', { scripts: ['Greek'], chars: 5 }],
  // Characters are code points: 𠀋 and 𝐀-like letters outside the BMP count once, not twice.
  ['Han outside the BMP counts once per character', 'Read 𠀋𠀌 aloud.', { scripts: ['Chinese (Han)'], chars: 2 }],
  // Japanese mixes Han and kana: a run with kana is Japanese even when it starts with Han.
  ['Japanese starting with Han', 'Hello 今日は晴れです。 Goodbye.', { scripts: ['Japanese'], chars: 7 }],
  [
    'Chinese and Japanese runs',
    'The word 你好 means hello. 今日は晴れです。Then English again.',
    { scripts: ['Chinese (Han)', 'Japanese'], chars: 9 },
  ],
  ['Korean with Hanja', 'Say 大韓민국 now.', { scripts: ['Korean (Hangul)'], chars: 4 }],
  ['random bytes', Buffer.from(Array.from({ length: 600 }, (_, i) => (i * 97 + 13) % 256)).toString('utf8'), 'not-text'],
  ['control characters', 'a\u0001b\u0002c\u0003d\u0004', 'not-text'],
  ['private use and unassigned', '\ue000\ue001\u{10ffff}\u0378 ab', 'not-text'],
];

for (const [name, input, expected] of cases) {
  test(`checkText: ${name}`, () => assert.deepEqual(outcome(input), expected));
}

test('checkText names the script and what to do; the notice names what was skipped', () => {
  assert.throws(
    () => checkText('مرحبا بالعالم'),
    (error: unknown) =>
      error instanceof KokoroError && /Arabic script, which the voices cannot read/.test(error.message) && /English/.test(error.action),
  );
  assert.throws(
    () => checkText(''),
    (error: unknown) => error instanceof KokoroError && /Select or copy/.test(error.action),
  );
  assert.throws(
    () => checkText('', { emptyAction: 'Pipe some.' }),
    (error: unknown) => error instanceof KokoroError && error.action === 'Pipe some.',
  );
  const text = 'One مرحبا two שלום three.';
  const { skipped } = checkText(text);
  assert.equal(skipped?.message, 'Skipped 9 characters in Arabic and Hebrew script: the voices read English only.');
  assert.throws(
    () => checkText('今日は晴れです。'),
    (error: unknown) => error instanceof KokoroError && /^The text is in Japanese script/.test(error.message),
  );
  assert.deepEqual(
    skipped?.spans.map((s) => text.slice(s.start, s.end)),
    ['مرحبا', 'שלום'],
  );
});

test('dropUnreadable removes foreign runs and junk in place, twice in one text', () => {
  const table: [string, string][] = [
    ['a مرحبا b مرحبا c', 'a   b   c'],
    ['x\ufffdy\ufffdz', 'x y z'],
    ['π and α stay', 'π and α stay'],
  ];
  for (const [input, expected] of table) assert.equal(dropUnreadable(input), expected);
});

test('checkText takes milliseconds on 100,000 characters of mixed scripts', () => {
  const text = 'English words and مرحبا بالعالم then 你好 again. '.repeat(2000).slice(0, MAX_TEXT_CHARS);
  const started = performance.now();
  const { skipped } = checkText(text);
  const ms = performance.now() - started;
  assert.ok(skipped && skipped.spans.length === 100 && skipped.chars > 20_000);
  assert.ok(ms < 1000, `${ms} ms`);
});

// ---------------------------------------------------------------------------------------------
// Seeded random junk through the real engine.

/** Ends of a junk request: speech or one of these typed errors. */
const JUNK_ERRORS: ErrorCode[] = ['not-text', 'unsupported-script', 'no-speakable-text'];
// Bounds that do not depend on how busy the machine is: the model's own run time (inferMs) is
// taken out of the wall time, and the audio it makes is bounded per character of input. Before
// the fixes, 3 KB of random bytes was spelt out as letter names for over 150 s of wall time.
/** Most wall time outside the model's runs (text stages, planning, queueing), per request. */
const JUNK_MAX_TEXT_MS = 15_000;
/** Most seconds of speech per character of junk (spelt letters and symbol names). */
const JUNK_MAX_AUDIO_PER_CHAR = 0.6;

const pick = (random: () => number, from: string): string => {
  const chars = [...from];
  return chars[Math.floor(random() * chars.length)] as string;
};

const generators: Record<string, (random: () => number) => string> = {
  'random bytes (3 KB)': (random) => Buffer.from(Array.from({ length: 3072 }, () => Math.floor(random() * 256))).toString('utf8'),
  'random code points (606)': (random) =>
    Array.from({ length: 606 }, () => {
      let cp: number;
      do cp = Math.floor(random() * 0x30000);
      while (cp >= 0xd800 && cp < 0xe000);
      return String.fromCodePoint(cp);
    }).join(''),
  'random letters of non-Latin scripts (300)': (random) =>
    Array.from({ length: 300 }, () => (random() < 0.15 ? ' ' : pick(random, 'مرحباשלוםабвгд你好世界こんにちは안녕'))).join(''),
  // Small, because they are spoken: letters are spelt and symbols named (0.2–0.45 s per character).
  'printable ASCII (30)': (random) => Array.from({ length: 30 }, () => String.fromCharCode(32 + Math.floor(random() * 95))).join(''),
  'symbols without spaces (12)': (random) => Array.from({ length: 12 }, () => pick(random, '%&#=+@~$<>')).join(''),
  'letters of five scripts (50)': (random) =>
    Array.from({ length: 50 }, () => (random() < 0.15 ? ' ' : pick(random, 'abcxyzMNOمرحبשלוםабв你好世界'))).join(''),
};

const files = await modelFiles();
const engine = await createEngine({ assets: files });
await engine.warmUp();

for (const [name, generate] of Object.entries(generators)) {
  test(`junk ends in speech or a typed error in bounded time: ${name}`, async () => {
    for (const seed of [1, 2]) {
      const text = generate(seededRandom(seed));
      const started = performance.now();
      let samples = 0;
      let inferMs = 0;
      let error: unknown;
      try {
        for await (const chunk of engine.speak(text, { voice: 'af_heart', speed: 1 })) {
          assert.ok(chunk.timings.tokens <= MAX_CHUNK_TOKENS, `seed ${seed}: a chunk of ${chunk.timings.tokens} ids`);
          samples += chunk.pcm.length;
          inferMs += chunk.timings.inferMs;
        }
      } catch (caught) {
        error = caught;
      }
      const textMs = performance.now() - started - inferMs;
      const seconds = samples / SAMPLE_RATE;
      if (error !== undefined) {
        assert.ok(error instanceof KokoroError && JUNK_ERRORS.includes(error.code), `seed ${seed}: ${String(error)}`);
      } else {
        assert.ok(samples > 0, `seed ${seed}: neither speech nor an error`);
        assert.ok(seconds <= JUNK_MAX_AUDIO_PER_CHAR * text.length, `seed ${seed}: ${seconds} s of speech for ${text.length} characters`);
      }
      assert.ok(textMs < JUNK_MAX_TEXT_MS, `seed ${seed}: ${Math.round(textMs)} ms outside the model`);
      console.log(
        `# ${name} seed ${seed}: ${error instanceof KokoroError ? error.code : `${seconds.toFixed(1)} s of speech`}, ` +
          `${Math.round(textMs)} ms outside the model, ${Math.round(inferMs)} ms in it`,
      );
    }
  });
}

test('over the protocol: mixed text is spoken with a skipped notice in `started`; foreign text alone is an error', async () => {
  const { port1, port2 } = new MessageChannel();
  const stopServing = serve(fromNodePort(port1), engine);
  const events: WorkerEvent[] = [];
  const ended = (id: string): Promise<void> =>
    new Promise((resolve) => {
      const check = (): void => (events.some((e) => e.id === id && isTerminal(e)) ? resolve() : void setTimeout(check, 20));
      check();
    });
  port2.on('message', (raw: unknown) => {
    if (isWorkerEvent(raw)) events.push(raw);
  });
  try {
    const mixed = 'Hello مرحبا بالعالم friend.';
    port2.postMessage({ type: 'speak', id: 'mixed', text: mixed, voice: 'af_heart', speed: 1 });
    port2.postMessage({ type: 'speak', id: 'arabic', text: 'مرحبا بالعالم', voice: 'af_heart', speed: 1 });
    await Promise.all([ended('mixed'), ended('arabic')]);
    const started = events.find((e) => e.id === 'mixed' && e.type === 'started');
    assert.ok(started?.type === 'started' && started.skipped, 'the notice reaches the client');
    assert.deepEqual(
      started.skipped.spans.map((span) => mixed.slice(span.start, span.end)),
      ['مرحبا بالعالم'],
    );
    assert.match(started.skipped.message, /Skipped 13 characters in Arabic script/);
    assert.equal(events.filter((e) => e.id === 'mixed').at(-1)?.type, 'done');
    const samples = events.reduce((sum, e) => sum + (e.id === 'mixed' && e.type === 'chunk' ? e.pcm.length : 0), 0);
    // "Hello friend." alone: about a second, not the letter names of thirteen Arabic letters.
    assert.ok(samples > 0.5 * SAMPLE_RATE && samples < 3 * SAMPLE_RATE, `${samples / SAMPLE_RATE} s`);
    const arabic = events.filter((e) => e.id === 'arabic');
    assert.deepEqual(
      arabic.map((e) => e.type),
      ['error'],
    );
    assert.ok(arabic[0]?.type === 'error' && arabic[0].code === 'unsupported-script');
  } finally {
    stopServing();
    port1.close();
    port2.close();
  }
});

test('after junk the engine still speaks', async () => {
  let samples = 0;
  for await (const chunk of engine.speak('Still here.', { voice: 'af_heart', speed: 1 })) samples += chunk.pcm.length;
  assert.ok(samples > 0);
  await engine.dispose();
});
