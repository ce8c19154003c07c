// Runs in the worker (and the CLI, tests, benchmark): the first text stage, cutting the text of a
// speak request into sentences and the sentences into clauses, as exact spans of the original.
//
// [Note: Spans index the original text]
// Splitting runs before normalisation, on exactly the string the user gave us, so every span
// is a pair of UTF-16 offsets into it: the UI highlights a sentence as it is heard and each
// audio chunk names the text it covers. Together the segments cover every non-whitespace
// character once, in order; whitespace between them belongs to no one. Both passes are single
// left-to-right scans with bounded look-back, so a 100,000-character chapter splits in
// milliseconds.
//
// [Note: Where a sentence ends]
// A run of terminal marks (. ! ? …) plus any closing quotes or brackets ends a sentence when
// whitespace or the end of the text follows, unless the word before it is a title ("Mr.",
// "Dr.", "St."), an abbreviation that never ends one ("e.g.", "vs."), an initial ("J. R. R.
// Tolkien"), a list number at the start of a sentence ("1. First item"), or the next word starts
// in lower case ("approx. ten", "Wait... what?", '"Stop!" she said'); a month abbreviation before a
// number ("Jan. 5") does not end one either. A full-width mark of CJK text (。！？) ends a sentence
// with no whitespace after it. Decimals, URLs and e-mail
// addresses need no rule: their dots are not followed by whitespace. A blank line always ends a
// sentence; a single line break ends one unless the next line starts in lower case (hard-wrapped
// prose). Quote and bracket depth is deliberately not tracked: one stray quote mark would
// otherwise glue the rest of a book into one sentence.
//
// [Note: Clauses]
// Within a sentence, clauses end after , ; : followed by whitespace, and at dashes used as
// punctuation (— anywhere, – or - with a space beside them). A clause is cut only when both
// sides keep at least MIN_CLAUSE_WORDS words, so "Yes, I did." stays whole and no absurdly tiny
// chunk is synthesised alone (its prosody would be odd). Any clause longer than
// MAX_SEGMENT_CHARS is cut again at the last space before the limit, which bounds the work of
// every later stage; the engine joins clauses back into longer chunks as it sees fit.

import type { TextSpan } from '../protocol/messages.ts';

/** One clause of the text: an exact span of the original plus the sentence it belongs to. */
export interface Segment {
  text: string;
  start: number;
  end: number;
  /** index of its sentence */
  sentence: number;
  /** true if this segment ends its sentence */
  endsSentence: boolean;
}

/** Fewest words on each side of a clause break. */
export const MIN_CLAUSE_WORDS = 3;

/** Longest segment, in UTF-16 code units; longer clauses are cut at a space. */
export const MAX_SEGMENT_CHARS = 300;

/** How far back a sentence-end check looks for the word before the mark. */
const MAX_WORD_LOOKBACK = 40;

const TERMINALS = new Set(['.', '!', '?', '…', '‽', '。', '！', '？', '｡']);
/** Terminals of CJK text, which end a sentence without a space after them. */
const FULL_WIDTH_TERMINALS = new Set(['。', '！', '？', '｡']);
const CLOSERS = new Set(['"', "'", '”', '’', ')', ']', '}', '»', '›', '」', '』']);
const OPENERS = new Set(['"', "'", '“', '‘', '(', '[', '{', '«', '‹', '「', '『']);
const CLAUSE_MARKS = new Set([',', ';', ':', '、', '，', '；', '：']);

/** Words before a dot that end a sentence unless a number follows ("no. 5", "fig. 3"), lower case, without the dot. */
// prettier-ignore
const FINAL_UNLESS_NUMBER = new Set([
  'no', 'nos', 'fig', 'figs', 'eq', 'vol', 'pp', 'op', 'ed', 'est', 'jan', 'feb', 'mar', 'apr',
  'jun', 'jul', 'aug', 'sep', 'sept', 'oct', 'nov', 'dec',
]);

/** Words before a dot that do not end a sentence: these always, those of FINAL_UNLESS_NUMBER before a number. */
// prettier-ignore
const NEVER_FINAL = new Set([
  'mr', 'mrs', 'ms', 'mx', 'dr', 'prof', 'rev', 'hon', 'st', 'mt', 'ft', 'sgt', 'capt', 'col',
  'gen', 'lt', 'maj', 'cmdr', 'gov', 'sen', 'rep', 'pres', 'e.g', 'i.e', 'vs', 'cf', 'approx',
  'ca', 'viz',
  ...FINAL_UNLESS_NUMBER,
]);

/** Times of day written as initials, lower case, without the final dot. */
const TIME_OF_DAY = new Set(['a.m', 'p.m']);

const SPACE = /\s/;
const NEWLINE = /[\n\r\u2028\u2029\u0085\v\f]/;
const LOWER = /\p{Ll}/u;
const UPPER = /\p{Lu}/u;
const DIGIT = /[0-9]/;
const LETTER = /\p{L}/u;
const INITIALS = /^(?:\p{L}\.)*\p{L}$/u;
const LIST_NUMBER = /^\(?(?:\d{1,3}|[A-Za-z])$/;

function hasFullWidthTerminal(text: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (FULL_WIDTH_TERMINALS.has(text[i] as string)) return true;
  return false;
}

function isSpace(ch: string | undefined): boolean {
  return ch !== undefined && SPACE.test(ch);
}

/** Sentence spans of `text`, in order, each trimmed of surrounding whitespace. */
export function splitSentences(text: string): TextSpan[] {
  const spans: TextSpan[] = [];
  const n = text.length;
  let start = -1; // first character of the open sentence, -1 when none is open
  let lastNonSpace = -1;
  let i = 0;
  while (i < n) {
    const ch = text[i] as string;
    if (isSpace(ch)) {
      if (start >= 0 && NEWLINE.test(ch)) {
        // Look past the whole run of whitespace to decide whether the line break ends it.
        let j = i;
        let breaks = 0;
        while (j < n && isSpace(text[j])) {
          const c = text[j] as string;
          if (NEWLINE.test(c) && !(c === '\n' && text[j - 1] === '\r')) breaks++;
          j++;
        }
        if (breaks >= 2 || j === n || !LOWER.test(text[j] as string)) {
          spans.push({ start, end: lastNonSpace + 1 });
          start = -1;
        }
        i = j;
        continue;
      }
      i++;
      continue;
    }
    if (start < 0) start = i;
    if (!TERMINALS.has(ch)) {
      lastNonSpace = i;
      i++;
      continue;
    }
    const runStart = i;
    let k = i;
    while (k + 1 < n && TERMINALS.has(text[k + 1] as string)) k++;
    while (k + 1 < n && CLOSERS.has(text[k + 1] as string)) k++;
    const end = k + 1;
    lastNonSpace = k;
    i = end;
    // 3.14, example.com, "?!x" go on; a full-width mark (。！？) needs no space after it.
    if (end < n && !isSpace(text[end]) && !hasFullWidthTerminal(text, runStart, end)) continue;
    if (isSentenceEnd(text, start, end)) {
      spans.push({ start, end });
      start = -1;
    }
  }
  if (start >= 0) spans.push({ start, end: lastNonSpace + 1 });
  return spans;
}

/**
 * Decides whether the terminal run that ends just before `after` (closers included) ends the
 * sentence that began at `sentenceStart`; see [Note: Where a sentence ends].
 */
function isSentenceEnd(text: string, sentenceStart: number, after: number): boolean {
  // Find the terminal run and the word before it.
  let runEnd = after;
  while (runEnd > sentenceStart && CLOSERS.has(text[runEnd - 1] as string)) runEnd--;
  let runStart = runEnd;
  while (runStart > sentenceStart && TERMINALS.has(text[runStart - 1] as string)) runStart--;
  if (runStart === sentenceStart) return false; // "..." alone: keep it with what follows
  const run = text.slice(runStart, runEnd);

  let wordStart = runStart;
  const limit = Math.max(sentenceStart, runStart - MAX_WORD_LOOKBACK);
  while (wordStart > limit && !isSpace(text[wordStart - 1])) wordStart--;
  while (wordStart < runStart && OPENERS.has(text[wordStart] as string)) wordStart++;
  const word = text.slice(wordStart, runStart);

  let next = after;
  while (next < text.length && isSpace(text[next])) next++;
  while (next < text.length && OPENERS.has(text[next] as string)) next++;
  const nextChar = text[next];
  if (nextChar === undefined) return true;
  if (LOWER.test(nextChar)) return false;

  if (run !== '.' || word.length === 0) return true;
  const lower = word.toLowerCase();
  if (NEVER_FINAL.has(lower)) {
    return FINAL_UNLESS_NUMBER.has(lower) && !DIGIT.test(nextChar);
  }
  // "a.m." and "p.m." look like initials, but before a capital they end the sentence far more
  // often than a name follows them ("It opens at 9 a.m. The rest waits.").
  if (TIME_OF_DAY.has(lower)) return true;
  // A list number or letter that opens its sentence: "1. First item", "(a). Second".
  if (wordStart === sentenceStart && LIST_NUMBER.test(word)) return false;
  // Initials: "J. R. R. Tolkien", "U.S. Navy"; but "I." is the pronoun ending a sentence.
  if (word !== 'I' && INITIALS.test(word) && UPPER.test(nextChar)) return false;
  return true;
}

/** Clause segments of `text`, in order, covering all its non-whitespace characters once. */
export function splitText(text: string): Segment[] {
  const segments: Segment[] = [];
  const sentences = splitSentences(text);
  for (let s = 0; s < sentences.length; s++) {
    const span = sentences[s] as TextSpan;
    const cuts = clauseCuts(text, span.start, span.end);
    let from = span.start;
    for (let c = 0; c <= cuts.length; c++) {
      const to = c < cuts.length ? (cuts[c] as number) : span.end;
      pushBounded(text, from, to, s, c === cuts.length, segments);
      from = to;
    }
  }
  return segments;
}

/** Offsets inside [start, end) after which a clause ends; see [Note: Clauses]. */
function clauseCuts(text: string, start: number, end: number): number[] {
  // Words before each offset, so both sides of a candidate are counted in O(1).
  const wordsBefore = new Int32Array(end - start + 1);
  // A word is a whitespace-separated token with a letter or digit in it ("e.g.", "3.14", "—" is none).
  let words = 0;
  let counted = false;
  for (let i = start; i < end; i++) {
    wordsBefore[i - start] = words;
    const ch = text[i] as string;
    if (isSpace(ch)) counted = false;
    else if (!counted && (LETTER.test(ch) || DIGIT.test(ch))) {
      words++;
      counted = true;
    }
  }
  wordsBefore[end - start] = words;
  const total = words;

  const cuts: number[] = [];
  let lastCut = start;
  for (let i = start; i < end - 1; i++) {
    const ch = text[i] as string;
    let cut = -1;
    if (CLAUSE_MARKS.has(ch)) {
      let k = i + 1;
      while (k < end && CLOSERS.has(text[k] as string)) k++;
      if (isSpace(text[k])) cut = k;
    } else if (ch === '—' || ch === '―') {
      cut = i + 1;
    } else if ((ch === '–' || ch === '-') && (isSpace(text[i - 1]) || isSpace(text[i + 1]))) {
      // A spaced dash is punctuation; "10–20" and "well-known" are not.
      if (isSpace(text[i + 1]) || ch === '–') cut = i + 1;
    }
    if (cut < 0 || cut >= end) continue;
    const left = (wordsBefore[cut - start] as number) - (wordsBefore[lastCut - start] as number);
    const right = total - (wordsBefore[cut - start] as number);
    if (left >= MIN_CLAUSE_WORDS && right >= MIN_CLAUSE_WORDS) {
      cuts.push(cut);
      lastCut = cut;
    }
  }
  return cuts;
}

/** Trims [from, to) and pushes it, cut at spaces into pieces of at most MAX_SEGMENT_CHARS. */
function pushBounded(text: string, from: number, to: number, sentence: number, last: boolean, out: Segment[]): void {
  let a = from;
  while (a < to && isSpace(text[a])) a++;
  let b = to;
  while (b > a && isSpace(text[b - 1])) b--;
  while (a < b) {
    let cut = b;
    if (b - a > MAX_SEGMENT_CHARS) {
      cut = a + MAX_SEGMENT_CHARS;
      let space = cut;
      while (space > a && !isSpace(text[space])) space--;
      if (space > a) cut = space;
      else if (isHighSurrogate(text.charCodeAt(cut - 1))) cut--; // never split a pair
    }
    let pieceEnd = cut;
    while (pieceEnd > a && isSpace(text[pieceEnd - 1])) pieceEnd--;
    out.push({
      text: text.slice(a, pieceEnd),
      start: a,
      end: pieceEnd,
      sentence,
      endsSentence: last && cut === b,
    });
    a = cut;
    while (a < b && isSpace(text[a])) a++;
  }
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}
