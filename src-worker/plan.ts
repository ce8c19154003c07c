// Runs in the worker (and the CLI, tests, benchmark): packs the clauses of a text into the chunks
// the model runs, lazily, so that speech starts early and long text streams in bounded memory.
//
// [Note: Chunk sizes]
// Kokoro is not autoregressive: a chunk's audio exists only when its whole run is done, so the
// first chunk alone decides the time to first audio. It is kept short: whole clauses up to
// FIRST_CHUNK_TOKENS ids; a longer first clause is still taken whole up to FIRST_CLAUSE_MAX_TOKENS
// (cutting a clause in two costs its intonation), and beyond that its first words are taken, cut
// at a word boundary to fit FIRST_CHUNK_TOKENS. Each later chunk may be CHUNK_GROWTH times larger than the one before, up to
// the model's MAX_TOKENS: a chunk takes about as long to synthesise as a fraction (the RTF) of
// its own audio, so doubling keeps the next chunk ready before the current one has played out
// whenever RTF < 1/2, while long chunks give the model whole sentences to shape prosody over.
// Budgets grow to MAX_CHUNK_TOKENS, not to the model's MAX_TOKENS: see [Note: Memory bounds chunk
// size]. Budgets are packed with whole clauses, so a chunk may fall short of its budget; one that would
// end up shorter than the chunk before it takes the next clause anyway (up to MAX_TOKENS), so
// chunk sizes never shrink before the last chunk.
// Chunks pack whole clauses; a clause longer than MAX_CHUNK_TOKENS is cut at the word boundary
// nearest its middle (at its middle character when it has no space), again and again until every
// piece fits (a single character that cannot be cut is kept up to the model's MAX_TOKENS).
//
// [Note: Memory bounds chunk size]
// onnxruntime's CPU arena grows to the activations of the longest run and keeps them: measured
// here (int8, onnxruntime 1.30, peak RSS of a bare Node process, 203 MB after loading), one run
// of 40 ids peaks at 273 MB, 80 ids at 299 MB, 150 at 391 MB and 300 at 584 MB, about 1.3 MB per
// id. A 510-id chunk would take the worker near 1 GB, for no gain in speed (run time is close to
// proportional to the audio length, so several shorter runs cost what one long run does) and
// little in prosody (a chunk of MAX_CHUNK_TOKENS ids is a whole sentence of ~25 words). So chunks
// grow only to MAX_CHUNK_TOKENS. Turning the arena off is worse: a 150-id run then peaks at 1.8 GB.
//
// [Note: Bounded look-ahead]
// The planner prepares (normalises, phonemises, tokenises) a clause only when the chunk being
// packed needs it, and holds at most the one clause that did not fit. The engine asks for chunk
// n+1 while chunk n runs, so at most two chunks' worth of prepared text exists at any time,
// however long the text. Chunk spans are contiguous: each starts where the previous ended (the
// first at 0) and ends at its last clause, so the spans of a whole stream cover the text in
// order with nothing lost; the engine stretches the last one to the end of the text.

import type { TextSpan } from './protocol.ts';
import { MAX_TOKENS } from './tokenize.ts';
import { joinLazyWords, type LazyWords } from './words.ts';

/** Most ids in the first chunk (a clause of a few words; see [Note: Chunk sizes]). */
export const FIRST_CHUNK_TOKENS = 40;

/** Most ids in any chunk (see [Note: Memory bounds chunk size]); at most the model's MAX_TOKENS. */
export const MAX_CHUNK_TOKENS = 128;

/** Longest first clause taken whole rather than cut at a word boundary. */
export const FIRST_CLAUSE_MAX_TOKENS = 64;

/** How much larger each chunk may be than the one before. */
export const CHUNK_GROWTH = 2;

/** Growth steps after which every budget is MAX_TOKENS anyway. */
const MAX_GROWTH_STEPS = 32;

/** Attempts at finding a first piece of the first clause that fits FIRST_CHUNK_TOKENS. */
const MAX_FIT_ATTEMPTS = 4;

/** How much of the proportional estimate to aim for when cutting a piece to fit a budget. */
const FIT_MARGIN = 0.9;

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
  /** Most ids in a chunk (default MAX_CHUNK_TOKENS, never above MAX_TOKENS). */
  firstChunkTokens?: number;
  firstClauseMaxTokens?: number;
  growth?: number;
  maxTokens?: number;
}

/** The id budget of chunk `index` (see [Note: Chunk sizes]). */
export function chunkBudget(index: number, first = FIRST_CHUNK_TOKENS, growth = CHUNK_GROWTH, max = MAX_CHUNK_TOKENS): number {
  // The exponent is capped only so a chunk index in the thousands cannot overflow to Infinity.
  return Math.min(max, Math.floor(first * growth ** Math.min(index, MAX_GROWTH_STEPS)));
}

type Piece = PlanSegment & { prepared?: Prepared & { ms: number } };

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
  const growth = opts.growth ?? CHUNK_GROWTH;
  const maxTokens = Math.min(opts.maxTokens ?? MAX_CHUNK_TOKENS, MAX_TOKENS);
  const source = segments[Symbol.iterator]();
  // Pieces taken from `source` but not yet packed: the clause that did not fit, or the halves of
  // a clause that was cut. Never more than a few.
  const pending: Piece[] = [];
  let spentMs = 0;

  const prepared = async (piece: Piece): Promise<Required<Piece>> => {
    if (piece.prepared) return piece as Required<Piece>;
    const started = performance.now();
    const result = await prepare(text.slice(piece.start, piece.end));
    const ms = performance.now() - started;
    spentMs += ms;
    return { ...piece, prepared: { ...result, ms } };
  };

  // The next piece, prepared and at most maxTokens long.
  const next = async (): Promise<Required<Piece> | undefined> => {
    for (;;) {
      const raw = pending.shift() ?? source.next().value;
      if (raw === undefined) return undefined;
      const piece = await prepared(raw);
      if (piece.prepared.ids.length <= maxTokens) return piece;
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
      let piece = await next();
      if (!piece) break;
      const pieceIds = piece.prepared.ids;
      const joiner = ids.length > 0 && pieceIds.length > 0 ? opts.separator : [];
      const total = ids.length + joiner.length + pieceIds.length;
      if (total > budget) {
        const tooShort = ids.length < previousTokens && total <= maxTokens;
        if (ids.length > 0 && !tooShort) {
          pending.unshift(piece);
          break;
        }
        if (index === 0 && pieceIds.length > firstClauseMax) {
          // The first clause alone is over the first budget: speak its first words first.
          const [head, tail] = await fitHead(text, piece, budget, prepared);
          if (tail) pending.unshift(tail);
          piece = head;
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
function cutNearMiddle(text: string, piece: PlanSegment): [Piece, Piece] | undefined {
  const middle = piece.start + Math.floor((piece.end - piece.start) / 2);
  let cut = wordBoundary(text, piece, middle);
  if (cut === undefined) {
    cut = middle;
    if (cut > piece.start && isLowSurrogate(text.charCodeAt(cut))) cut--;
    if (cut <= piece.start) return undefined;
  }
  return [{ start: piece.start, end: cut }, { start: cut, end: piece.end }];
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}

// A first piece of `piece` that fits `budget` ids (cut at words), and the rest unprepared.
async function fitHead(
  text: string,
  piece: Required<Piece>,
  budget: number,
  prepared: (p: Piece) => Promise<Required<Piece>>,
): Promise<[Required<Piece>, Piece | undefined]> {
  let head = piece;
  for (let attempt = 0; attempt < MAX_FIT_ATTEMPTS && head.prepared.ids.length > budget; attempt++) {
    const length = head.end - head.start;
    const target = head.start + Math.floor((length * budget * FIT_MARGIN) / head.prepared.ids.length);
    const cut = wordBoundary(text, head, target);
    if (cut === undefined) break;
    head = await prepared({ start: piece.start, end: cut });
  }
  if (head.end === piece.end) return [piece, undefined];
  return [head, { start: head.end, end: piece.end }];
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
