// Runs in the tests: chunk planning with a stand-in for the text stages (one id per letter), so
// sizes, spans and laziness can be checked exactly and fast; the engine test runs the real ones.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  CHUNK_GROWTH,
  FIRST_CHUNK_TOKENS,
  FIRST_CLAUSE_MAX_TOKENS,
  FIRST_HEAD_MIN_WORDS,
  LONGEST_RUN_TOKENS,
  MAX_CHUNK_TOKENS,
  ONE_WORD_MAX_TOKENS,
  chooseHeadCut,
  chunkBudget,
  headCuts,
  lazySegments,
  planChunks,
  type PlanSegment,
  type PlannedChunk,
  type Prepare,
} from '../../../src-worker/engine/plan.ts';
import { splitSentences, splitText } from '../../../src-worker/text/split.ts';
import type { TextSpan } from '../../../src-worker/protocol/messages.ts';
import { MAX_TOKENS } from '../../../src-worker/text/tokenize.ts';

const SPACE = 16;

// One id per non-space character ("phonemes" of a letter), a space id between words.
function fakePrepare(calls: string[] = []): Prepare {
  return async (text) => {
    calls.push(text);
    const words = text.split(/\s+/).filter((w) => /[A-Za-z0-9]/.test(w));
    const ids: number[] = [];
    words.forEach((word, i) => {
      if (i > 0) ids.push(SPACE);
      for (const ch of word) if (/[A-Za-z0-9]/.test(ch)) ids.push(ch.charCodeAt(0));
    });
    return { ids, dropped: 0 };
  };
}

async function collect(
  text: string,
  segments: PlanSegment[] = splitText(text),
  prepare = fakePrepare(),
  maxTokens?: number,
): Promise<PlannedChunk[]> {
  const chunks: PlannedChunk[] = [];
  for await (const chunk of planChunks(text, segments, prepare, { separator: [SPACE], ...(maxTokens === undefined ? {} : { maxTokens }) }))
    chunks.push(chunk);
  return chunks;
}

function assertContiguous(text: string, chunks: PlannedChunk[]) {
  let at = 0;
  chunks.forEach((chunk, i) => {
    assert.equal(chunk.index, i);
    assert.equal(chunk.span.start, at, `chunk ${i} starts where the previous ended`);
    assert.ok(chunk.span.end > chunk.span.start);
    at = chunk.span.end;
  });
  // Only whitespace or unspeakable text may follow the last chunk (the engine stretches it).
  assert.doesNotMatch(text.slice(at), /[A-Za-z0-9]/);
}

const PARAGRAPH =
  'The old lighthouse stood at the edge of the cliff, its paint peeling in the salt wind. ' +
  'Every evening the keeper climbed the spiral stairs, lit the great lamp, and watched the ships pass. ' +
  'Some nights the fog rolled in so thick that the beam seemed to stop a few feet from the glass, ' +
  'and he would sound the horn until morning. He never complained; the sea, he said, was good company. ' +
  'When the last ship had gone, he wrote a line in his log and went to bed.';

test('budgets start small and grow by half up to LONGEST_RUN_TOKENS (memory allows MAX_CHUNK_TOKENS, the model MAX_TOKENS)', () => {
  // The defaults: the first chunk's budget, each next one at most half again as large, never past
  // the longest run nor the memory cap, reached and then held (even for a chunk index in the thousands).
  const budgets = Array.from({ length: 40 }, (_, i) => chunkBudget(i));
  assert.equal(budgets[0], FIRST_CHUNK_TOKENS);
  budgets
    .slice(1)
    .forEach((b, i) => assert.ok(b >= (budgets[i] ?? 0) && b < ((budgets[i] ?? 0) + 1) * CHUNK_GROWTH, `budgets ${budgets.join(', ')}`));
  const cap = Math.min(LONGEST_RUN_TOKENS, MAX_CHUNK_TOKENS);
  assert.equal(budgets.at(-1), cap);
  assert.equal(chunkBudget(5_000), cap);
  // Explicit arguments: [index] → budget for a first of 24 growing by half to 64, and for a first
  // of 40, doubling, capped at the model's MAX_TOKENS.
  assert.deepEqual(
    [0, 1, 2, 3, 50].map((i) => chunkBudget(i, 24, 1.5, 64)),
    [24, 36, 54, 64, 64],
  );
  assert.deepEqual(
    [0, 1, 2, 3, 4, 5, 5000].map((i) => chunkBudget(i, 40, 2, MAX_TOKENS)),
    [40, 80, 160, 320, 510, 510, 510],
  );
});

test('a paragraph: spans cover the text in order, the first chunk is short, later ones grow within budget', async () => {
  const chunks = await collect(PARAGRAPH);
  assertContiguous(PARAGRAPH, chunks);
  assert.ok(chunks.length >= 3);
  const [first, ...rest] = chunks;
  assert.ok(first && first.ids.length <= FIRST_CLAUSE_MAX_TOKENS);
  assert.ok(
    rest.some((chunk) => chunk.ids.length > first.ids.length),
    'later chunks grow',
  );
  for (const chunk of chunks) assert.ok(chunk.ids.length <= LONGEST_RUN_TOKENS);
  // Clauses are joined with the separator, never run together.
  const all = chunks.flatMap((c) => c.ids).filter((id) => id === SPACE).length;
  const words = PARAGRAPH.split(/\s+/).length;
  assert.equal(all, words - chunks.length);
});

test('a chunk that would be shorter than the one before takes the next clause anyway, from the third chunk on', async () => {
  const word = (n: number) => 'x'.repeat(n);
  const spans = (lengths: number[]): PlanSegment[] => {
    let at = 0;
    return lengths.map((n) => {
      const segment = { start: at, end: at + n };
      at += n + 1;
      return segment;
    });
  };
  // Clauses of 20, 30, 20, 40 and 10 letters, chunks of up to 64 ids: chunk 2's budget (54) fits
  // only the 20 alone, which would shrink it below chunk 1 (30), so it takes the 40 too (61 ids,
  // within the 64). At the default LONGEST_RUN_TOKENS (40) the 61 would not fit: the 20 stays alone.
  const lengths = [20, 30, 20, 40, 10];
  const text = lengths.map(word).join(' ');
  assert.deepEqual(
    (await collect(text, spans(lengths), fakePrepare(), 64)).map((c) => c.ids.length),
    [20, 30, 61, 10],
  );
  assert.deepEqual(
    (await collect(text, spans(lengths))).map((c) => c.ids.length),
    [20, 30, 20, 40, 10],
  );
  // Right after the first chunk the rule does not apply: chunk 1 keeps to its budget (36) so that
  // it is ready before the short first chunk has played out.
  const second = [20, 10, 30, 10];
  assert.deepEqual(
    (await collect(second.map(word).join(' '), spans(second), fakePrepare(), 64)).map((c) => c.ids.length),
    [20, 10, 41],
  );
  // At the default 40 ids, 41 is one over: the last clause makes a chunk of its own.
  assert.deepEqual(
    (await collect(second.map(word).join(' '), spans(second))).map((c) => c.ids.length),
    [20, 10, 30, 10],
  );
});

test('a second chunk longer than its budget is cut at a natural place within it', async () => {
  // One id per letter and space: "The keeper stood alone," is the 23-id first chunk; the second
  // clause (61 ids) is over chunk 1's budget of 36, so its first words go first.
  const text = 'The keeper stood alone, and the old lamp burned through every single night of the winter.';
  const chunks = await collect(text);
  assertContiguous(text, chunks);
  const [first, second] = chunks.map((c) => text.slice(c.span.start, c.span.end).trim());
  assert.equal(first, 'The keeper stood alone,');
  assert.ok((chunks[1]?.ids.length ?? 0) <= 36, `${chunks[1]?.ids.length} ids`);
  assert.ok((second ?? '').split(/\s+/).length >= FIRST_HEAD_MIN_WORDS, String(second));
});

test('a long first clause gives its first few words, cut before the most natural word in reach', async () => {
  // [text, expected first chunk]: conjunction > preposition/relative > article > nearest the target.
  const table: [string, string][] = [
    ['The keeper rose and climbed the spiral stairs to the lamp room at the very top.', 'The keeper rose'],
    // A first clause longer than one run (46 ids > LONGEST_RUN_TOKENS) is cut at its head all
    // the same, not halved by the cap first ("Old ships passed in the").
    ['Old ships passed in the night beyond the rocks, and nobody saw them.', 'Old ships passed'],
    ['Every single evening the keeper climbed the long spiral stairs.', 'Every single evening'],
    ['Tall grey waves broke over the harbour wall all through the night long.', 'Tall grey waves broke'],
  ];
  for (const [text, head] of table) {
    const chunks = await collect(text);
    assertContiguous(text, chunks);
    const first = chunks[0];
    assert.ok(first);
    assert.equal(text.slice(first.span.start, first.span.end), head, text);
    assert.ok(head.split(/\s+/).length >= FIRST_HEAD_MIN_WORDS);
  }
});

test('three words longer than one run: the first chunk is as many words as fit (at 64 ids, the three)', async () => {
  // 15 + 13 + 13 letters: three words are 43 ids, over the 40 of one run, so no three-word head
  // fits and the clause is halved until its pieces do; with runs of up to 64 the three fit.
  const text = 'Extraordinarily comprehensive documentation accompanies every single component today.';
  const head = async (maxTokens?: number): Promise<string> => {
    const chunks = await collect(text, splitText(text), fakePrepare(), maxTokens);
    assertContiguous(text, chunks);
    for (const chunk of chunks) assert.ok(chunk.ids.length <= (maxTokens ?? LONGEST_RUN_TOKENS));
    const first = chunks[0];
    assert.ok(first);
    return text.slice(first.span.start, first.span.end);
  };
  assert.equal(await head(64), 'Extraordinarily comprehensive documentation');
  assert.equal(await head(), 'Extraordinarily');
});

test('head cuts: offsets, word counts and weights; the choice within reach', () => {
  const text = 'We walked slowly and then sat under the old tree.';
  const cuts = headCuts(text, 0, text.length);
  // [word after the cut, words before it, weight]
  const table = cuts.map((c) => [/\S+/.exec(text.slice(c.at))?.[0], c.words, c.weight]);
  assert.deepEqual(table, [
    ['and', 3, 3],
    ['then', 4, 3],
    ['sat', 5, 0],
    ['under', 6, 2],
    ['the', 7, 1],
    ['old', 8, 0],
    ['tree.', 9, 0],
  ]);
  // One id per character: "and" (weight 3) at 16 ids beats "then" (also 3) farther from 14.
  assert.equal(chooseHeadCut(cuts, 0, 1, 14, 24)?.at, text.indexOf(' and'));
  // With the reach too short for any weighted cut but the first, the first is kept.
  assert.equal(chooseHeadCut(cuts, 0, 1, 5, 5)?.at, text.indexOf(' and'));
  // A reach that excludes "and" is impossible: the first cut is always in reach; a clause of
  // fewer than FIRST_HEAD_MIN_WORDS + 1 words has no cut.
  assert.deepEqual(headCuts('Three short words.', 0, 18), []);
});

test('a clause is never cut beside a number: normalisation reads it with its neighbours', () => {
  const text = 'We paid $42.50 at 3:30 pm on 5 May for ten kilos of fresh fish.';
  const words = (at: number) => [/\S+$/.exec(text.slice(0, at))?.[0], /^\s*(\S+)/.exec(text.slice(at))?.[1]];
  const beside = headCuts(text, 0, text.length)
    .map((c) => words(c.at))
    .filter((pair) => pair.some((w) => /\d/.test(w ?? '')));
  assert.deepEqual(beside, []);
  assert.ok(headCuts(text, 0, text.length).length > 0, 'cuts remain between plain words');
});

test('a clause is never cut right after "Dr." or "St.": alone they are read "Drive" and "Street"', () => {
  const text = 'Yesterday we met with Dr. Jones and then St. Paul by the bridge.';
  const before = (at: number) => /\S+$/.exec(text.slice(0, at))?.[0];
  const cuts = headCuts(text, 0, text.length).map((c) => before(c.at));
  assert.deepEqual(
    cuts.filter((w) => w === 'Dr.' || w === 'St.'),
    [],
  );
  assert.ok(cuts.includes('with') && cuts.includes('Jones'), `cuts remain around them: ${cuts.join(' ')}`);
});

test('a first clause that is short (about a second) is kept whole', async () => {
  // 24 ids at most (one id per letter, one per space here): the clause before the comma is 22.
  const clause = 'The keeper stood alone,';
  const text = `${clause} and the keeper lit the lamp every single evening.`;
  const chunks = await collect(text);
  const first = chunks[0];
  assert.ok(first && first.ids.length <= FIRST_CLAUSE_MAX_TOKENS && first.ids.length <= FIRST_CHUNK_TOKENS, `${first?.ids.length}`);
  assert.equal(text.slice(first.span.start, first.span.end), clause);
});

test('a clause longer than LONGEST_RUN_TOKENS is cut at words into pieces that fit', async () => {
  const words = Array.from({ length: 300 }, (_, i) => `word${i}`);
  const text = `Intro here. ${words.join(' ')}.`;
  // One segment for the whole long clause, as if the splitter had not cut it.
  const segments = [
    { start: 0, end: 11 },
    { start: 12, end: text.length },
  ];
  const chunks = await collect(text, segments);
  assertContiguous(text, chunks);
  for (const chunk of chunks) assert.ok(chunk.ids.length <= LONGEST_RUN_TOKENS, `${chunk.ids.length} ids`);
  const letters = text.replace(/[^A-Za-z0-9]/g, '').length;
  assert.equal(chunks.flatMap((c) => c.ids).filter((id) => id !== SPACE).length, letters, 'no letter lost or repeated');
});

test('a "word" with no space to cut at is cut at characters, never in a surrogate pair: no chunk over MAX_CHUNK_TOKENS', async () => {
  // Junk without spaces used to be truncated to MAX_TOKENS ids and run whole (800 MB of RSS).
  const text = 'x'.repeat(MAX_TOKENS + 25);
  const chunks = await collect(text, [{ start: 0, end: text.length }]);
  assertContiguous(text, chunks);
  for (const chunk of chunks) assert.ok(chunk.ids.length <= MAX_CHUNK_TOKENS, `${chunk.ids.length} ids`);
  assert.equal(
    chunks.reduce((sum, c) => sum + c.ids.length, 0),
    text.length,
    'no letter lost or repeated',
  );
  assert.equal(
    chunks.reduce((sum, c) => sum + c.dropped, 0),
    0,
  );

  // One id per code point; an odd offset before the pairs puts the middle on a low surrogate.
  const emoji = `x${'😀'.repeat(600)}`;
  const calls: string[] = [];
  const perCodePoint: Prepare = async (piece) => {
    calls.push(piece);
    return { ids: [...piece].map(() => 1), dropped: 0 };
  };
  const emojiChunks = await collect(emoji, [{ start: 0, end: emoji.length }], perCodePoint);
  assertContiguous(emoji, emojiChunks);
  assert.equal(
    emojiChunks.reduce((sum, c) => sum + c.ids.length, 0),
    601,
  );
  for (const call of calls)
    assert.doesNotMatch(call, /[\ud800-\udfff]/u, `prepared ${JSON.stringify(call.slice(0, 20))} is cut inside a pair`);
});

test('a long URL or path without spaces is cut just after a separator, between two of its spoken words', async () => {
  const path = Array.from({ length: 12 }, (_, i) => `segment${i}`).join('/');
  const text = `https://www.example.com/${path}`;
  const chunks = await collect(text, [{ start: 0, end: text.length }]);
  assertContiguous(text, chunks);
  assert.ok(chunks.length > 1, 'the URL is longer than one run');
  for (const chunk of chunks) assert.ok(chunk.ids.length <= LONGEST_RUN_TOKENS, `${chunk.ids.length} ids`);
  for (const chunk of chunks.slice(1)) {
    assert.match(
      text.charAt(chunk.span.start - 1),
      /[/.]/,
      `cut before ${JSON.stringify(text.slice(chunk.span.start, chunk.span.start + 12))}`,
    );
  }
});

test('one written word read in more ids than a run (a date in en-gb) is prepared whole; a longer one is still cut', async () => {
  // "3/14/2024" read as "the fourteenth of March, twenty twenty-four": 45 ids in one word.
  const DATE = '3/14/2024';
  for (const [ids, whole] of [
    [45, true],
    [ONE_WORD_MAX_TOKENS, true],
    [ONE_WORD_MAX_TOKENS + 1, false],
  ] as const) {
    for (const text of [`The letter was written on ${DATE}, and it was filed later by the clerk.`, DATE, `${DATE} ${DATE}`]) {
      const calls: string[] = [];
      const reading: Prepare = async (piece) => {
        calls.push(piece);
        const base = await fakePrepare()(piece.replaceAll(DATE, ''));
        return { ids: [...base.ids, ...Array<number>(ids * piece.split(DATE).length - ids).fill(1)], dropped: 0 };
      };
      const chunks = await collect(text, splitText(text), reading);
      assertContiguous(text, chunks);
      // A piece holding part of the date (cut at "/") reads "three fourteen" | "twenty twenty-four".
      const fragments = calls.filter((c) => /3\/14|2024/.test(c.replaceAll(DATE, '')));
      assert.equal(fragments.length === 0, whole, `${ids} ids, ${JSON.stringify(text.slice(0, 20))}: ${calls.join(' | ')}`);
      for (const chunk of chunks)
        assert.ok(chunk.ids.length <= (whole ? ONE_WORD_MAX_TOKENS : LONGEST_RUN_TOKENS), `${chunk.ids.length} ids`);
    }
  }
});

test('text without speakable symbols plans no chunk; unspeakable clauses are covered by neighbours', async () => {
  assert.deepEqual(await collect('... --- !!!'), []);
  const text = 'First part here, *** then the second part. ###';
  const chunks = await collect(text, [
    { start: 0, end: 16 },
    { start: 17, end: 20 },
    { start: 21, end: 42 },
    { start: 43, end: 46 },
  ]);
  assertContiguous(text, chunks);
});

test('a 100,000+ character text is prepared lazily: only what the chunks taken so far need', async () => {
  const text = Array.from({ length: 1200 }, (_, i) => `Sentence number ${i} says a little more, then it ends.`).join(' ');
  assert.ok(text.length > 60_000);
  const long = `${text} ${text}`;
  assert.ok(long.length > 100_000);
  const calls: string[] = [];
  const planner = planChunks(long, splitText(long), fakePrepare(calls), { separator: [SPACE] });
  const taken: PlannedChunk[] = [];
  for (let i = 0; i < 6; i++) {
    const next = await planner.next();
    assert.ok(!next.done);
    taken.push(next.value);
  }
  const covered = taken.at(-1)?.span.end ?? 0;
  const prepared = calls.reduce((n, c) => n + c.length, 0);
  // Everything prepared lies within the chunks taken plus the one clause that did not fit.
  assert.ok(prepared <= covered + 100, `prepared ${prepared} characters for ${covered} covered`);
  await planner.return(undefined);
});

test('lazySegments gives exactly splitText’s segments, window by window', () => {
  const texts = [
    PARAGRAPH,
    'First paragraph here.\n\nSecond one, with a clause, ends.\n\n\nThird.',
    'A heading\nThe text under it goes on.\nhard wrapped prose\ncontinues here. Another sentence follows.',
    'Dr. Watson arrived at nine. Mr. Holmes, approx. ten minutes later, e.g. after tea. Then everybody left quietly.',
    'This sentence is one of very many in a long chapter, and it ends here. '.repeat(40),
    'no capital letters anywhere in this text so nothing can be cut at all, really, none whatsoever.',
    '"Stop!" she said. "Wait... what?" Everything stopped. Nothing happened afterwards.',
    '1. First item\n2. Second item\n\nThe list ended. Afterwards came more.',
  ];
  const spans = (segments: Iterable<PlanSegment>) => [...segments].map(({ start, end }) => [start, end]);
  for (const text of texts) {
    const whole = spans(splitText(text));
    for (const window of [1, 10, 50, 200, 100_000])
      assert.deepEqual(spans(lazySegments(text, window)), whole, `${window}: ${text.slice(0, 40)}`);
  }
});

test('lazySegments reports exactly splitSentences’ sentences, each window before its first segment', () => {
  const texts = [
    PARAGRAPH,
    'First paragraph here.\n\nSecond one, with a clause, ends.\n\n\nThird.',
    'Dr. Watson arrived at nine. Mr. Holmes, approx. ten minutes later, e.g. after tea. Then everybody left quietly.',
    `${'This sentence is one of very many in a long chapter, and it ends here. '.repeat(40)}${'x'.repeat(700)} tail.`,
    'no capital letters anywhere in this text so nothing can be cut at all, really, none whatsoever.',
    '   ',
  ];
  for (const text of texts) {
    for (const window of [1, 10, 50, 200, 100_000]) {
      const heard: TextSpan[] = [];
      for (const segment of lazySegments(text, window, (spans) => heard.push(...spans))) {
        const sentence = heard.find((s) => s.start <= segment.start && segment.end <= s.end);
        assert.ok(sentence, `${window}: the sentence of [${segment.start}, ${segment.end}) was reported before it`);
      }
      assert.deepEqual(heard, splitSentences(text), `${window}: ${text.slice(0, 40)}`);
    }
  }
});

test('lazySegments splits only what is asked for: the first segment of 200 KB comes without splitting it all', () => {
  const text = 'This sentence is one of very many in a long chapter, and it ends here. '.repeat(3_000);
  const started = performance.now();
  const first = lazySegments(text).next();
  const firstMs = performance.now() - started;
  const wholeStarted = performance.now();
  splitText(text);
  const wholeMs = performance.now() - wholeStarted;
  assert.ok(!first.done && first.value.start === 0);
  assert.ok(firstMs * 5 < wholeMs, `first segment ${firstMs.toFixed(1)} ms, whole text ${wholeMs.toFixed(1)} ms`);
});
