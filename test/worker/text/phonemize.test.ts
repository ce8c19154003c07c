// Tests (Node): G2P through the real espeak-ng WebAssembly module. Punctuation restored between
// the phonemised words, en-us and en-gb differing and switching both ways, Kokoro's
// post-processing, empty results for nothing speakable, concurrent callers, and that ordinary
// English (after normalisation) yields only symbols of the model's vocab.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { before, test } from 'node:test';
import { assetPaths } from '../../../src-worker/assets/cache.ts';
import { normalizeText } from '../../../src-worker/text/normalize.ts';
import {
  ESPEAK_VOICES,
  phonemize,
  phonemizeRuns,
  postProcess,
  splitPunctuation,
  toMisaki,
  warmUpPhonemizer,
} from '../../../src-worker/text/phonemize.ts';
import { splitText } from '../../../src-worker/text/split.ts';
import { loadVocab, tokenize } from '../../../src-worker/text/tokenize.ts';
import { seededRandom } from '../../seeded-random.ts';

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

test('espeak prints nothing on scripts it has no dictionary for (it flooded stderr before)', async () => {
  // A fresh process, so the module is imported there with its console bound as in the worker.
  const module = new URL('../../../src-worker/text/phonemize.ts', import.meta.url).href;
  const script =
    `const { phonemize, espeakMessageCount } = await import(${JSON.stringify(module)});` +
    `for (let i = 0; i < 5; i++) await phonemize('Բարեւ աշխարհ, مرحبا بالعالم, 你好, Привет', 'en-us');` +
    'process.stdout.write(String(espeakMessageCount()));';
  const { stdout, stderr } = await new Promise<{ stdout: string; stderr: string }>((resolve, reject) =>
    execFile(process.execPath, ['--import', 'tsx', '--input-type=module', '--eval', script], (error, out, err) =>
      error ? reject(error) : resolve({ stdout: out, stderr: err }),
    ),
  );
  assert.equal(stderr, '');
  assert.ok(Number(stdout) > 0, `espeak had something to say (${stdout} lines), and it was kept off stderr`);
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
  assert.equal(out, 'həlˈO, wˈɜɹld! hˈW ɑɹ ju? "fˈIn," hi sˈɛd; ðˈɛn — sˈIləns… (əsˈId).');
});

test('the same punctuation twice is kept twice', async () => {
  const out = await phonemize('yes, yes, yes. no. no.', 'en-us');
  assert.equal(out, 'jˈɛs, jˈɛs, jˈɛs. nˈO. nˈO.');
});

test('en-us and en-gb differ, and switching works both ways', async () => {
  const us = 'təmˈAɾO skˈɛʤul';
  const gb = 'təmˈɑːtQ ʃˈɛdjuːl';
  // Each order twice: a sticky voice inside the WebAssembly module would show on a switch.
  for (const lang of ['en-us', 'en-gb', 'en-us', 'en-gb', 'en-gb', 'en-us'] as const) {
    assert.equal(await phonemize('tomato schedule', lang), lang === 'en-us' ? us : gb, `after switching to ${lang}`);
  }
});

test('concurrent callers with both dialects get their own results', async () => {
  const langs = ['en-us', 'en-gb', 'en-us', 'en-gb', 'en-us', 'en-gb'] as const;
  const results = await Promise.all(langs.map((lang) => phonemize('Tomato, schedule.', lang)));
  langs.forEach((lang, i) => {
    assert.equal(results[i], lang === 'en-us' ? 'təmˈAɾO, skˈɛʤul.' : 'təmˈɑːtQ, ʃˈɛdjuːl.');
  });
});

const postCases: [string, string, string][] = [
  ['Kokoro, twice', 'Kokoro and Kokoro', 'kˈOkəɹO ænd kˈOkəɹO'],
  ['flapped ninety (en-us), twice', 'ninety-nine and ninety', 'nˈIndinˈIn ænd nˈIndi'],
  ['a space before hundred', 'two hundred', 'tˈu hˈʌndɹɪd'],
  ['rhotic American r, twice', 'her bird, her word', 'hɜɹ bˈɜɹd, hɜɹ wˈɜɹd'],
  ['glottal stops and syllabic n', 'button and cotton', 'bˈʌtᵊn ænd kˈɑtᵊn'],
  ['affricates and diphthongs, twice', 'church judge joy, church judge joy', 'ʧˈɜɹʧ ʤˈʌʤ ʤˈY, ʧˈɜɹʧ ʤˈʌʤ ʤˈY'],
  ['syllabic l at the end of a word only', 'little models handled', 'lˈɪɾᵊl mˈɑdᵊlz hˈændəld'],
];

for (const [name, input, expected] of postCases) {
  test(`post-processing: ${name}`, async () => {
    assert.equal(await phonemize(input, 'en-us'), expected);
  });
}

const rawCases: [string, 'en-us' | 'en-gb', string, string][] = [
  ['r → ɹ, twice', 'en-gb', 'rˈɛd rˈɛd', 'ɹˈɛd ɹˈɛd'],
  ['x → k, twice', 'en-gb', 'lˈɒx lˈɒx', 'lˈɒk lˈɒk'],
  ['ɬ → l, twice', 'en-gb', 'ɬˈan ɬˈan', 'lˈan lˈan'],
  ['ʲ → j', 'en-gb', 'bʲˈuː bʲˈuː', 'bjˈuː bjˈuː'],
  ['British Kokoro', 'en-gb', 'kəkˈɔːɹəʊ', 'kˈQkəɹQ'],
  ['no space before a final plural z', 'en-gb', 'dˈɒɡ z, kˈat z.', 'dˈɒɡz, kˈatz.'],
  ['no flap in British ninety', 'en-gb', 'nˈaɪnti', 'nˈInti'],
  ['nineteen keeps its t', 'en-us', 'nˈaɪntiːn', 'nˈIntin'],
  ['British centring diphthongs', 'en-gb', 'hˈeə hˈiə hˈeə', 'hˈɛː hˈɪə hˈɛː'],
  ['American drops length marks', 'en-us', 'ɑːɹ juː ɔːl', 'ɑɹ ju ɔl'],
  ['American ɚ and ɜː', 'en-us', 'bˈʌɾɚ hˈɜː bˈɜːɹd', 'bˈʌɾəɹ hˈɜɹ bˈɜɹd'],
  ['linking r after ɚ is not doubled', 'en-us', 'ɡɹˈeɪɾɚɹ ɔːɹ', 'ɡɹˈAɾəɹ ɔɹ'],
  ['glottal stop alone', 'en-us', 'ðˈæʔ', 'ðˈæt'],
  ['nasalised vowel loses its tilde', 'en-gb', 'ɒ̃ ɒ̃', 'ɒ ɒ'],
  ['whitespace collapsed', 'en-us', '  a   b  ', 'a b'],
];

for (const [name, lang, raw, expected] of rawCases) {
  test(`post-processing on raw espeak: ${name}`, () => {
    assert.equal(postProcess(raw, lang), expected);
    assert.equal(toMisaki(postProcess(raw, lang), lang), expected, 'mapping twice changes nothing');
  });
}

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
Queue, Wednesday, colonel, February, squirrel, anemone, choir, hour, island, knight, psychology.
The button, the cotton, the mountain, Britain, certain, kitten; a little bottle, her bird's word.
Hair, here, there, where, tour, poor, sure, fire, hour, our, lawyer, employer, genre, bourgeois.`;

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

// ---------------------------------------------------------------------------------------------
// Property: split → normalise → phonemise on seeded random texts full of symbols, scripts and
// punctuation yields only vocab symbols (a leak shows up as dropped symbols in the metrics).

const PIECES = [
  'the',
  'cat',
  'Xylophone',
  'rhythm',
  'Mr.',
  'Dr.',
  '$5.50',
  '3:30 pm',
  '1999',
  '22nd',
  '5 km',
  'e.g.',
  'example.com',
  'a@b.org',
  '&',
  '#1',
  '~',
  '50%',
  '(',
  ')',
  '"',
  '“',
  '”',
  "'",
  '—',
  '–',
  '-',
  '…',
  '!',
  '?',
  '.',
  ',',
  ';',
  ':',
  '\n',
  '🎉',
  '©',
  'αβ',
  'Привет',
  '你好',
  'naïve',
  'Ångström',
  'œuvre',
  'straße',
  'Zürich',
  'façade',
  '¿Qué?',
  '¡Hola!',
  '<tag>',
  '[1]',
  '{x}',
  '*bold*',
  '_it_',
  '`code`',
  '|',
  '\\',
  '^',
  'ø',
  'ł',
  'ğ',
  'ț',
  'ệ',
  'þ',
  'ð',
  'π',
  '√',
  '→',
  '★',
  '½',
  '²',
  '№',
  '₩',
  '§',
  '¶',
  '†',
  '°',
  '±',
  '÷',
];
const PIPELINE_SEEDS = 12;

test(`split → normalise → phonemise yields only vocab symbols on ${PIPELINE_SEEDS} random texts`, async () => {
  for (let seed = 1; seed <= PIPELINE_SEEDS; seed++) {
    const rng = seededRandom(seed);
    let text = '';
    for (let i = 0; i < 30; i++) text += `${PIECES[Math.floor(rng() * PIECES.length)] as string}${rng() < 0.6 ? ' ' : ''}`;
    for (const segment of splitText(text)) {
      for (const lang of ['en-us', 'en-gb'] as const) {
        const phonemes = await phonemize(normalizeText(segment.text), lang);
        const unknown = [...phonemes].filter((c) => !vocab.has(c));
        assert.deepEqual(unknown, [], `seed ${seed}, ${lang}: ${JSON.stringify(segment.text)} → ${phonemes}`);
      }
    }
  }
});
