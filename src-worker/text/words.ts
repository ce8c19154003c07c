// Runs in the worker (and the CLI, tests, benchmark): word timings. Prepares a clause as the
// other text stages do (normalise, phonemise, tokenise: the same ids, bit for bit) and keeps,
// for each word, which ids speak it and which characters of the original text it came from;
// then turns the model's per-token durations into each word's first and last sample.
//
// [Note: Words through the text stages]
// Three maps are chained. Normalisation carries an offset map (mapped-text.ts), so "$42.50"
// read as "forty-two dollars and fifty cents" still points at "$42.50". espeak keeps words apart
// with spaces, except that it runs some together ("of the" → ʌvðə, "to be" → təbi, "had been"
// → hədbɪn) and may split one (a plural z); so when a run's word counts differ, each word is
// phonemised alone in one extra espeak call and the two lists are grouped by the cheapest edit
// distance (groupWords), a group then being one word for timing ("of the" highlights as one).
// The post-processing of phonemize.ts runs on a MappedText too, so each final symbol knows the
// espeak word it came from, and each vocab id inherits its symbol's word; spaces and
// punctuation belong to no word. Last, words whose original spans overlap are merged: all five
// words of "$42.50" become one word spanning "$42.50".
//
// [Note: Words off the critical path]
// Grouping costs one more espeak call for most clauses (~1 ms a word here, as much again as the
// clause's own G2P; words already read alone are remembered, see wordsAlone). The ids do not need it, so prepareClause returns them at once and the words
// as a memoised promise-maker that the engine calls only once the chunk's run is queued: the
// call then runs while the model does (and after the next chunk's G2P, already queued), never
// before the first sound. An engine built with `wordTimings: false` (EngineOptions) skips all of
// it and takes the plain text stages, so a benchmark can weigh what the word work costs.
//
// [Note: Word samples]
// Kokoro renders padded token i over frames [cum(i), cum(i+1)), cum being the running sum of
// the predicted durations (speed already applied inside the graph), 600 samples a frame, so a
// word starts at sample 600·cum(first id + 1) of its chunk's raw audio (+1 for the leading pad)
// and ends at 600·cum(last id + 2). The engine trims and pads the raw audio (joins.ts): it cuts
// the leading pad's silence, shortens over-long silences inside the speech by whole frames (and
// takes those frames off the ids they belonged to, so the durations it hands on stay true), cuts
// the tail and appends the pause. timeWords takes those durations, shifts by what was cut before
// the chunk's first emitted sample and by where the chunk starts in the utterance, and clamps
// into the chunk's speech, so the samples index the audio exactly as emitted.

import type { MappedText } from './mapped-text.ts';
import { MappedText as Mapped } from './mapped-text.ts';
import { normalizeMapped } from './normalize.ts';
import { espeakClause, espeakWordsAlone, postProcessMapped, type EspeakRun, type G2pLang } from './phonemize.ts';
import type { WordTiming } from '../protocol/messages.ts';
import { SAMPLES_PER_FRAME } from '../sessions/session.ts';
import { tokenize, type Vocab } from './tokenize.ts';

/** Most text words espeak is taken to run into one of its words. */
const MAX_MERGE = 4;
/** Most espeak words one text word is taken to become. */
const MAX_SPLIT = 3;
/** Extra cost of each word beyond one-to-one in a group, so ties prefer one-to-one. */
const GROUP_PENALTY = 0.5;
/** Phoneme symbols per letter, roughly, for grouping when no espeak reading of each word exists. */
const PHONEMES_PER_LETTER = 0.85;
/** How far the grouping may wander from the diagonal beyond the count difference. */
const GROUP_BAND = 3;

/** Stress and length marks: ignored when comparing a word alone with the word in context. */
const MARKS = /[ˈˌːˑ\s]/g;
const SPACE = /\s/;
const SPEAKABLE = /\p{L}/u;

/** One word of a prepared piece of text: the ids that speak it and where it came from. */
export interface WordUnit {
  /** Span of the original text (relative to the prepared text until plan.ts offsets it). */
  start: number;
  end: number;
  /** Ids [firstId, endId) of the piece (without pads) that speak the word. */
  firstId: number;
  endId: number;
}

/** A clause's words, worked out when first asked for (see [Note: Words off the critical path]). */
export type LazyWords = () => Promise<readonly WordUnit[]>;

/** What prepareClause yields: the ids the model takes (as the plain stages make them) and the words. */
export interface PreparedClause {
  ids: number[];
  dropped: number;
  words: LazyWords;
}

/** A group of words: text words [t0, t1) read as espeak words [e0, e1). */
export interface WordGroup {
  t0: number;
  t1: number;
  e0: number;
  e1: number;
}

/**
 * Normalise + phonemise + tokenise one clause, keeping its words (see [Note: Words through the
 * text stages]). The ids equal tokenize(phonemize(normalizeText(clause, lang), lang)).
 */
export async function prepareClause(clause: string, lang: G2pLang, vocab: Vocab): Promise<PreparedClause> {
  const normalized = normalizeMapped(clause, lang);
  const espoken = await espeakClause(normalized.text, lang);
  if (espoken === undefined) return { ids: [], dropped: 0, words: () => Promise.resolve([]) };
  const phonemes = postProcessMapped(Mapped.of(espoken.joined), lang);
  const { ids, dropped } = tokenize(phonemes.text, vocab);
  let words: Promise<WordUnit[]> | undefined;
  return {
    ids,
    dropped,
    words: () => (words ??= runWordSpans(espoken.runs, lang).then((spans) => wordUnits(normalized, phonemes, spans, vocab))),
  };
}

/** Joins the lazy words of several pieces, each shifted to where it sits (see offsetWords). */
export function joinLazyWords(parts: readonly { words: LazyWords; textOffset: number; idOffset: number }[]): LazyWords {
  let joined: Promise<WordUnit[]> | undefined;
  return () =>
    (joined ??= Promise.all(parts.map(async (p) => offsetWords(await p.words(), p.textOffset, p.idOffset))).then((all) => all.flat()));
}

/** A word for timing, before ids are known: its span in the normalised text and in espeak's output. */
interface WordSpans {
  textStart: number;
  textEnd: number;
  joinedStart: number;
  joinedEnd: number;
}

// The words of every run, grouped where espeak ran words together or split one.
async function runWordSpans(runs: readonly EspeakRun[], lang: G2pLang): Promise<WordSpans[]> {
  const out: WordSpans[] = [];
  for (const run of runs) {
    const text = wordsOf(run.text).filter((w) => SPEAKABLE.test(w.word));
    const spoken = wordsOf(run.phonemes);
    if (text.length === 0 || spoken.length === 0) continue;
    let groups: WordGroup[];
    if (text.length === spoken.length) {
      groups = text.map((_, i) => ({ t0: i, t1: i + 1, e0: i, e1: i + 1 }));
    } else {
      const alone = await wordsAlone(
        text.map((w) => w.word),
        lang,
      );
      groups = groupWords(
        alone ?? text.map((w) => w.word),
        spoken.map((w) => w.word),
        alone === undefined ? lengthCost : phonemeCost,
      );
    }
    for (const g of groups) {
      const firstText = text[g.t0] as Located;
      const lastText = text[g.t1 - 1] as Located;
      const firstSpoken = spoken[g.e0] as Located;
      const lastSpoken = spoken[g.e1 - 1] as Located;
      out.push({
        textStart: run.start + firstText.at,
        textEnd: run.start + lastText.at + lastText.word.length,
        joinedStart: run.joinedStart + firstSpoken.at,
        joinedEnd: run.joinedStart + lastSpoken.at + lastSpoken.word.length,
      });
    }
  }
  return out;
}

/** Most words kept per dialect by wordsAlone; the cache is emptied when full. */
const ALONE_CACHE_WORDS = 4096;
const aloneCache: Record<G2pLang, Map<string, string>> = { 'en-us': new Map(), 'en-gb': new Map() };

// espeakWordsAlone, remembering each word's reading: espeak costs ~1 ms a word here and function
// words ("of", "the", "to"), the ones espeak runs together, recur in every sentence.
async function wordsAlone(words: readonly string[], lang: G2pLang): Promise<string[] | undefined> {
  const cache = aloneCache[lang];
  const known = new Map<string, string>();
  for (const w of words) {
    const hit = cache.get(w);
    if (hit !== undefined) known.set(w, hit);
  }
  const missing = [...new Set(words.filter((w) => !known.has(w)))];
  if (missing.length > 0) {
    const read = await espeakWordsAlone(missing, lang);
    if (read === undefined) return undefined;
    if (cache.size + missing.length > ALONE_CACHE_WORDS) cache.clear();
    missing.forEach((w, i) => {
      known.set(w, read[i] as string);
      cache.set(w, read[i] as string);
    });
  }
  return words.map((w) => known.get(w) as string);
}

interface Located {
  word: string;
  at: number;
}

// Whitespace-separated words with their offsets.
function wordsOf(text: string): Located[] {
  return [...text.matchAll(/\S+/g)].map((m) => ({ word: m[0], at: m.index }));
}

/** Cost of reading `text` words (each alone) as the `spoken` words. */
export type GroupCost = (text: readonly string[], spoken: readonly string[]) => number;

/** Edit distance between the words alone and the words in context, stress and length marks ignored. */
export const phonemeCost: GroupCost = (text, spoken) => editDistance(text.join('').replace(MARKS, ''), spoken.join('').replace(MARKS, ''));

/** Without espeak's reading of each word: how far the letter count is from the phoneme count. */
export const lengthCost: GroupCost = (text, spoken) =>
  Math.abs(text.join('').length * PHONEMES_PER_LETTER - spoken.join('').replace(MARKS, '').length);

/**
 * Groups text words with espeak words, in order, every word in exactly one group: a group is
 * several text words read as one espeak word (merged) or one text word read as several (split).
 * The cheapest grouping by `cost`, plus GROUP_PENALTY per word beyond one-to-one.
 */
export function groupWords(text: readonly string[], spoken: readonly string[], cost: GroupCost): WordGroup[] {
  const n = text.length;
  const m = spoken.length;
  if (n === 0 || m === 0) return [];
  const band = Math.abs(n - m) + GROUP_BAND;
  const width = m + 1;
  const best = new Float64Array((n + 1) * width).fill(Number.POSITIVE_INFINITY);
  const from = new Int32Array((n + 1) * width).fill(-1);
  best[0] = 0;
  const shapes: [number, number][] = [];
  for (let a = 1; a <= MAX_MERGE; a++) shapes.push([a, 1]);
  for (let b = 2; b <= MAX_SPLIT; b++) shapes.push([1, b]);
  for (let i = 0; i <= n; i++) {
    for (let j = 0; j <= m; j++) {
      const here = best[i * width + j] as number;
      if (!Number.isFinite(here)) continue;
      for (const [a, b] of shapes) {
        const i2 = i + a;
        const j2 = j + b;
        if (i2 > n || j2 > m || Math.abs(i2 * (m / n) - j2) > band) continue;
        const c = here + cost(text.slice(i, i2), spoken.slice(j, j2)) + GROUP_PENALTY * (a + b - 2);
        const at = i2 * width + j2;
        if (c < (best[at] as number)) {
          best[at] = c;
          from[at] = i * width + j;
        }
      }
    }
  }
  if (from[n * width + m] === -1) {
    // Outside every shape (a long run of merges): one group of all, still complete and in order.
    return [{ t0: 0, t1: n, e0: 0, e1: m }];
  }
  const groups: WordGroup[] = [];
  for (let at = n * width + m; at !== 0;) {
    const prev = from[at] as number;
    groups.push({ t0: Math.floor(prev / width), t1: Math.floor(at / width), e0: prev % width, e1: at % width });
    at = prev;
  }
  return groups.reverse();
}

/** Levenshtein distance of two short strings; not for the audio thread (it allocates). */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row.push(
        Math.min((previous[j] as number) + 1, (row[j - 1] as number) + 1, (previous[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1)),
      );
    }
    previous = row;
  }
  return previous[b.length] as number;
}

/**
 * The word units of a clause: each word's ids (through the phoneme map) and original span
 * (through the normalisation map), merged where spans overlap; see [Note: Words through the
 * text stages].
 */
export function wordUnits(normalized: MappedText, phonemes: MappedText, spans: readonly WordSpans[], vocab: Vocab): WordUnit[] {
  const units: { start: number; end: number; firstId: number; endId: number }[] = spans.map((s) => ({
    ...normalized.spanOf(s.textStart, s.textEnd),
    firstId: -1,
    endId: -1,
  }));
  let id = 0;
  let word = 0;
  for (let c = 0; c < phonemes.text.length; c++) {
    const symbol = phonemes.text[c] as string;
    if (!vocab.has(symbol)) continue;
    if (!SPACE.test(symbol)) {
      const source = phonemes.from[c] as number;
      // Words are in order and the map is monotone: move forward to the word holding `source`.
      while (word < spans.length && source >= (spans[word] as WordSpans).joinedEnd) word++;
      const span = spans[word];
      if (span !== undefined && source >= span.joinedStart) {
        const unit = units[word] as WordUnit;
        if (unit.firstId === -1) unit.firstId = id;
        unit.endId = id + 1;
      }
    }
    id++;
  }
  return mergeUnits(units);
}

/**
 * Merges words that share original characters, or have none of their own, or no ids, into the
 * word before them (the first into the one after), so spans never overlap and every word has ids.
 */
export function mergeUnits(units: readonly WordUnit[]): WordUnit[] {
  const out: WordUnit[] = [];
  let orphan: WordUnit | undefined; // Leading words without ids or span, waiting for a neighbour.
  for (const unit of units) {
    const hasIds = unit.firstId >= 0;
    const hasText = unit.end > unit.start;
    const previous = out[out.length - 1];
    if (previous !== undefined && (!hasIds || !hasText || unit.start < previous.end)) {
      out[out.length - 1] = join(previous, unit);
    } else if (!hasIds || !hasText) {
      orphan = orphan === undefined ? unit : join(orphan, unit);
    } else {
      out.push(orphan === undefined ? { ...unit } : join(orphan, unit));
      orphan = undefined;
    }
  }
  return out;
}

function join(a: WordUnit, b: WordUnit): WordUnit {
  const hasA = a.firstId >= 0;
  const hasB = b.firstId >= 0;
  const aText = a.end > a.start;
  const bText = b.end > b.start;
  return {
    start: aText && bText ? Math.min(a.start, b.start) : aText ? a.start : b.start,
    end: aText && bText ? Math.max(a.end, b.end) : aText ? a.end : b.end,
    firstId: hasA ? a.firstId : b.firstId,
    endId: hasB ? b.endId : a.endId,
  };
}

/** Where a chunk's audio sits: see [Note: Word samples]. */
export interface ChunkClock {
  /** Utterance sample of the chunk's first emitted sample. */
  offset: number;
  /** Samples (of the model's audio, inner silences already shortened) cut before the chunk's first emitted sample. */
  trimmedStart: number;
  /** Emitted samples of the chunk that come from the model's audio (its speech, before the pause). */
  speechLength: number;
}

/**
 * Each word's first and last sample in the utterance, from the durations of the padded ids (see
 * [Note: Word samples]); words with ids beyond the durations are dropped.
 */
export function timeWords(words: readonly WordUnit[], durations: ArrayLike<number>, clock: ChunkClock): WordTiming[] {
  const cum = new Float64Array(durations.length + 1);
  for (let i = 0; i < durations.length; i++) cum[i + 1] = (cum[i] as number) + (durations[i] as number);
  const toUtterance = (frames: number): number =>
    clock.offset + Math.min(clock.speechLength, Math.max(0, Math.round(frames * SAMPLES_PER_FRAME) - clock.trimmedStart));
  const out: WordTiming[] = [];
  for (const word of words) {
    // +1: the leading pad is padded id 0.
    if (word.endId + 1 >= cum.length) continue;
    out.push({
      span: { start: word.start, end: word.end },
      startSample: toUtterance(cum[word.firstId + 1] as number),
      endSample: toUtterance(cum[word.endId + 1] as number),
    });
  }
  return out;
}

/** Shifts a piece's words to where the piece sits: its text at `textOffset`, its ids at `idOffset`. */
export function offsetWords(words: readonly WordUnit[], textOffset: number, idOffset: number): WordUnit[] {
  return words.map((w) => ({
    start: w.start + textOffset,
    end: w.end + textOffset,
    firstId: w.firstId + idOffset,
    endId: w.endId + idOffset,
  }));
}
