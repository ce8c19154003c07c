// Tests (Node): G2P through the real espeak-ng WebAssembly module. Punctuation restored between
// the phonemised words, en-us and en-gb differing and switching both ways, Kokoro's
// post-processing, empty results for nothing speakable, concurrent callers, and that ordinary
// English (after normalisation) yields only symbols of the model's vocab.

import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { assetPaths } from '../../src-worker/assets.ts';
import { normalizeText } from '../../src-worker/normalize.ts';
import {
  ESPEAK_VOICES,
  phonemize,
  phonemizeRuns,
  postProcess,
  splitPunctuation,
  warmUpPhonemizer,
} from '../../src-worker/phonemize.ts';
import { splitText } from '../../src-worker/split.ts';
import { loadVocab, tokenize } from '../../src-worker/tokenize.ts';

const vocab = loadVocab(assetPaths().config);

// Counted before the first call imports `phonemizer` (see [Note: espeak process handlers]), in
// the hook because the test runner adds its own listeners once it starts.
const listenersBefore = { uncaught: -1, rejection: -1 };

before(async () => {
  listenersBefore.uncaught = process.listenerCount('uncaughtException');
  listenersBefore.rejection = process.listenerCount('unhandledRejection');
  await warmUpPhonemizer();
});

test("phonemizer's process listeners are removed after it loads", () => {
  assert.equal(process.listenerCount('uncaughtException'), listenersBefore.uncaught);
  assert.equal(process.listenerCount('unhandledRejection'), listenersBefore.rejection);
});

test('one espeak call for many runs gives what one call per run gives', async () => {
  const runs = ['It was the best of times', 'it was the worst of times', 'to', 'for', 'a', 'Well', "it's complicated", 'Mister Smith'];
  for (const voice of Object.values(ESPEAK_VOICES)) {
    const together = await phonemizeRuns(runs, voice);
    const apart: string[] = [];
    for (const run of runs) apart.push(...(await phonemizeRuns([run], voice)));
    assert.deepEqual(together, apart, voice);
  }
});

test('punctuation is put back between the phonemised words', async () => {
  const out = await phonemize('Hello, world! How are you? "Fine," he said; then — silence… (aside).', 'en-us');
  assert.equal(out, 'həlˈoʊ, wˈɜːld! hˈaʊ ɑːɹ juː? "fˈaɪn," hiː sˈɛd; ðˈɛn — sˈaɪləns… (ɐsˈaɪd).');
});

test('the same punctuation twice is kept twice', async () => {
  const out = await phonemize('yes, yes, yes. no. no.', 'en-us');
  assert.equal(out, 'jˈɛs, jˈɛs, jˈɛs. nˈoʊ. nˈoʊ.');
});

test('en-us and en-gb differ, and switching works both ways', async () => {
  const us = 'təmˈeɪɾoʊ skˈɛdʒuːl';
  const gb = 'təmˈɑːtəʊ ʃˈɛdjuːl';
  // Each order twice: a sticky voice inside the WebAssembly module would show on a switch.
  for (const lang of ['en-us', 'en-gb', 'en-us', 'en-gb', 'en-gb', 'en-us'] as const) {
    assert.equal(await phonemize('tomato schedule', lang), lang === 'en-us' ? us : gb, `after switching to ${lang}`);
  }
});

test('concurrent callers with both dialects get their own results', async () => {
  const langs = ['en-us', 'en-gb', 'en-us', 'en-gb', 'en-us', 'en-gb'] as const;
  const results = await Promise.all(langs.map((lang) => phonemize('Tomato, schedule.', lang)));
  langs.forEach((lang, i) => {
    assert.equal(results[i], lang === 'en-us' ? 'təmˈeɪɾoʊ, skˈɛdʒuːl.' : 'təmˈɑːtəʊ, ʃˈɛdjuːl.');
  });
});

const postCases: [string, string, string][] = [
  ['Kokoro, twice', 'Kokoro and Kokoro', 'kˈoʊkəɹoʊ ænd kˈoʊkəɹoʊ'],
  ['flapped ninety (en-us), twice', 'ninety-nine and ninety', 'nˈaɪndinˈaɪn ænd nˈaɪndi'],
  ['a space before hundred', 'two hundred', 'tˈuː hˈʌndɹɪd'],
];

for (const [name, input, expected] of postCases) {
  test(`post-processing: ${name}`, async () => {
    assert.equal(await phonemize(input, 'en-us'), expected);
  });
}

test('post-processing table on raw espeak strings', () => {
  assert.equal(postProcess('rˈɛd rˈɛd', 'en-gb'), 'ɹˈɛd ɹˈɛd');
  assert.equal(postProcess('lˈɒx lˈɒx', 'en-gb'), 'lˈɒk lˈɒk');
  assert.equal(postProcess('ɬˈan ɬˈan', 'en-gb'), 'lˈan lˈan');
  assert.equal(postProcess('bʲˈuː bʲˈuː', 'en-gb'), 'bjˈuː bjˈuː');
  assert.equal(postProcess('kəkˈɔːɹəʊ', 'en-gb'), 'kˈəʊkəɹəʊ');
  assert.equal(postProcess('dˈɒɡ z, kˈat z.', 'en-gb'), 'dˈɒɡz, kˈatz.');
  assert.equal(postProcess('nˈaɪnti', 'en-gb'), 'nˈaɪnti', 'no flap in British English');
  assert.equal(postProcess('nˈaɪntiːn', 'en-us'), 'nˈaɪntiːn', 'nineteen keeps its t');
  assert.equal(postProcess('  a   b  ', 'en-us'), 'a b');
});

test('nothing speakable gives an empty string', async () => {
  for (const text of ['', '   ', '...', '!?', '(—)', '"…"']) {
    assert.equal(await phonemize(text, 'en-us'), '', `for ${JSON.stringify(text)}`);
  }
});

test('an unknown dialect is a clear error', async () => {
  await assert.rejects(phonemize('hi', 'en-au' as 'en-us'), /unknown language "en-au"; use "en-us" or "en-gb"/);
});

test('splitPunctuation alternates word runs and punctuation runs, losing nothing', () => {
  const text = 'Well, "yes" — no… (maybe).';
  const pieces = splitPunctuation(text);
  assert.equal(pieces.map((p) => p.text).join(''), text);
  assert.deepEqual(pieces, [
    { text: 'Well', punctuation: false },
    { text: ', "', punctuation: true },
    { text: 'yes', punctuation: false },
    { text: '" — ', punctuation: true },
    { text: 'no', punctuation: false },
    { text: '… (', punctuation: true },
    { text: 'maybe', punctuation: false },
    { text: ').', punctuation: true },
  ]);
});

const PROSE = `Mr. Smith paid $3.14 for 2 coffees at 7:30 am on the 22nd of May, 1999. "Really?" she asked;
the answer — as always — was no. Dr. Jones measured 5 km, 10 kg and 3 GB, e.g. everything, etc.
Visit https://www.example.com or mail hello@example.org! Prices rose 50% to €10, i.e. a lot.
The quick brown fox jumps over the lazy dog. Rhythm, strength, judge, church, thought, measure,
sing, yellow, vision, loch, Xavier, Zoë, naïve café, Kokoro, ninety-nine, the 1990s & the 2010s.
Queue, Wednesday, colonel, February, squirrel, anemone, choir, hour, island, knight, psychology.`;

for (const lang of ['en-us', 'en-gb'] as const) {
  test(`ordinary English yields only vocab symbols (${lang})`, async () => {
    let total = 0;
    for (const segment of splitText(PROSE)) {
      const phonemes = await phonemize(normalizeText(segment.text), lang);
      const { ids, dropped } = tokenize(phonemes, vocab);
      const unknown = [...phonemes].filter((c) => !vocab.has(c));
      assert.equal(dropped, 0, `unknown ${JSON.stringify(unknown)} in ${JSON.stringify(phonemes)}`);
      assert.ok(ids.length > 0, `no ids for ${JSON.stringify(segment.text)}`);
      total += ids.length;
    }
    assert.ok(total > 500);
  });
}
