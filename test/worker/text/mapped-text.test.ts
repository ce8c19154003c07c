// Tests (Node): MappedText gives exactly the text the plain string calls give (every replacer
// argument, `$` pattern, empty match and non-global pattern), keeps its maps monotone, and maps
// each word of a normalised clause to the characters of the original it came from.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MappedText, type Replacer } from '../../../src-worker/text/mapped-text.ts';
import { normalizeMapped, normalizeText } from '../../../src-worker/text/normalize.ts';
import { seededRandom } from '../../seeded-random.ts';

const REWRITES: [RegExp, string | Replacer][] = [
  [/a/g, 'xy'],
  [/(\d)-(\d)/g, '$1 to $2'],
  [/(b)(c)?/g, '[$2|$1|$&|$$|$3]'],
  [/\s+/g, ' '],
  [/(?=b)/g, '^'], // empty matches
  [/x*/g, '-'], // empty and non-empty matches
  [/c/, 'C'], // not global: first only
  [/(?<w>d+)/g, '<$<w>>'],
  [/e(\d?)/g, (m: string, d: string, offset: number, whole: string) => `${m.length}${d}${offset}${whole.length}`],
  [/\u{1f600}|./gu, (m: string) => (m.length === 2 ? 'E' : m)],
  [/^\s+|\s+$/g, ''],
  [/(?<x>q)/g, (...args: unknown[]) => JSON.stringify(args.at(-1))], // named groups object
];

test('replace gives what String.prototype.replace gives, on seeded random strings', () => {
  const random = seededRandom(12);
  const alphabet = ['a', 'b', 'c', 'd', 'e', 'q', 'x', '1', '2', '-', ' ', '  ', '\u{1f600}'];
  for (let round = 0; round < 300; round++) {
    const length = Math.floor(random() * 20);
    const text = Array.from({ length }, () => alphabet[Math.floor(random() * alphabet.length)]).join('');
    let plain = text;
    let mapped = MappedText.of(text);
    for (const [pattern, replacement] of REWRITES) {
      plain = plain.replace(pattern, replacement as string);
      mapped = mapped.replace(pattern, replacement);
      assert.equal(mapped.text, plain, `round ${round}: ${JSON.stringify(text)} through ${pattern}`);
      assert.equal(mapped.from.length, plain.length);
      for (let i = 0; i < plain.length; i++) {
        assert.ok((mapped.from[i] as number) <= (mapped.to[i] as number), 'a span never ends before it starts');
        if (i > 0) assert.ok((mapped.from[i - 1] as number) <= (mapped.from[i] as number), 'monotone');
        assert.ok((mapped.to[i] as number) <= text.length);
      }
    }
  }
});

test('replaceAll, trim and nfc match the string methods', () => {
  const cases: [string, (m: MappedText) => MappedText, (s: string) => string][] = [
    ['a.b.c', (m) => m.replaceAll('.', ' dot '), (s) => s.replaceAll('.', ' dot ')],
    ['a$b', (m) => m.replaceAll('$', '$$'), (s) => s.replaceAll('$', '$$')],
    ['  hi  ', (m) => m.trim(), (s) => s.trim()],
    ['Cafe\u0301 nai\u0308ve', (m) => m.nfc(), (s) => s.normalize('NFC')],
    ['\u1100\u1161', (m) => m.nfc(), (s) => s.normalize('NFC')], // Hangul jamo: no combining mark
  ];
  for (const [text, mapped, plain] of cases) assert.equal(mapped(MappedText.of(text)).text, plain(text), text);
  assert.throws(() => MappedText.of('a').replaceAll('', 'x'), /empty/);
});

test('a match keeps the spans of its common prefix and suffix', () => {
  const m = MappedText.of('C# now').replace(/#/g, ' sharp');
  assert.equal(m.text, 'C sharp now');
  assert.deepEqual(m.spanOf(0, 1), { start: 0, end: 1 }, 'C');
  assert.deepEqual(m.spanOf(2, 7), { start: 1, end: 2 }, 'sharp ← #');
  assert.deepEqual(m.spanOf(8, 11), { start: 3, end: 6 }, 'now');
  const inserted = MappedText.of('v2').replace(/v(?=\d)/g, 'version ');
  assert.deepEqual(inserted.spanOf(0, 7), { start: 0, end: 1 }, 'version ← v');
  assert.deepEqual(MappedText.of('ab').spanOf(2, 2), { start: 2, end: 2 }, 'zero-width at the end');
});

// Each word of the normalised text → the original characters it came from.
const WORD_SOURCES: [string, string[]][] = [
  ['It cost $42.50, said Dr. Smith.', ['It', 'cost', '$42.50', '$42.50', '$42.50', '$42.50', '$42.50,', 'said', 'Dr.', 'Smith.']],
  ['Visit https://www.example.com/docs now.', ['Visit', ...Array(9).fill('https://www.example.com/docs'), 'now.']],
  ['At 3:30 pm, pages 10-20.', ['At', '3:30 pm', '3:30 pm', '3:30 pm,', 'pages', '10', '-', '20.']],
  ['On 5/6/2024 at noon.', ['On', ...Array(4).fill('5/6/2024'), 'at', 'noon.']],
  ['C# and 1st; e.g. Mr. Li.', ['C', '#', 'and', '1st;', 'e.g.', 'e.g.', 'Mr.', 'Li.']],
  ['He got 20K stars & 5 km.', ['He', 'got', '20K', '20K', 'stars', '&', '5 km', '5 km.']],
  ['Cafe\u0301 twice: Cafe\u0301.', ['Cafe\u0301', 'twice:', 'Cafe\u0301.']],
  ['$5 and $5.', ['$5', '$5', 'and', '$5', '$5.']], // repeated: each maps to its own
];

test('normalised words map to the original characters they came from', () => {
  for (const [text, expected] of WORD_SOURCES) {
    const mapped = normalizeMapped(text);
    assert.equal(mapped.text, normalizeText(text));
    const sources = [...mapped.text.matchAll(/\S+/g)].map((w) => {
      const span = mapped.spanOf(w.index, w.index + w[0].length);
      return text.slice(span.start, span.end);
    });
    assert.deepEqual(sources, expected, text);
  }
  const twice = normalizeMapped('$5 and $5.');
  assert.deepEqual(twice.spanOf(0, 4), { start: 0, end: 2 });
  assert.deepEqual(twice.spanOf(twice.text.lastIndexOf('five'), twice.text.lastIndexOf('five') + 4), { start: 7, end: 9 });
});
