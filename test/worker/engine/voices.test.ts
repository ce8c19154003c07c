// Runs in the tests: voice listing, voice specs and blends, and style rows (real voice files).

import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { KokoroError } from '../../../src-worker/engine/errors.ts';
import { STYLE_DIM, VOICE_ROWS, createVoiceStore, describeVoice, parseVoiceSpec, styleRow } from '../../../src-worker/engine/voices.ts';
import { modelFiles } from '../model-fixture.ts';

const { voicesDir } = await modelFiles();
const store = createVoiceStore(voicesDir);
const known = new Set(store.list().map((v) => v.id));

test('lists the 54 voices with names, languages, G2P languages and genders from their ids', () => {
  const voices = store.list();
  assert.equal(voices.length, 54);
  assert.deepEqual(
    voices.find((v) => v.id === 'af_heart'),
    {
      id: 'af_heart',
      name: 'Heart',
      language: 'American English',
      lang: 'en-us',
      gender: 'female',
    },
  );
  assert.deepEqual(
    voices.find((v) => v.id === 'bm_george'),
    {
      id: 'bm_george',
      name: 'George',
      language: 'British English',
      lang: 'en-gb',
      gender: 'male',
    },
  );
  const languages = new Set(voices.map((v) => v.language));
  for (const language of ['Japanese', 'Mandarin Chinese', 'Spanish', 'French', 'Hindi', 'Italian', 'Brazilian Portuguese']) {
    assert.ok(languages.has(language), language);
  }
  // Non-English voices read with English G2P (see [Note: Non-English voices]).
  assert.equal(voices.find((v) => v.id === 'jf_alpha')?.lang, 'en-us');
  assert.ok(voices.every((v) => v.lang === (v.id.startsWith('b') ? 'en-gb' : 'en-us')));
});

test('describeVoice rejects ids that are not Kokoro voice ids', () => {
  for (const id of ['', 'heart', 'xf_heart', 'af-heart', 'aX_heart', 'AF_HEART']) {
    assert.equal(describeVoice(id), undefined, id);
  }
});

const specCases: [string, [string, number][]][] = [
  ['af_heart', [['af_heart', 1]]],
  [' af_heart ', [['af_heart', 1]]],
  ['af_heart:1', [['af_heart', 1]]],
  [
    'af_heart:0.7,af_bella:0.3',
    [
      ['af_heart', 0.7],
      ['af_bella', 0.3],
    ],
  ],
  [
    'af_heart:7, af_bella:3',
    [
      ['af_heart', 0.7],
      ['af_bella', 0.3],
    ],
  ],
  [
    'af_heart,af_bella',
    [
      ['af_heart', 0.5],
      ['af_bella', 0.5],
    ],
  ],
  [
    'af_heart:2,af_bella:1,bm_george:1',
    [
      ['af_heart', 0.5],
      ['af_bella', 0.25],
      ['bm_george', 0.25],
    ],
  ],
];

test('parses voice specs and normalises blend weights', () => {
  for (const [spec, expected] of specCases) {
    const parts = parseVoiceSpec(spec, known);
    assert.deepEqual(
      parts.map((p) => p.id),
      expected.map(([id]) => id),
      spec,
    );
    parts.forEach((p, i) => assert.ok(Math.abs(p.weight - (expected[i]?.[1] ?? -1)) < 1e-12, spec));
  }
});

const badSpecs: [string, 'bad-blend' | 'unknown-voice', RegExp][] = [
  ['af_nobody', 'unknown-voice', /af_nobody.*|af_heart/],
  ['', 'unknown-voice', /af_heart/],
  ['af_heart:0.7,af_nobody:0.3', 'unknown-voice', /af_nobody/],
  ['af_heart:', 'bad-blend', /weight/],
  ['af_heart:0', 'bad-blend', /positive/],
  ['af_heart:-1,af_bella:2', 'bad-blend', /positive/],
  ['af_heart:abc', 'bad-blend', /abc/],
  ['af_heart:1:2', 'bad-blend', /more than one/],
  ['af_heart:0.5,,af_bella:0.5', 'bad-blend', /empty part/],
  ['af_heart:0.5,', 'bad-blend', /empty part/],
  [':0.5', 'bad-blend', /no voice name/],
  ['af_heart:0.5,af_heart:0.5', 'bad-blend', /twice/],
  ['af_heart:Infinity', 'bad-blend', /positive/],
];

test('rejects malformed blends and unknown voices with their codes, naming the culprit', () => {
  for (const [spec, code, pattern] of badSpecs) {
    assert.throws(
      () => parseVoiceSpec(spec, known),
      (error: unknown) => {
        assert.ok(error instanceof KokoroError, spec);
        assert.equal(error.code, code, spec);
        assert.match(`${error.message} ${error.action}`, pattern, spec);
        return true;
      },
    );
  }
});

/** An unknown-voice hint fits in a few lines of the popover (see [Note: Voice lists stay short]). */
const MAX_HINT_CHARS = 160;

test('an unknown voice gets a short hint among 54 voices, not a wall of ids', () => {
  const table: [string, RegExp][] = [
    ['af_nobody', /^Choose one of 54 voices, e\.g\. af_heart, .*`npx kokoro-bar voices`/],
    ['af_hert', /^Did you mean af_heart\? Choose one of 54 voices/],
    ['heart', /^Did you mean af_heart\?/],
    ['', /^Choose one of 54 voices, e\.g\. af_heart/],
    ['af_heart:0.5,zz_nobody:0.5', /^Choose one of 54 voices/],
  ];
  for (const [spec, pattern] of table) {
    assert.throws(
      () => parseVoiceSpec(spec, known),
      (error: unknown) => {
        assert.ok(error instanceof KokoroError && error.code === 'unknown-voice', spec);
        assert.match(error.action, pattern, spec);
        assert.ok(error.action.length <= MAX_HINT_CHARS, `${spec}: ${error.action.length} chars: ${error.action}`);
        const listed = [...known].filter((id) => error.action.includes(id));
        assert.ok(listed.length <= 5, `${spec} lists ${listed.length} ids`);
        return true;
      },
    );
  }
});

test('a style row is row n of the table, clamped to 0..509', async () => {
  assert.deepEqual([-3, 0, 1, 42, 509, 510, 10_000].map(styleRow), [0, 0, 1, 42, 509, 509, 509]);
  const heart = await store.resolve('af_heart');
  const raw = new Float32Array(new Uint8Array(readFileSync(path.join(voicesDir, 'af_heart.bin'))).buffer);
  for (const n of [0, 1, 42, 509]) {
    assert.deepEqual(heart.style(n), raw.slice(n * STYLE_DIM, (n + 1) * STYLE_DIM), `row ${n}`);
  }
  assert.deepEqual(heart.style(900), raw.slice((VOICE_ROWS - 1) * STYLE_DIM));
  assert.equal(heart.lang, 'en-us');
  assert.equal((await store.resolve('bf_emma')).lang, 'en-gb');
});

test('a blend of one voice at weight 1 equals that voice; a blend is the weighted mean of rows', async () => {
  const heart = await store.resolve('af_heart');
  const heartAlone = await store.resolve('af_heart:1');
  const bella = await store.resolve('af_bella');
  const blend = await store.resolve('af_heart:0.7,af_bella:0.3');
  for (const n of [3, 77, 509]) {
    assert.deepEqual(heartAlone.style(n), heart.style(n));
    const h = heart.style(n);
    const b = bella.style(n);
    const mixed = blend.style(n);
    for (let k = 0; k < STYLE_DIM; k++) {
      assert.ok(Math.abs((mixed[k] as number) - (0.7 * (h[k] as number) + 0.3 * (b[k] as number))) < 1e-6);
    }
  }
  // The G2P language of a blend is that of its heaviest voice.
  assert.equal((await store.resolve('af_heart:0.3,bf_emma:0.7')).lang, 'en-gb');
});

test('the style of one voice is a fresh copy the caller may transfer or modify', async () => {
  const heart = await store.resolve('af_heart');
  const a = heart.style(5);
  a.fill(0);
  assert.notDeepEqual(heart.style(5), a);
});

test('a damaged voice file is model-corrupt and a missing directory model-missing, naming the file', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kokoro-voices-'));
  writeFileSync(path.join(dir, 'af_broken.bin'), new Uint8Array(1000));
  const broken = createVoiceStore(dir);
  assert.deepEqual(
    broken.list().map((v) => v.id),
    ['af_broken'],
  );
  await assert.rejects(broken.resolve('af_broken'), (error: unknown) => {
    assert.ok(error instanceof KokoroError);
    assert.equal(error.code, 'model-corrupt');
    assert.match(error.message, /af_broken\.bin/);
    assert.match(error.action, /kokoro-bar fetch/);
    return true;
  });
  assert.throws(
    () => createVoiceStore(path.join(dir, 'nope')),
    (error: unknown) => {
      assert.ok(error instanceof KokoroError);
      assert.equal(error.code, 'model-missing');
      assert.match(error.message, /nope/);
      return true;
    },
  );
});

test('a voices folder that is not there yet asks for a download, not a download "again"', () => {
  const missing = path.join(mkdtempSync(path.join(os.tmpdir(), 'kokoro-no-voices-')), 'voices');
  assert.throws(
    () => createVoiceStore(missing).list(),
    (error: unknown) => {
      assert.ok(error instanceof KokoroError);
      assert.equal(error.code, 'model-missing');
      assert.match(error.action, /npx kokoro-bar fetch` to download and verify the voices/);
      assert.doesNotMatch(error.action, /\bagain\b/);
      return true;
    },
  );
});
