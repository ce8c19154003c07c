// Runs in the worker and the CLI: the check of a speak request's text before any work (no model,
// no espeak): empty, too long, not text at all, or in a script the voices cannot read.
//
// [Note: What the voices can read]
// Every voice reads through espeak's English rules (see [Note: Non-English voices] in voices.ts),
// so text is readable when its letters and digits are Latin, Common (digits, symbols,
// punctuation) or Inherited (combining accents). Any other script (Arabic, Hebrew, Han, kana,
// Hangul, Cyrillic, Devanagari, …) comes out of espeak as letter names ("Arabic meem", "Chinese
// letter") in a voice that was never trained on them, and makes espeak look for dictionaries it
// lacks. Such text is refused with `unsupported-script` when nothing readable is left, and
// otherwise its runs are skipped (normalize.ts drops them in place) and the request's `started`
// event says what was skipped. A lone Greek letter is a symbol ("α", "π") and stays readable; two
// or more together are Greek words.
//
// [Note: Not text]
// Random bytes decode to U+FFFD replacement characters and control characters; random code
// points are mostly unassigned or private-use. Real text has almost none of them, so when at
// least NOT_TEXT_MIN_CHARS and NOT_TEXT_SHARE of the non-space characters are such junk the
// request fails with `not-text` at once, instead of being spelt out for minutes. Fewer of them
// (a stray U+FFFD in pasted text) are dropped by normalize.ts and the rest is read.

import { KokoroError } from '../engine/errors.ts';
import { MappedText } from './mapped-text.ts';
import { MAX_TEXT_CHARS, type SkippedText, type TextSpan } from '../protocol/messages.ts';

/** Fewest junk characters that make a text "not text" (see [Note: Not text]). */
export const NOT_TEXT_MIN_CHARS = 3;

/** Share of the non-space characters that, as junk, make a text "not text". */
export const NOT_TEXT_SHARE = 0.1;

/** Most skipped spans listed in a notice; the character count covers all of them. */
export const MAX_SKIPPED_SPANS = 100;

/** Characters that never occur in real text: controls (not whitespace), unassigned, private use, lone surrogates, U+FFFD. */
export const JUNK = /(?![\t\n\v\f\r\u0085])[\p{Cc}\p{Cn}\p{Co}\p{Cs}\ufffd]/gu;

// A letter, digit or mark of a script the G2P cannot read; a run of them may be joined by spaces,
// punctuation and combining marks (disjoint from the letters, so the run regex cannot backtrack).
const FOREIGN = String.raw`(?![\p{sc=Latin}\p{sc=Common}\p{sc=Inherited}])[\p{L}\p{N}\p{M}]`;
const JOINER = String.raw`[\s\p{P}\p{sc=Inherited}]`;

/** Runs of text in scripts the voices cannot read (see [Note: What the voices can read]); global. */
export const FOREIGN_RUN = new RegExp(String.raw`${FOREIGN}(?:${JOINER}*${FOREIGN})*\p{sc=Inherited}*`, 'gu');

const LONE_GREEK = /^\p{sc=Greek}\p{sc=Inherited}*$/u;
const READABLE = /[\p{L}\p{N}]/u;
/**
 * Characters that take no space on screen and have no reading (zero-width space and joiners,
 * direction marks and embeddings, word joiner, byte-order mark, soft hyphen): text of only these
 * is empty, and normalisation drops them.
 */
export const INVISIBLE = /[\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/g;
const SPACE = /\s/u;

/**
 * Script names as users know them. Kana and Hangul are looked for anywhere in a run, since
 * Japanese and Korean mix them with Han characters (今日は… starts with Han but is Japanese);
 * the rest are tried in order on the first letter of the run.
 */
const RUN_SCRIPT_NAMES: readonly (readonly [RegExp, string])[] = [
  [/[\p{sc=Hiragana}\p{sc=Katakana}]/u, 'Japanese'],
  [/\p{sc=Hangul}/u, 'Korean (Hangul)'],
];
const SCRIPT_NAMES: readonly (readonly [RegExp, string])[] = [
  [/\p{sc=Arabic}/u, 'Arabic'],
  [/\p{sc=Hebrew}/u, 'Hebrew'],
  [/\p{sc=Han}/u, 'Chinese (Han)'],
  [/\p{sc=Cyrillic}/u, 'Cyrillic'],
  [/\p{sc=Greek}/u, 'Greek'],
  [/\p{sc=Devanagari}/u, 'Devanagari'],
  [/\p{sc=Bengali}/u, 'Bengali'],
  [/\p{sc=Tamil}/u, 'Tamil'],
  [/\p{sc=Thai}/u, 'Thai'],
  [/\p{sc=Armenian}/u, 'Armenian'],
  [/\p{sc=Georgian}/u, 'Georgian'],
  [/\p{sc=Ethiopic}/u, 'Ethiopic'],
];

/** Where the text came from, so the empty-text action fits (the app or the command line). */
export interface CheckTextOptions {
  emptyAction?: string;
}

/** The default action for empty text, worded for the app. */
export const EMPTY_TEXT_ACTION = 'Select or copy some text, then try again.';

/**
 * Checks the text of a speak request before any work; throws a KokoroError (`empty-text`,
 * `text-too-long`, `not-text`, `unsupported-script`) or returns what will be skipped.
 */
export function checkText(text: string, opts: CheckTextOptions = {}): { skipped: SkippedText | undefined } {
  // Text that looks empty is empty, even when it holds invisible characters (a copied zero-width space).
  if (text.replace(INVISIBLE, '').trim() === '') {
    throw new KokoroError('empty-text', 'The text to speak is empty.', opts.emptyAction ?? EMPTY_TEXT_ACTION);
  }
  if (text.length > MAX_TEXT_CHARS) {
    throw new KokoroError(
      'text-too-long',
      `The text is ${text.length.toLocaleString('en')} characters; at most ${MAX_TEXT_CHARS.toLocaleString('en')} can be spoken at once.`,
      'Speak a shorter part of it.',
    );
  }
  const junk = text.match(JUNK)?.length ?? 0;
  let visible = 0;
  for (const ch of text) if (!SPACE.test(ch)) visible++;
  if (junk >= NOT_TEXT_MIN_CHARS && junk >= visible * NOT_TEXT_SHARE) {
    throw new KokoroError(
      'not-text',
      `This does not look like text: ${junk.toLocaleString('en')} of its ${visible.toLocaleString('en')} characters are ` +
        'invalid bytes, control characters or unassigned code points.',
      'Check that it is a text file in UTF-8 (not binary data), then try again.',
    );
  }
  const runs = foreignRuns(text);
  if (runs.length === 0) return { skipped: undefined };
  const scripts = [...new Set(runs.map((r) => r.script))];
  // Characters as users count them (code points), not UTF-16 units: 𝐀 or 𠀋 is one character.
  const chars = runs.reduce((sum, r) => sum + codePoints(text, r), 0);
  if (!READABLE.test(withoutRuns(text, runs).replace(JUNK, ''))) {
    throw new KokoroError(
      'unsupported-script',
      `The text is in ${listWords(scripts)} script, which the voices cannot read: they read English (Latin letters) only.`,
      'Give English text to speak, or use a text-to-speech voice made for that language.',
    );
  }
  return {
    skipped: {
      message: `Skipped ${chars.toLocaleString('en')} character${chars === 1 ? '' : 's'} in ${listWords(scripts)} script: the voices read English only.`,
      scripts,
      chars,
      spans: runs.slice(0, MAX_SKIPPED_SPANS).map(({ start, end }) => ({ start, end })),
    },
  };
}

/** Runs of unreadable script in `text` with the name of each run's script (lone Greek letters excluded). */
export function foreignRuns(text: string): (TextSpan & { script: string })[] {
  const runs: (TextSpan & { script: string })[] = [];
  for (const match of text.matchAll(FOREIGN_RUN)) {
    if (LONE_GREEK.test(match[0])) continue;
    const first = String.fromCodePoint(match[0].codePointAt(0) ?? 0);
    const script =
      RUN_SCRIPT_NAMES.find(([pattern]) => pattern.test(match[0]))?.[1] ??
      SCRIPT_NAMES.find(([pattern]) => pattern.test(first))?.[1] ??
      'a non-Latin';
    runs.push({ start: match.index, end: match.index + match[0].length, script });
  }
  return runs;
}

/** Punctuation of other scripts → the marks Kokoro reads for prosody (a space after: CJK has none). */
const FOREIGN_PUNCTUATION: Readonly<Record<string, string>> = {
  '。': '. ',
  '｡': '. ',
  '！': '! ',
  '？': '? ',
  '，': ', ',
  '、': ', ',
  '；': '; ',
  '：': ': ',
  '「': ' "',
  '」': '" ',
  '『': ' "',
  '』': '" ',
  '【': ' (',
  '】': ') ',
  '（': ' (',
  '）': ') ',
  '،': ', ',
  '؛': '; ',
  '؟': '? ',
  '۔': '. ',
  '׃': '. ',
};
const FOREIGN_PUNCTUATION_PATTERN = new RegExp(`[${Object.keys(FOREIGN_PUNCTUATION).join('')}]`, 'g');
/** Full-width forms (Ａ, １) and CJK compatibility squares (㎽, ㈱): NFKC gives their plain reading. */
const COMPATIBILITY_FORMS = /[\u3200-\u33ff\uff01-\uff5e]/g;
/** Punctuation and symbols belonging to a script the voices cannot read (Hebrew maqaf, …). */
const FOREIGN_MARK = /(?![\p{sc=Latin}\p{sc=Common}\p{sc=Inherited}])[\p{P}\p{S}]/gu;

/**
 * Rewrites, in place, what espeak would read as names ("Chinese symbol", "Hebrew maqaf"):
 * full-width and compatibility forms are folded (NFKC), other scripts' punctuation becomes
 * ours, and runs of unreadable script, their leftover marks and junk characters become a
 * space (used by normalize.ts).
 */
export function dropUnreadable(text: string): string {
  return dropUnreadableMapped(MappedText.of(text)).text;
}

/** dropUnreadable on a MappedText, so normalize.ts keeps its offset map (see mapped-text.ts). */
export function dropUnreadableMapped(text: MappedText): MappedText {
  return text
    .replace(COMPATIBILITY_FORMS, (ch) => ch.normalize('NFKC'))
    .replace(FOREIGN_PUNCTUATION_PATTERN, (ch) => FOREIGN_PUNCTUATION[ch] ?? ' ')
    .replace(FOREIGN_RUN, (run) => (LONE_GREEK.test(run) ? run : ' '))
    .replace(FOREIGN_MARK, ' ')
    .replace(JUNK, ' ')
    .replace(EMPTIED_BRACKETS, ' ');
}

/** Brackets and quotes left with nothing inside once a run is dropped ("「你好」", "(株)"). */
const EMPTIED_BRACKETS = /\(\s*\)|\[\s*\]|"\s*"/g;

function withoutRuns(text: string, runs: readonly TextSpan[]): string {
  let out = '';
  let from = 0;
  for (const run of runs) {
    out += `${text.slice(from, run.start)} `;
    from = run.end;
  }
  return out + text.slice(from);
}

function codePoints(text: string, span: TextSpan): number {
  let count = 0;
  for (const _ of text.slice(span.start, span.end)) count++;
  return count;
}

function listWords(words: readonly string[]): string {
  if (words.length <= 1) return words[0] ?? '';
  return `${words.slice(0, -1).join(', ')} and ${words[words.length - 1] as string}`;
}
