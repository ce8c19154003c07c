// Tests (Node, real espeak; no model run): word units of a clause (ids exactly those of the plain
// text stages, spans of the original text, words espeak ran together grouped), the grouping
// itself, merging, and durations turned into samples through trims and offsets.

import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { assetPaths } from '../../../src-worker/assets/cache.ts';
import { normalizeText } from '../../../src-worker/text/normalize.ts';
import { phonemize, warmUpPhonemizer, type G2pLang } from '../../../src-worker/text/phonemize.ts';
import { loadVocab, tokenize } from '../../../src-worker/text/tokenize.ts';
import {
  editDistance,
  groupWords,
  joinLazyWords,
  lengthCost,
  mergeUnits,
  phonemeCost,
  prepareClause,
  type LazyWords,
  timeWords,
  type WordUnit,
} from '../../../src-worker/text/words.ts';

const vocab = loadVocab(assetPaths().config);
before(() => warmUpPhonemizer());

// A clause → the original text of each word, in order ("|" where espeak ran words together).
const CLAUSE_WORDS: [string, G2pLang, string[]][] = [
  ['The old library closed its doors at six.', 'en-us', ['The', 'old', 'library', 'closed', 'its', 'doors', 'at', 'six']],
  ['It cost $42.50, said Dr. Smith of the company.', 'en-us', ['It', 'cost', '$42.50', 'said', 'Dr.', 'Smith', 'of the', 'company']],
  ['She had been going to do it for a long time.', 'en-us', ['She', 'had been', 'going', 'to', 'do', 'it', 'for a', 'long', 'time']],
  [
    'Some of them are out of the way, in front of the house.',
    'en-us',
    ['Some', 'of', 'them', 'are', 'out of', 'the', 'way', 'in', 'front', 'of the', 'house'],
  ],
  ['Visit https://www.example.com/docs now.', 'en-us', ['Visit', 'https://www.example.com/docs', 'now']],
  ["I'm at 3:30 pm on the 22nd of May (really).", 'en-us', ["I'm", 'at', '3:30 pm', 'on the', '22nd', 'of', 'May', 'really']],
  ['C# and 20K stars & 5 km, twice: 5 km.', 'en-us', ['C', '#', 'and', '20K', 'stars', '&', '5 km', 'twice', '5 km']],
  ['The tomato, the tomato; the end!', 'en-gb', ['The', 'tomato', 'the', 'tomato', 'the', 'end']],
  ['"Quoted," she said — and left…', 'en-us', ['Quoted', 'she', 'said', 'and', 'left']],
];

test("a clause yields the plain stages' ids and its words as original spans, in order", async () => {
  for (const [clause, lang, expected] of CLAUSE_WORDS) {
    const prepared = await prepareClause(clause, lang, vocab);
    const plain = tokenize(await phonemize(normalizeText(clause), lang), vocab);
    assert.deepEqual(prepared.ids, plain.ids, `${clause}: same ids`);
    assert.equal(prepared.dropped, plain.dropped);
    const words = await prepared.words();
    assert.equal(await prepared.words(), words, 'worked out once');
    assert.deepEqual(
      words.map((w) => clause.slice(w.start, w.end)),
      expected,
      clause,
    );
    words.forEach((w, i) => {
      const before = words[i - 1];
      assert.ok(w.firstId < w.endId && w.endId <= prepared.ids.length, 'ids inside the clause');
      if (before) assert.ok(before.endId <= w.firstId && before.end <= w.start, 'in order, no overlap');
    });
  }
});

test('nothing speakable gives no ids and no words', async () => {
  const prepared = await prepareClause('... — !', 'en-us', vocab);
  assert.deepEqual({ ...prepared, words: await prepared.words() }, { ids: [], dropped: 0, words: [] });
});

// Words alone, words as espeak ran them → groups as [text words, espeak words] counts.
const GROUPINGS: [string[], string[], [number, number][]][] = [
  [
    ['ʌv', 'ðə', 'kˈʌmpəni'],
    ['ʌvðə', 'kˈʌmpəni'],
    [
      [2, 1],
      [1, 1],
    ],
  ],
  [
    ['hˈæd', 'bˈiːn', 'ɡˈoʊɪŋ'],
    ['hədbɪn', 'ɡˌoʊɪŋ'],
    [
      [2, 1],
      [1, 1],
    ],
  ],
  [
    ['dˈɑːlɚz', 'nˈaʊ'],
    ['dˈɑːlɚ', 'z', 'nˈaʊ'],
    [
      [1, 2],
      [1, 1],
    ],
  ],
  [
    ['ɪt', 'ʌv', 'ðə', 'ʌv', 'ðə'],
    ['ɪt', 'ʌvðə', 'ʌvðə'],
    [
      [1, 1],
      [2, 1],
      [2, 1],
    ],
  ], // repeated merges
  [
    ['a', 'b'],
    ['a', 'b'],
    [
      [1, 1],
      [1, 1],
    ],
  ],
];

test('groupWords groups merged and split words by phonemes', () => {
  for (const [alone, spoken, expected] of GROUPINGS) {
    const groups = groupWords(alone, spoken, phonemeCost);
    assert.deepEqual(
      groups.map((g) => [g.t1 - g.t0, g.e1 - g.e0]),
      expected,
      `${alone.join(' ')} ↔ ${spoken.join(' ')}`,
    );
    // Complete and in order whatever the cost.
    for (const cost of [phonemeCost, lengthCost]) {
      const g = groupWords(alone, spoken, cost);
      assert.equal(g[0]?.t0, 0);
      assert.equal(g.at(-1)?.t1, alone.length);
      assert.equal(g.at(-1)?.e1, spoken.length);
      g.forEach((x, i) => i > 0 && assert.ok(x.t0 === g[i - 1]?.t1 && x.e0 === g[i - 1]?.e1));
    }
  }
  assert.deepEqual(groupWords([], ['a'], phonemeCost), []);
  // Far more merges than any shape allows: one group, still complete.
  assert.deepEqual(groupWords(['a', 'b', 'c', 'd', 'e', 'f'], ['abcdef'], phonemeCost), [{ t0: 0, t1: 6, e0: 0, e1: 1 }]);
});

test('editDistance', () => {
  const cases: [string, string, number][] = [
    ['', '', 0],
    ['abc', 'abc', 0],
    ['abc', 'abd', 1],
    ['', 'ab', 2],
    ['kitten', 'sitting', 3],
  ];
  for (const [a, b, d] of cases) assert.equal(editDistance(a, b), d, `${a} ${b}`);
});

const unit = (start: number, end: number, firstId: number, endId: number): WordUnit => ({ start, end, firstId, endId });

// Units → merged units.
const MERGES: [WordUnit[], WordUnit[]][] = [
  [
    [unit(0, 2, 0, 2), unit(3, 5, 3, 5)],
    [unit(0, 2, 0, 2), unit(3, 5, 3, 5)],
  ],
  [[unit(0, 6, 0, 4), unit(0, 6, 5, 9), unit(0, 7, 10, 12)], [unit(0, 7, 0, 12)]], // "$42.50," read as five words
  [[unit(0, 2, 0, 2), unit(2, 2, 3, 4)], [unit(0, 2, 0, 4)]], // no original text of its own
  [[unit(0, 2, -1, -1), unit(3, 5, 0, 2)], [unit(0, 5, 0, 2)]], // the first has no ids
  [
    [unit(0, 2, 0, 2), unit(3, 5, -1, -1), unit(6, 8, 3, 4)],
    [unit(0, 5, 0, 2), unit(6, 8, 3, 4)],
  ],
];

test('mergeUnits merges overlapping and empty words into their neighbours', () => {
  for (const [input, expected] of MERGES) assert.deepEqual(mergeUnits(input), expected, JSON.stringify(input));
});

test('timeWords counts the pad, trims and the chunk offset, clamped into the chunk', () => {
  // Padded ids: pad(10 frames) w0(2) space(1) w1(3) pad(4): 20 frames = 12,000 samples.
  const durations = [10, 2, 1, 3, 4];
  const words = [unit(0, 2, 0, 1), unit(3, 5, 2, 3)];
  assert.deepEqual(timeWords(words, durations, { offset: 0, trimmedStart: 0, speechLength: 12_000 }), [
    { span: { start: 0, end: 2 }, startSample: 6000, endSample: 7200 },
    { span: { start: 3, end: 5 }, startSample: 7800, endSample: 9600 },
  ]);
  // 5,000 samples of the leading pad trimmed, chunk at 100,000 in the utterance, speech cut at 4,000.
  assert.deepEqual(timeWords(words, durations, { offset: 100_000, trimmedStart: 5000, speechLength: 4000 }), [
    { span: { start: 0, end: 2 }, startSample: 101_000, endSample: 102_200 },
    { span: { start: 3, end: 5 }, startSample: 102_800, endSample: 104_000 },
  ]);
  // Durations shorter than the ids (a truncated run): the word beyond is dropped.
  assert.deepEqual(timeWords([unit(0, 1, 0, 9)], durations, { offset: 0, trimmedStart: 0, speechLength: 12_000 }), []);
});

test('joinLazyWords shifts each piece to its text and ids, and works them out once', async () => {
  let calls = 0;
  const lazy =
    (units: WordUnit[]): LazyWords =>
    async () => {
      calls++;
      return units;
    };
  const joined = joinLazyWords([
    { words: lazy([unit(0, 3, 0, 2)]), textOffset: 0, idOffset: 0 },
    { words: lazy([unit(1, 4, 0, 3), unit(5, 6, 4, 5)]), textOffset: 10, idOffset: 3 },
  ]);
  assert.equal(calls, 0, 'nothing until asked');
  assert.deepEqual(await joined(), [unit(0, 3, 0, 2), unit(11, 14, 3, 6), unit(15, 16, 7, 8)]);
  await joined();
  assert.equal(calls, 2);
});
