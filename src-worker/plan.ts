// Runs in the worker (and the CLI, tests, benchmark): packs the clauses of a text into the chunks
// the model runs, lazily, so that speech starts early and long text streams in bounded memory.
//
// [Note: Chunk sizes]
// Kokoro is not autoregressive: a chunk's audio exists only when its whole run is done, so the
// first chunk alone decides the time to first audio. It is kept short: whole clauses up to
// FIRST_CHUNK_TOKENS ids, and if the first clause alone is longer, its first words (cut at a
// word boundary). Each later chunk may be CHUNK_GROWTH times larger than the one before, up to
// the model's MAX_TOKENS: a chunk takes about as long to synthesise as a fraction (the RTF) of
// its own audio, so doubling keeps the next chunk ready before the current one has played out
// whenever RTF < 1/2, while long chunks give the model whole sentences to shape prosody over.
// Chunks pack whole clauses; a clause longer than MAX_TOKENS is cut at the word boundary nearest
// its middle, again and again until every piece fits.
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

/** Most ids in the first chunk (a clause of a few words; see [Note: Chunk sizes]). */
export const FIRST_CHUNK_TOKENS = 40;

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
}

/** Normalise + phonemise + tokenise one piece of text. */
export type Prepare = (text: string) => Promise<Prepared>;

/** One chunk to run: its ids (without pads) and the span of text it covers. */
export interface PlannedChunk {
  index: number;
  span: TextSpan;
  ids: number[];
  dropped: number;
  /** Time spent preparing its clauses, milliseconds. */
  prepareMs: number;
}

/** Options of planChunks. */
export interface PlanOptions {
  /** Ids put between two clauses (the vocab's space), so words do not run together. */
  separator: readonly number[];
  firstChunkTokens?: number;
  growth?: number;
  maxTokens?: number;
}

/** The id budget of chunk `index` (see [Note: Chunk sizes]). */
export function chunkBudget(index: number, first = FIRST_CHUNK_TOKENS, growth = CHUNK_GROWTH, max = MAX_TOKENS): number {
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
  const growth = opts.growth ?? CHUNK_GROWTH;
  const maxTokens = opts.maxTokens ?? MAX_TOKENS;
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
      // A piece without a place to cut (one enormous "word") keeps what fits.
      else return { ...piece, prepared: truncate(piece.prepared, maxTokens) };
    }
  };

  let index = 0;
  let spanStart = 0;
  for (;;) {
    const budget = chunkBudget(index, firstTokens, growth, maxTokens);
    const ids: number[] = [];
    let dropped = 0;
    let end = spanStart;
    spentMs = 0;
    for (;;) {
      let piece = await next();
      if (!piece) break;
      const pieceIds = piece.prepared.ids;
      const joiner = ids.length > 0 && pieceIds.length > 0 ? opts.separator : [];
      if (ids.length + joiner.length + pieceIds.length > budget) {
        if (ids.length > 0) {
          pending.unshift(piece);
          break;
        }
        if (index === 0) {
          // The first clause alone is over the first budget: speak its first words first.
          const [head, tail] = await fitHead(text, piece, budget, prepared);
          if (tail) pending.unshift(tail);
          piece = head;
        }
      }
      ids.push(...joiner, ...piece.prepared.ids);
      dropped += piece.prepared.dropped;
      end = piece.end;
    }
    if (ids.length === 0) return;
    yield { index, span: { start: spanStart, end }, ids, dropped, prepareMs: spentMs };
    spanStart = end;
    index++;
  }
}

// Cuts a piece at the whitespace nearest its middle; undefined if it has none inside.
function cutNearMiddle(text: string, piece: PlanSegment): [Piece, Piece] | undefined {
  const cut = wordBoundary(text, piece, piece.start + Math.floor((piece.end - piece.start) / 2));
  return cut === undefined ? undefined : [{ start: piece.start, end: cut }, { start: cut, end: piece.end }];
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
  return { ids: prepared.ids.slice(0, max), dropped: prepared.dropped + over, ms: prepared.ms };
}
