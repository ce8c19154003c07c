// Runs in the worker (and the CLI, tests, benchmark): packs the clauses of a text into the chunks
// the model runs, lazily, so that speech starts early and long text streams in bounded memory.
//
// [Note: Chunk sizes]
// Kokoro is not autoregressive: a chunk's audio exists only when its whole run is done, so the
// first chunk alone decides the time to first audio. It is sized for the first sound: the first
// clause when it is short, about a second of speech (≤ FIRST_CLAUSE_MAX_TOKENS ids; measured here,
// one id is ~55 ms of speech), packed with any following clauses that still fit
// FIRST_CHUNK_TOKENS; a longer first clause gives its first few words instead (never fewer than
// FIRST_HEAD_MIN_WORDS), cut at the most natural boundary in reach: before a conjunction, then
// before a preposition or relative word, then before an article, nearest FIRST_HEAD_TOKENS,
// within FIRST_CLAUSE_MAX_TOKENS (see chooseHeadCut). Each later chunk may be CHUNK_GROWTH
// times larger than the one before: a chunk takes a fraction (the RTF) of its own audio to
// synthesise, so chunk n+1 is ready before chunk n has played out while its audio is at most
// 1/RTF times chunk n's; growing by 1.5 keeps that up to RTF 0.67 (doubling only to 0.5, and the
// derived graph runs at RTF ~0.7 here), while the chunks still reach whole sentences quickly.
// Chunks grow to LONGEST_RUN_TOKENS (see [Note: Stop frees the engine]).
// Budgets grow to MAX_CHUNK_TOKENS, not to the model's MAX_TOKENS: see [Note: Memory bounds chunk
// size]. Budgets are packed with whole clauses, so a chunk may fall short of its budget; one that would
// end up shorter than the chunk before it takes the next clause anyway (up to MAX_TOKENS), so
// chunk sizes never shrink before the last chunk, except right after the first: the second chunk
// keeps to its budget (a clause longer than it is cut like a long first clause), because each run
// also renders ~0.5 s of pads, so a second chunk that took the next clause anyway (62 ids after
// 22) was ready only 10-60 ms before the first had played out, and underran in the browser.
// Chunks pack whole clauses; a clause longer than MAX_CHUNK_TOKENS is cut at the word boundary
// nearest its middle (at its middle character when it has no space), again and again until every
// piece fits (a single character that cannot be cut is kept up to the model's MAX_TOKENS).
//
// [Note: Memory bounds chunk size]
// onnxruntime's CPU arena grows to the activations of the longest run and keeps them, about
// 1.3 MB per id (int8, onnxruntime 1.30): a 510-id chunk would take the worker near 1 GB, for no
// gain in speed (run time is close to proportional to the audio, so several shorter runs cost
// what one long run does) and little in prosody (MAX_CHUNK_TOKENS ids is a whole sentence of ~25
// words). So chunks grow only to MAX_CHUNK_TOKENS. Turning the arena off is worse still.
//
// [Note: Stop frees the engine]
// onnxruntime-node cannot cancel a run (1.30's binding reads no `terminate` run option), so a
// run in flight when Stop comes finishes before the next utterance's first run can start
// ([Note: One run at a time] in engine.ts). So the longest run is bounded: chunks grow to at most
// LONGEST_RUN_TOKENS ids (about 2.2 s of speech, ~8 words), and the wait after Stop is the rest of
// one such run. At a random moment that rest is on average half a run, and half a 40-id run is
// less than a short first chunk's run (a run renders ~0.5 s of pads besides its ids); at 64 it was
// more. The price is more runs, so more rendered pad silence (about +10 % model time against 64;
// `npm run measure:stop` and `cli/measure-rendered.ts` measure both). It also bounds the arena
// and so the worker's peak RSS (`npm run measure:memory`).
//
// [Note: Bounded look-ahead]
// The planner prepares (normalises, phonemises, tokenises) a clause only when the chunk being
// packed needs it, and holds at most the one clause that did not fit. The engine asks for chunk
// n+1 while chunk n runs, so at most two chunks' worth of prepared text exists at any time,
// however long the text. Chunk spans are contiguous: each starts where the previous ended (the
// first at 0) and ends at its last clause, so the spans of a whole stream cover the text in
// order with nothing lost; the engine stretches the last one to the end of the text.

import type { TextSpan } from '../protocol/messages.ts';
import { READ_WITH_NEXT_WORD } from '../text/normalize.ts';
import { splitText, type Segment } from '../text/split.ts';
import { MAX_TOKENS } from '../text/tokenize.ts';
import { joinLazyWords, type LazyWords } from '../text/words.ts';

/** Most ids in the first chunk when it packs whole clauses (see [Note: Chunk sizes]). */
export const FIRST_CHUNK_TOKENS = 24;

/** Most ids in any chunk (see [Note: Memory bounds chunk size]); at most the model's MAX_TOKENS. */
export const MAX_CHUNK_TOKENS = 128;

/** Longest first clause taken whole rather than cut at a word boundary (about a second of speech). */
export const FIRST_CLAUSE_MAX_TOKENS = 24;

/** Fewest words in the head of a first clause that is cut. */
export const FIRST_HEAD_MIN_WORDS = 3;

/** Size the head of a cut first clause aims for (ids), about 0.8 s of speech. */
export const FIRST_HEAD_TOKENS = 16;

/** Words a cut may be made before, by how natural a place to breathe it is (higher is better). */
const CUT_BEFORE: ReadonlyMap<string, number> = new Map([
  ...[
    'and',
    'but',
    'or',
    'nor',
    'so',
    'yet',
    'because',
    'although',
    'though',
    'while',
    'whereas',
    'unless',
    'until',
    'since',
    'if',
    'when',
    'whenever',
    'where',
    'after',
    'before',
    'then',
  ].map((w) => [w, 3] as const),
  ...[
    'that',
    'which',
    'who',
    'whom',
    'whose',
    'what',
    'how',
    'why',
    'at',
    'in',
    'on',
    'of',
    'to',
    'for',
    'with',
    'from',
    'by',
    'into',
    'onto',
    'over',
    'under',
    'about',
    'through',
    'across',
    'along',
    'around',
    'between',
    'against',
    'during',
    'without',
    'within',
    'toward',
    'towards',
    'as',
    'like',
    'than',
  ].map((w) => [w, 2] as const),
  ...['the', 'a', 'an', 'this', 'that', 'these', 'those', 'his', 'her', 'its', 'their', 'our', 'my', 'your', 'every', 'some', 'each'].map(
    (w) => [w, 1] as const,
  ),
]);

/** How much larger each chunk may be than the one before (see [Note: Chunk sizes]). */
export const CHUNK_GROWTH = 1.5;

/** Where in its budget a too-long second chunk is best cut (it is rendered with ~0.5 s of pads). */
const SECOND_HEAD_SHARE = 0.75;

/** Most ids in any chunk by default, bounding the wait after Stop (see [Note: Stop frees the engine]). */
export const LONGEST_RUN_TOKENS = 40;

/**
 * Most ids of one written word (a date, a time stamp, an amount) run whole though over the
 * run cap: cut inside, "3/14/2024" is read "three fourteen" | "twenty twenty-four" instead of a
 * date (en-gb reads it in ~45 ids). The previous cap; the arena grows once, for that run only.
 */
export const ONE_WORD_MAX_TOKENS = 64;

/** Growth steps after which every budget is MAX_TOKENS anyway. */
const MAX_GROWTH_STEPS = 32;

/** Characters split at a time by lazySegments (see [Note: Splitting long text lazily]). */
export const SPLIT_WINDOW_CHARS = 4_000;

// [Note: Splitting long text lazily]
// Splitting a long text at once would all come before the first chunk could be planned (a
// fraction of a second for 200 KB). lazySegments gives splitText's segments a window at a time instead: it
// splits the next SPLIT_WINDOW_CHARS, keeps every sentence but the window's last (which the
// window's end may have cut short) and goes on from there. A sentence's end is decided by the
// word before its mark and the next word after it, both inside the window for every sentence
// kept, and each window starts where a sentence starts, so the segments are exactly those of
// splitText on the whole text, only sooner. A window holding less than one whole sentence is
// doubled. The same split gives the sentence spans the UI highlights (`onSentences`, once per
// window, before its first segment is yielded), so the text is split once per utterance.

/**
 * splitText's segments of `text`, split about SPLIT_WINDOW_CHARS at a time (see [Note: Splitting
 * long text lazily]); `onSentences` hears the sentence spans of each window, in order.
 */
export function* lazySegments(
  text: string,
  window = SPLIT_WINDOW_CHARS,
  onSentences?: (sentences: TextSpan[]) => void,
): Generator<PlanSegment> {
  let from = 0;
  let size = Math.max(1, window);
  while (from < text.length) {
    if (text.length - from <= size) {
      const segments = splitText(text.slice(from));
      onSentences?.(sentenceSpans(segments, from));
      for (const segment of segments) yield { start: segment.start + from, end: segment.end + from };
      return;
    }
    const segments = splitText(text.slice(from, from + size));
    const lastSentence = segments[segments.length - 1]?.sentence;
    const kept = segments.filter((segment) => segment.sentence !== lastSentence);
    const end = kept[kept.length - 1]?.end;
    if (end === undefined) {
      size *= 2;
      continue;
    }
    onSentences?.(sentenceSpans(kept, from));
    for (const segment of kept) yield { start: segment.start + from, end: segment.end + from };
    from += end;
    size = Math.max(1, window);
  }
}

// The sentence spans of `segments` (each sentence runs from its first clause's start to its
// last's end, as splitSentences gives it), shifted by `offset`.
function sentenceSpans(segments: readonly Segment[], offset: number): TextSpan[] {
  const spans: TextSpan[] = [];
  let open = -1;
  for (const segment of segments) {
    const last = spans[spans.length - 1];
    if (last && segment.sentence === open) last.end = segment.end + offset;
    else spans.push({ start: segment.start + offset, end: segment.end + offset });
    open = segment.sentence;
  }
  return spans;
}

/** A span of the text to be spoken, as the splitter gives it. */
export interface PlanSegment {
  start: number;
  end: number;
}

/** What preparing a piece of text yields: the ids the model takes for it. */
export interface Prepared {
  ids: readonly number[];
  /** Symbols the vocab lacked, dropped. */
  dropped: number;
  /** Its words: ids relative to `ids`, spans relative to the prepared text (see words.ts). */
  words?: LazyWords;
}

/** Normalise + phonemise + tokenise one piece of text. */
export type Prepare = (text: string) => Promise<Prepared>;

/** One chunk to run: its ids (without pads) and the span of text it covers. */
export interface PlannedChunk {
  index: number;
  span: TextSpan;
  ids: number[];
  dropped: number;
  /** Its words: ids relative to `ids`, spans of the whole text; none if Prepare gives none. */
  words: LazyWords;
  /** Time spent preparing its clauses, milliseconds. */
  prepareMs: number;
}

/** Options of planChunks. */
export interface PlanOptions {
  /** Ids put between two clauses (the vocab's space), so words do not run together. */
  separator: readonly number[];
  /** Most ids in a chunk (default the least of MAX_CHUNK_TOKENS and LONGEST_RUN_TOKENS, never above MAX_TOKENS). */
  firstChunkTokens?: number;
  firstClauseMaxTokens?: number;
  firstHeadTokens?: number;
  growth?: number;
  maxTokens?: number;
}

/** The id budget of chunk `index` (see [Note: Chunk sizes]). */
export function chunkBudget(
  index: number,
  first = FIRST_CHUNK_TOKENS,
  growth = CHUNK_GROWTH,
  max = Math.min(MAX_CHUNK_TOKENS, LONGEST_RUN_TOKENS),
): number {
  // The exponent is capped only so a chunk index in the thousands cannot overflow to Infinity.
  return Math.min(max, Math.floor(first * growth ** Math.min(index, MAX_GROWTH_STEPS)));
}

// `fragment`: part of a word, cut at a separator or a character (see cutNearMiddle).
type Piece = PlanSegment & { prepared?: Prepared & { ms: number }; fragment?: true };
type PreparedPiece = Piece & { prepared: Prepared & { ms: number } };

// One whole written word whose reading fits ONE_WORD_MAX_TOKENS: run it whole, over the cap.
function keepWhole(text: string, piece: PreparedPiece): boolean {
  return !piece.fragment && piece.prepared.ids.length <= ONE_WORD_MAX_TOKENS && !/\s/.test(text.slice(piece.start, piece.end).trim());
}

/**
 * Packs `segments` (spans of `text`, in order) into chunks, preparing each clause only when it
 * is needed (see [Note: Bounded look-ahead]). Yields nothing for text without speakable symbols.
 */
export async function* planChunks(
  text: string,
  segments: Iterable<PlanSegment>,
  prepare: Prepare,
  opts: PlanOptions,
): AsyncGenerator<PlannedChunk> {
  const firstTokens = opts.firstChunkTokens ?? FIRST_CHUNK_TOKENS;
  const firstClauseMax = opts.firstClauseMaxTokens ?? FIRST_CLAUSE_MAX_TOKENS;
  const firstHeadTokens = opts.firstHeadTokens ?? FIRST_HEAD_TOKENS;
  const growth = opts.growth ?? CHUNK_GROWTH;
  const maxTokens = Math.min(opts.maxTokens ?? Math.min(MAX_CHUNK_TOKENS, LONGEST_RUN_TOKENS), MAX_TOKENS);
  const source = segments[Symbol.iterator]();
  // Pieces taken from `source` but not yet packed: the clause that did not fit, or the halves of
  // a clause that was cut. Never more than a few.
  const pending: Piece[] = [];
  let spentMs = 0;

  const prepared = async (piece: Piece): Promise<PreparedPiece> => {
    if (piece.prepared) return piece as PreparedPiece;
    const started = performance.now();
    const result = await prepare(text.slice(piece.start, piece.end));
    const ms = performance.now() - started;
    spentMs += ms;
    return { ...piece, prepared: { ...result, ms } };
  };

  // The next piece, prepared and at most maxTokens long; with `headFirst` (the first piece of
  // the first two chunks, which cut a long clause at its most natural head below) a longer
  // piece that has such a place is returned whole, so that the cap does not halve it first.
  const next = async (headFirst: boolean): Promise<PreparedPiece | undefined> => {
    for (;;) {
      const raw = pending.shift() ?? source.next().value;
      if (raw === undefined) return undefined;
      const piece = await prepared(raw);
      if (piece.prepared.ids.length <= maxTokens || keepWhole(text, piece)) return piece;
      if (headFirst && headCuts(text, piece.start, piece.end).length > 0) return piece;
      const halves = cutNearMiddle(text, piece);
      if (halves) pending.unshift(...halves);
      // A piece without a place to cut (one enormous "word") keeps what the model takes.
      else return { ...piece, prepared: truncate(piece.prepared, MAX_TOKENS) };
    }
  };

  let index = 0;
  let spanStart = 0;
  let previousTokens = 0;
  for (;;) {
    const budget = chunkBudget(index, firstTokens, growth, maxTokens);
    const ids: number[] = [];
    const words: Parameters<typeof joinLazyWords>[0][number][] = [];
    let dropped = 0;
    let end = spanStart;
    spentMs = 0;
    for (;;) {
      let piece = await next(index <= 1 && ids.length === 0);
      if (!piece) break;
      const pieceIds = piece.prepared.ids;
      const joiner = ids.length > 0 && pieceIds.length > 0 ? opts.separator : [];
      const total = ids.length + joiner.length + pieceIds.length;
      if (total > budget) {
        // Not right after the first chunk: that one is short on purpose, and the second must be
        // ready before it has played out (see [Note: Chunk sizes]).
        const tooShort = index > 1 && ids.length < previousTokens && total <= maxTokens;
        if (ids.length > 0 && !tooShort) {
          pending.unshift(piece);
          break;
        }
        if (index === 0 && ids.length === 0 && pieceIds.length > firstClauseMax) {
          // The first clause is long: speak its first few words first.
          const [head, tail] = await firstHead(text, piece, firstHeadTokens, firstClauseMax, prepared);
          if (tail) pending.unshift(tail);
          piece = head;
        } else if (index === 1 && ids.length === 0) {
          // The rest of a long first clause, or a long second one: cut it too, at its most natural
          // place within the budget, so that it is ready before the first chunk has played out.
          const [head, tail] = await firstHead(text, piece, Math.round(budget * SECOND_HEAD_SHARE), budget, prepared);
          if (tail) pending.unshift(tail);
          piece = head;
        }
        if (piece.prepared.ids.length > maxTokens && !keepWhole(text, piece)) {
          // A long piece kept whole for its head (next(true)) found no cut in reach: halve it.
          const halves = cutNearMiddle(text, piece);
          if (halves) {
            pending.unshift(...halves);
            continue;
          }
          piece = { ...piece, prepared: truncate(piece.prepared, MAX_TOKENS) };
        }
      }
      const pieceWords = piece.prepared.words;
      if (pieceWords) words.push({ words: pieceWords, textOffset: piece.start, idOffset: ids.length + joiner.length });
      ids.push(...joiner, ...piece.prepared.ids);
      dropped += piece.prepared.dropped;
      end = piece.end;
    }
    if (ids.length === 0) return;
    previousTokens = ids.length;
    yield { index, span: { start: spanStart, end }, ids, dropped, words: joinLazyWords(words), prepareMs: spentMs };
    spanStart = end;
    index++;
  }
}

// Cuts a piece at the whitespace nearest its middle, or, when it has none (a long run of junk
// such as "%%%%" or letters without spaces), at its middle character, never inside a surrogate
// pair; undefined only for a single character. Without the second cut such a piece was
// truncated to MAX_TOKENS ids and run whole, which took the worker past 800 MB.
function cutNearMiddle(text: string, piece: Piece): [Piece, Piece] | undefined {
  const middle = piece.start + Math.floor((piece.end - piece.start) / 2);
  let cut = wordBoundary(text, piece, middle);
  // Cut inside a word: its halves are fragments, never kept whole (keepWhole).
  const fragment = cut === undefined || piece.fragment ? { fragment: true as const } : {};
  cut ??= separatorBoundary(text, piece, middle);
  if (cut === undefined) {
    cut = middle;
    if (cut > piece.start && isLowSurrogate(text.charCodeAt(cut))) cut--;
    if (cut <= piece.start) return undefined;
  }
  return [
    { start: piece.start, end: cut, ...fragment },
    { start: cut, end: piece.end, ...fragment },
  ];
}

/** Characters that separate the spoken parts of a word without spaces (a URL, a path, a-long-compound). */
const SEPARATORS = /[/.\-_?&=#:,;@+]/;

// Just after the separator inside (start, end) nearest `target`, so that a URL or path is cut
// between two of the words it is read as ("example dot" | "com"), never inside one.
function separatorBoundary(text: string, piece: PlanSegment, target: number): number | undefined {
  let best: number | undefined;
  for (let i = piece.start + 1; i < piece.end - 1; i++) {
    if (!SEPARATORS.test(text.charAt(i - 1)) || SEPARATORS.test(text.charAt(i))) continue;
    if (best === undefined || Math.abs(i - target) < Math.abs(best - target)) best = i;
  }
  return best;
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}

/** A place a first clause could be cut: the offset, words before it, and how natural it is. */
export interface HeadCut {
  at: number;
  words: number;
  weight: number;
}

/**
 * The places `text[start, end)` could be cut after at least FIRST_HEAD_MIN_WORDS words (the
 * start of each whitespace run), each with the CUT_BEFORE weight of the word after it (0 if none).
 */
export function headCuts(text: string, start: number, end: number): HeadCut[] {
  const cuts: HeadCut[] = [];
  let words = 0;
  for (let i = start + 1; i < end; i++) {
    if (!/\s/.test(text.charAt(i)) || /\s/.test(text.charAt(i - 1))) continue;
    words++;
    let j = i;
    while (j < end && /\s/.test(text.charAt(j))) j++;
    const next = /^[\p{L}']+/u.exec(text.slice(j, Math.min(end, j + 20)))?.[0]?.toLowerCase() ?? '';
    // Never beside a number: normalisation reads it with its neighbours ("3:30 pm", "5 May", "10 kg").
    const before = /\S+$/.exec(text.slice(Math.max(start, i - 40), i))?.[0] ?? '';
    const after = /^\S+/.exec(text.slice(j, Math.min(end, j + 40)))?.[0] ?? '';
    if (/\d/.test(before) || /\d/.test(after)) continue;
    // Nor after "Dr." or "St.", read by the word after them: alone, "Dr." is read "Drive".
    if (READ_WITH_NEXT_WORD.test(before)) continue;
    if (words >= FIRST_HEAD_MIN_WORDS && j < end) cuts.push({ at: i, words, weight: CUT_BEFORE.get(next) ?? 0 });
  }
  return cuts;
}

/**
 * The cut of a long first clause (see [Note: Chunk sizes]): among the cuts whose head is
 * estimated (ids in proportion to characters) at most `reach` ids, the most natural one,
 * nearest `target` among equals; undefined when the clause has fewer than
 * FIRST_HEAD_MIN_WORDS + 1 words.
 */
export function chooseHeadCut(
  cuts: readonly HeadCut[],
  start: number,
  idsPerChar: number,
  target: number,
  reach: number,
): HeadCut | undefined {
  const estimate = (cut: HeadCut): number => (cut.at - start) * idsPerChar;
  // The first cut (FIRST_HEAD_MIN_WORDS words) is always in reach, however long its words.
  const inReach = cuts.filter((cut, i) => i === 0 || estimate(cut) <= reach);
  let best: HeadCut | undefined;
  for (const cut of inReach) {
    // Weight counts first; among equal weights, nearest the target.
    const better =
      best === undefined ||
      cut.weight > best.weight ||
      (cut.weight === best.weight && Math.abs(estimate(cut) - target) < Math.abs(estimate(best) - target));
    if (better) best = cut;
  }
  return best;
}

// The head of a long first clause at its most natural cut, and the rest unprepared.
async function firstHead(
  text: string,
  piece: PreparedPiece,
  target: number,
  reach: number,
  prepared: (p: Piece) => Promise<PreparedPiece>,
): Promise<[PreparedPiece, Piece | undefined]> {
  const idsPerChar = piece.prepared.ids.length / Math.max(1, piece.end - piece.start);
  const cut = chooseHeadCut(headCuts(text, piece.start, piece.end), piece.start, idsPerChar, target, reach);
  if (cut === undefined) return [piece, undefined];
  const head = await prepared({ start: piece.start, end: cut.at });
  return [head, { start: cut.at, end: piece.end }];
}

// The offset of a whitespace run inside (start, end) nearest `target`: the start of the run, so
// the head keeps no trailing space. Undefined when the piece is one word.
function wordBoundary(text: string, piece: PlanSegment, target: number): number | undefined {
  let best: number | undefined;
  for (let i = piece.start + 1; i < piece.end - 1; i++) {
    if (!/\s/.test(text.charAt(i)) || /\s/.test(text.charAt(i - 1))) continue;
    if (best === undefined || Math.abs(i - target) < Math.abs(best - target)) best = i;
    else if (i > target) break;
  }
  return best;
}

function truncate(prepared: Prepared & { ms: number }, max: number): Prepared & { ms: number } {
  const over = prepared.ids.length - max;
  const all = prepared.words;
  const words: LazyWords | undefined = all && (async () => (await all()).filter((w) => w.endId <= max));
  return { ids: prepared.ids.slice(0, max), dropped: prepared.dropped + over, ms: prepared.ms, ...(words ? { words } : {}) };
}
