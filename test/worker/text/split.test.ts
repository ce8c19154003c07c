// Tests (Node): sentence and clause splitting. Tables of text → sentences of clauses (including
// the same pattern twice in one input), edge cases, and span properties over seeded random texts:
// exact offsets, in order, every non-whitespace character covered once.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MAX_SEGMENT_CHARS, MIN_CLAUSE_WORDS, type Segment, splitSentences, splitText } from '../../../src-worker/text/split.ts';
import { seededRandom } from '../../seeded-random.ts';

/** The segments of `text` grouped by sentence, as plain strings. */
function clauses(text: string): string[][] {
  const out: string[][] = [];
  for (const segment of splitText(text)) {
    (out[segment.sentence] ??= []).push(segment.text);
  }
  return out;
}

const sentenceCases: [string, string, string[][]][] = [
  ['two sentences', 'Hello there. How are you?', [['Hello there.'], ['How are you?']]],
  ['titles', 'Mr. Smith met Dr. Jones. Mrs. Brown left.', [['Mr. Smith met Dr. Jones.'], ['Mrs. Brown left.']]],
  [
    'titles twice in one sentence and again in the next',
    'Mr. A met Mr. B at St. Paul. Mr. C met Mr. D.',
    [['Mr. A met Mr. B at St. Paul.'], ['Mr. C met Mr. D.']],
  ],
  ['decimals', 'Pi is 3.14 and e is 2.72. Both are irrational.', [['Pi is 3.14 and e is 2.72.'], ['Both are irrational.']]],
  ['initials', 'J. R. R. Tolkien wrote it. George W. Bush read it.', [['J. R. R. Tolkien wrote it.'], ['George W. Bush read it.']]],
  ['the pronoun I ends a sentence', 'So do I. Then we left.', [['So do I.'], ['Then we left.']]],
  [
    'a.m. and p.m. before a capital end a sentence, before lower case not',
    'At 9:00 a.m. The rest. Back by 5 P.M. Then tea at 6 p.m. sharp. At 7 a.m. Again.',
    [['At 9:00 a.m.'], ['The rest.'], ['Back by 5 P.M.'], ['Then tea at 6 p.m. sharp.'], ['At 7 a.m.'], ['Again.']],
  ],
  ['initialisms', 'The U.S. Navy sailed. The U.K. Army marched.', [['The U.S. Navy sailed.'], ['The U.K. Army marched.']]],
  ['e.g. and i.e.', 'Use a tool, e.g. Vim. Or i.e. Emacs, i.e. Vim.', [['Use a tool, e.g. Vim.'], ['Or i.e. Emacs, i.e. Vim.']]],
  ['etc. before a capital ends a sentence', 'Apples, pears, etc. Then more.', [['Apples, pears, etc.'], ['Then more.']]],
  ['lower case after a dot continues', 'It costs approx. ten dollars. Fine.', [['It costs approx. ten dollars.'], ['Fine.']]],
  ['ellipsis before lower case', 'Wait... what? Well... Okay.', [['Wait... what?'], ['Well...'], ['Okay.']]],
  ['ellipsis character', 'Hmm… I see. So… then.', [['Hmm…'], ['I see.'], ['So… then.']]],
  [
    'quote closes the sentence',
    'He said "Stop." Then he left. She said "Go!" Then ran.',
    [['He said "Stop."'], ['Then he left.'], ['She said "Go!"'], ['Then ran.']],
  ],
  ['quote then lower case continues', '"Stop!" she said. "Go!" he said.', [['"Stop!" she said.'], ['"Go!" he said.']]],
  ['curly quotes', '“Is it?” he asked. “Yes.” She nodded.', [['“Is it?” he asked.'], ['“Yes.”'], ['She nodded.']]],
  ['brackets', 'He left (quietly.) She stayed (loudly!) Done.', [['He left (quietly.)'], ['She stayed (loudly!)'], ['Done.']]],
  ['list numbers', '1. First item\n2. Second item\n10. Tenth item', [['1. First item'], ['2. Second item'], ['10. Tenth item']]],
  ['list numbers inline', '1. Buy milk. 2. Buy eggs.', [['1. Buy milk.'], ['2. Buy eggs.']]],
  [
    'urls and e-mails',
    'Visit example.com/a.b?x=1. Mail a.b@c.org! Then go.',
    [['Visit example.com/a.b?x=1.'], ['Mail a.b@c.org!'], ['Then go.']],
  ],
  ['full url', 'See https://www.example.com/docs. It helps.', [['See https://www.example.com/docs.'], ['It helps.']]],
  ['repeated marks', 'What?! Really?? Yes!!! Ok.', [['What?!'], ['Really??'], ['Yes!!!'], ['Ok.']]],
  ['paragraphs without punctuation', 'Title\n\nFirst paragraph here\n\nSecond one', [['Title'], ['First paragraph here'], ['Second one']]],
  [
    'hard-wrapped prose continues',
    'This line is wrapped\nin the middle. Next sentence.',
    [['This line is wrapped\nin the middle.'], ['Next sentence.']],
  ],
  ['a line break before a capital ends it', 'Heading\nBody text here.', [['Heading'], ['Body text here.']]],
  ['blank line ends it even before lower case', 'one thing\n\nanother thing', [['one thing'], ['another thing']]],
  ['windows line breaks', 'Line one\r\nLine two\r\n\r\nLine three', [['Line one'], ['Line two'], ['Line three']]],
  ['no. before a number', 'It is No. 5 on the list. No. It is not.', [['It is No. 5 on the list.'], ['No.'], ['It is not.']]],
  ['leading and trailing space', '   Hello.   World.   ', [['Hello.'], ['World.']]],
  ['no final punctuation', 'Just words here', [['Just words here']]],
  // CJK sentences end at 。！？ with no space after (one 13 s chunk before).
  [
    'full-width terminals without spaces',
    '今日は晴れです。明日は雨！本当？はい。',
    [['今日は晴れです。'], ['明日は雨！'], ['本当？'], ['はい。']],
  ],
  ['full-width terminal before Latin', '你好。Hello there. 再见！Bye.', [['你好。'], ['Hello there.'], ['再见！'], ['Bye.']]],
  ['full-width terminal with a closing bracket', '「はい。」いいえ。', [['「はい。」'], ['いいえ。']]],
  // Month abbreviations before a day number do not end a sentence; before a capital they do.
  [
    'month abbreviations twice',
    'Due Jan. 5 and Feb. 6 this year. It was Dec. Then Jan. 2 came.',
    [['Due Jan. 5 and Feb. 6 this year.'], ['It was Dec.'], ['Then Jan. 2 came.']],
  ],
];

for (const [name, input, expected] of sentenceCases) {
  test(`sentences: ${name}`, () => {
    assert.deepEqual(clauses(input), expected);
    assertCovers(input, splitText(input));
  });
}

const clauseCases: [string, string, string[][]][] = [
  [
    'commas split long clauses',
    'After a long while, we went home to rest, and then we slept all day.',
    [['After a long while,', 'we went home to rest,', 'and then we slept all day.']],
  ],
  ['short leading clause stays whole', 'Yes, I did.', [['Yes, I did.']]],
  ['short trailing clause stays whole', 'We went home to rest, too.', [['We went home to rest, too.']]],
  [
    'semicolons and colons',
    'The plan was simple; we would wait for them: nobody came to us.',
    [['The plan was simple;', 'we would wait for them:', 'nobody came to us.']],
  ],
  [
    'em dash with and without spaces',
    'He came back home—much later than usual—and we all sat down.',
    [['He came back home—', 'much later than usual—', 'and we all sat down.']],
  ],
  [
    'spaced hyphen and en dash',
    'It was late in the day - too late for us – so we all left.',
    [['It was late in the day -', 'too late for us –', 'so we all left.']],
  ],
  [
    'numbers with commas and times do not split',
    'We paid 1,000,000 dollars at 3:30 today.',
    [['We paid 1,000,000 dollars at 3:30 today.']],
  ],
  [
    'ranges and hyphenated words do not split',
    'It took 10–20 well-known people to do it.',
    [['It took 10–20 well-known people to do it.']],
  ],
  [
    'the same clause pattern twice',
    'One two three, four five six, seven eight nine. One two three, four five six, seven eight nine.',
    [
      ['One two three,', 'four five six,', 'seven eight nine.'],
      ['One two three,', 'four five six,', 'seven eight nine.'],
    ],
  ],
  [
    'quote after a comma stays with its clause',
    '"We will go there," she said to them quietly.',
    [['"We will go there,"', 'she said to them quietly.']],
  ],
];

for (const [name, input, expected] of clauseCases) {
  test(`clauses: ${name}`, () => {
    assert.deepEqual(clauses(input), expected);
    assertCovers(input, splitText(input));
  });
}

const emptyCases: [string, string][] = [
  ['empty', ''],
  ['spaces', '   '],
  ['mixed whitespace', ' \n\t\r\n \u00a0\u2028 '],
];

for (const [name, input] of emptyCases) {
  test(`no segments for ${name}`, () => {
    assert.deepEqual(splitText(input), []);
    assert.deepEqual(splitSentences(input), []);
  });
}

test('emoji and symbols are kept in spans (normalisation decides what is spoken)', () => {
  const text = 'Great job 🎉! 👍🏽 See you.';
  assert.deepEqual(clauses(text), [['Great job 🎉!'], ['👍🏽 See you.']]);
  assertCovers(text, splitText(text));
  assert.deepEqual(clauses('🎉'), [['🎉']]);
});

test('segment fields: sentence index and endsSentence', () => {
  const segments = splitText('After a long while, we went home. Fine.');
  assert.deepEqual(
    segments.map((s) => [s.text, s.start, s.end, s.sentence, s.endsSentence]),
    [
      ['After a long while,', 0, 19, 0, false],
      ['we went home.', 20, 33, 0, true],
      ['Fine.', 34, 39, 1, true],
    ],
  );
  assert.deepEqual(splitSentences('After a long while, we went home. Fine.'), [
    { start: 0, end: 33 },
    { start: 34, end: 39 },
  ]);
});

test('a clause longer than MAX_SEGMENT_CHARS is cut at spaces', () => {
  const words = Array.from({ length: 200 }, (_, i) => `word${i}`).join(' ');
  const segments = splitText(`${words}.`);
  assert.ok(segments.length > 1);
  for (const segment of segments) {
    assert.ok(segment.text.length <= MAX_SEGMENT_CHARS);
    assert.equal(segment.sentence, 0);
    assert.match(segment.text, /^word\d+|^word\d+\.$/);
  }
  assert.equal(segments.at(-1)?.endsSentence, true);
  assert.ok(segments.slice(0, -1).every((s) => !s.endsSentence));
  assertCovers(`${words}.`, segments);
});

test('a word longer than MAX_SEGMENT_CHARS is cut hard but never inside a surrogate pair', () => {
  const text = `a${'😀'.repeat(MAX_SEGMENT_CHARS)}`;
  const segments = splitText(text);
  assertCovers(text, segments);
  for (const segment of segments) {
    assert.ok(segment.text.length <= MAX_SEGMENT_CHARS);
    assert.ok(!/[\ud800-\udbff]$|^[\udc00-\udfff]/.test(segment.text), 'no half of a surrogate pair at an edge');
  }
});

test('MIN_CLAUSE_WORDS holds on every side of every cut', () => {
  const text = 'One two three, four, five six seven, eight nine ten, eleven; twelve thirteen fourteen.';
  for (const segment of splitText(text)) {
    assert.ok(segment.text.split(/\s+/).length >= MIN_CLAUSE_WORDS, segment.text);
  }
});

test('a 200,000-character text splits with full coverage', () => {
  const base =
    'Mr. Smith paid $3.14 for it, e.g. in 1999. He said "Stop!" she laughed. Then (quietly.) ' +
    'After a long while, we went home, too.\n\n1. First item\n';
  const text = base.repeat(Math.ceil(200_000 / base.length));
  const segments = splitText(text);
  assertCovers(text, segments);
  assert.equal(new Set(segments.map((s) => s.sentence)).size, splitSentences(text).length);
});

// ---------------------------------------------------------------------------------------------
// Property tests over seeded random texts

const PIECES = [
  'word',
  'Word',
  'the',
  'a',
  'I',
  'Mr.',
  'Dr.',
  'e.g.',
  'etc.',
  'U.S.',
  'J.',
  '3.14',
  '1,000',
  '10–20',
  '1.',
  '2.',
  '.',
  '!',
  '?',
  '...',
  '…',
  ',',
  ';',
  ':',
  '—',
  ' - ',
  '"',
  '“',
  '”',
  "'",
  '(',
  ')',
  '[',
  ']',
  '\n',
  '\n\n',
  '\r\n',
  '  ',
  '\t',
  ' ',
  ' ',
  ' ',
  ' ',
  '🎉',
  '👍🏽',
  'example.com',
  'a@b.org',
  'https://x.io/p?q=1',
  'x'.repeat(50),
  '.!?',
  '?"',
  '.)',
  '-',
  '\u00a0',
  'café',
  'ÉCOLE',
];

function randomText(rng: () => number, pieces: number): string {
  let text = '';
  for (let i = 0; i < pieces; i++) text += PIECES[Math.floor(rng() * PIECES.length)];
  return text;
}

const SEEDS = 300;

test(`coverage property over ${SEEDS} seeded random texts`, () => {
  for (let seed = 1; seed <= SEEDS; seed++) {
    const rng = seededRandom(seed);
    const text = randomText(rng, 1 + Math.floor(rng() * 400));
    try {
      assertCovers(text, splitText(text));
    } catch (error) {
      assert.fail(`seed ${seed}, text ${JSON.stringify(text)}: ${(error as Error).message}`);
    }
  }
});

/**
 * Checks every property of a split: exact spans in order, no overlap, trimmed, every
 * non-whitespace character covered once, sentence numbering and endsSentence consistent with
 * splitSentences, and the length bound.
 */
function assertCovers(text: string, segments: readonly Segment[]): void {
  const covered = new Uint8Array(text.length);
  let previousEnd = 0;
  let sentence = 0;
  const sentences = splitSentences(text);
  for (let i = 0; i < segments.length; i++) {
    const s = segments[i] as Segment;
    assert.equal(s.text, text.slice(s.start, s.end), 'text is the exact span');
    assert.ok(s.start < s.end, 'segment is not empty');
    assert.ok(s.start >= previousEnd, 'segments in order without overlap');
    assert.equal(s.text, s.text.trim().length === s.text.length ? s.text : s.text.trim(), 'trimmed');
    assert.ok(!/^\s|\s$/.test(s.text), 'no whitespace at the edges');
    assert.ok(s.text.length <= MAX_SEGMENT_CHARS, 'bounded length');
    assert.ok(s.sentence === sentence || s.sentence === sentence + 1, 'sentence numbering is dense');
    if (s.sentence !== sentence) assert.ok((segments[i - 1] as Segment).endsSentence, 'sentence changes after its end');
    sentence = s.sentence;
    const next = segments[i + 1];
    assert.equal(s.endsSentence, next === undefined || next.sentence !== s.sentence, 'endsSentence marks the last');
    const span = sentences[s.sentence];
    assert.ok(span && s.start >= span.start && s.end <= span.end, 'segment inside its sentence');
    for (let k = s.start; k < s.end; k++) covered[k] = 1;
    previousEnd = s.end;
  }
  assert.equal(segments.length === 0 ? 0 : sentence + 1, sentences.length, 'one segment group per sentence');
  for (let k = 0; k < text.length; k++) {
    if (!/\s/.test(text[k] as string)) assert.equal(covered[k], 1, `character ${k} (${JSON.stringify(text[k])}) is covered`);
  }
}
