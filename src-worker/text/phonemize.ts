// Runs in the worker (and the CLI, tests, benchmark): the third text stage, a normalised clause →
// the Kokoro phoneme string, using espeak-ng (the npm `phonemizer` package) plus the
// post-processing Kokoro's own ports apply.
//
// [Note: Punctuation survives G2P]
// `phonemizer` returns one string per espeak clause and drops all punctuation, but Kokoro reads
// punctuation for prosody (a comma pauses, a question rises). So the clause is cut into runs of
// words and runs of punctuation (with their spaces), only the word runs go through espeak, and
// the punctuation runs are put back between them unchanged, as kokoro.js does.
//
// [Note: espeak voice switching]
// After a call with `en-us`, a call with `en-gb` can still use the American voice inside
// espeak; the full voice identifiers `gmw/en-US` and `gmw/en` switch reliably, so
// only those are passed (a test switches both ways on "tomato"). The module's `phonemize` is
// synchronous once loaded (set voice, then synthesise), so two callers cannot interleave inside
// it; calls are still queued one at a time so that this stays true if the package changes.
//
// [Note: One espeak call per clause]
// Each call into the module costs a fixed few milliseconds (it reloads the voice) on top of the
// words, so the word runs of a clause are phonemised in one call, joined by commas: espeak ends
// a clause at each and returns one line per run, the same phonemes as one call per run (which
// is what kokoro.js makes, and what a test compares against). Full stops do not work: before a
// lower-case word espeak reads them as an abbreviation's dot and runs the words together. If
// the line count ever disagrees with the run count, the runs are phonemised one by one instead.
//
// [Note: Warming up espeak]
// Despite the name, `phonemizer` 1.2.1 ships espeak-ng compiled to plain JavaScript (wasm2js:
// one 1.3 MB file of asm.js-style functions), not a WebAssembly module. Start-up builds its
// in-memory file system (~0.2–0.5 s), and V8 then optimises each big function the first time
// a new code path runs it, so the first sentences with new kinds of words cost hundreds of
// milliseconds each before calls settle. One short warm-up phrase is not enough to reach that;
// `warmUpPhonemizer` phonemises a few varied sentences in both dialects, twice, at worker start,
// where it overlaps the model load instead of delaying the first chunk.
//
// [Note: Kokoro post-processing]
// Two steps. First the substitutions of kokoro.js (written for Kokoro v0.19, which was trained
// on espeak's own IPA): "Kokoro" itself, a space before "hundred", no space before a final
// plural z, and American flapped "ninety" (di). Then the mapping of misaki's espeak fallback
// (misaki/espeak.py), because Kokoro v1.0 was trained on misaki's phoneme set, not espeak's:
// diphthongs and affricates become the single symbols of that set (aɪ → I, aʊ → W, eɪ → A,
// ɔɪ → Y, oʊ → O in American, əʊ → Q in British, dʒ → ʤ, tʃ → ʧ), ɚ → əɹ, ɐ → ə, r → ɹ,
// x and ç → k, ɬ → l, a glottal stop → t (ʔn̩ → tᵊn, "button"), a syllabic consonant gets
// the small schwa before it, and the American set drops length marks and is rhotic (espeak's
// American "her" is hˈɜː; misaki's is hˈɜɹ). The `npm` phonemizer emits no tie marks, so a
// diphthong is recognised by its two letters standing together, as espeak writes them. After
// both steps, ordinary English yields only symbols in the model's vocab (a test checks).
//
// [Note: espeak process handlers]
// Importing `phonemizer` runs Emscripten start-up code that adds an `uncaughtException` listener
// that rethrows everything and an `unhandledRejection` listener that throws. With them in place
// any other handler the worker installs is defeated (the rethrow kills the process first) and
// Node prints the throwing line of phonemizer.js, which is the whole 1.3 MB file on one line.
// So the package is imported lazily, once, and the listeners it added are removed at once;
// Node's defaults (and the worker's own handlers) apply again.

import { MappedText } from './mapped-text.ts';

// [Note: Quiet espeak]
// espeak prints to stderr whenever it meets a language it has no dictionary for ("Can't read
// dictionary file: '/usr/share/espeak-ng-data/hy_dict'"), once per call: a paragraph of Armenian
// or random code points flooded the worker's stderr with thousands of lines. readable.ts keeps
// such text from reaching espeak at all, and what espeak prints anyway is counted, not shown.

let espeakMessages = 0;

function countEspeakMessage(): void {
  espeakMessages++;
}

/** Lines espeak has printed (and that were kept off the terminal); see [Note: Quiet espeak]. */
export function espeakMessageCount(): number {
  return espeakMessages;
}

/** The package's one call: text and an espeak voice → one phoneme string per espeak clause. */
type EspeakPhonemize = (text: string, voice: string) => Promise<string[]>;

let espeakModule: Promise<EspeakPhonemize> | undefined;

/** Imports `phonemizer` once, dropping the process listeners it adds; see [Note: espeak process handlers]. */
function loadEspeak(): Promise<EspeakPhonemize> {
  espeakModule ??= (async () => {
    const events = ['uncaughtException', 'unhandledRejection'] as const;
    const before = events.map((event) => new Set(process.listeners(event)));
    // espeak's stdout and stderr are bound to console.log/console.warn when the module is
    // evaluated (see [Note: Quiet espeak]); bind them to a counter instead.
    const { log, warn } = console;
    console.log = console.warn = countEspeakMessage;
    let module: typeof import('phonemizer');
    try {
      module = await import('phonemizer');
    } finally {
      console.log = log;
      console.warn = warn;
    }
    events.forEach((event, i) => {
      for (const listener of process.listeners(event)) {
        if (!before[i]?.has(listener)) process.removeListener(event, listener);
      }
    });
    return module.phonemize;
  })();
  return espeakModule;
}

/** One espeak call, serialised; see [Note: espeak voice switching]. */
async function espeakPhonemize(text: string, voice: string): Promise<string[]> {
  const phonemizeWith = await loadEspeak();
  return phonemizeWith(text, voice);
}

/** The two G2P dialects: en-us for `a*` voices, en-gb for `b*` voices. */
export type G2pLang = 'en-us' | 'en-gb';

/** espeak voice identifiers that switch reliably; see [Note: espeak voice switching]. */
export const ESPEAK_VOICES: Readonly<Record<G2pLang, string>> = {
  'en-us': 'gmw/en-US',
  'en-gb': 'gmw/en',
};

/** Punctuation kept through G2P (kokoro.js's set). */
export const KEPT_PUNCTUATION = ';:,.!?¡¿—…"«»“”(){}[]';

const PUNCTUATION_RUN = new RegExp(`(?:\\s*[${KEPT_PUNCTUATION.replace(/[\]\\^-]/g, '\\$&')}]+\\s*)+`, 'g');

/** Joins word runs for one espeak call: espeak ends a clause at each comma and returns it as its own line. */
export const RUN_SEPARATOR = ', ';

/** Anything that would be voiced; a result without one is empty. */
const SPEAKABLE = /[\p{L}]/u;

/**
 * Text phonemised at start-up, in both dialects, WARM_UP_ROUNDS times; see [Note: Warming up
 * espeak]. Varied on purpose: dictionary words, rule-spelt words, names, numbers, contractions.
 */
const WARM_UP_TEXTS = [
  'Hello there, this warms up the phonemizer; it is quick.',
  "Mister Smith paid three dollars and fourteen cents for twenty-two coffees at seven thirty, didn't he?",
  'It was the best of times, it was the worst of times, it was the age of wisdom.',
  'The quick brown fox jumps over the lazy dog while Xavier hums a rhythm in Zurich.',
  'Unbelievably, the photosynthesis experiment measured nineteen ninety-nine kilograms!',
  'Archaeologists catalogued idiosyncratic hieroglyphs beside Mesopotamian ziggurats.',
];
const WARM_UP_ROUNDS = 1;

let queue: Promise<unknown> = Promise.resolve();

/** Runs espeak calls one at a time; see [Note: espeak voice switching]. */
function serialised<T>(task: () => Promise<T>): Promise<T> {
  const run = queue.then(task, task);
  queue = run.catch(() => undefined);
  return run;
}

/** A normalised clause → Kokoro phonemes, punctuation restored and post-processed; '' if nothing is speakable. */
export async function phonemize(text: string, lang: G2pLang): Promise<string> {
  const espoken = await espeakClause(text, lang);
  return espoken === undefined ? '' : postProcess(espoken.joined, lang);
}

/** One word run of a clause as espeak read it. */
export interface EspeakRun {
  /** Offset of the (trimmed) run in the clause. */
  start: number;
  /** The run's text, trimmed. */
  text: string;
  /** Offset of its phonemes in `joined`. */
  joinedStart: number;
  /** Its phonemes as espeak gave them (before post-processing). */
  phonemes: string;
}

/**
 * The clause's phonemes before post-processing, and where each word run's phonemes lie in
 * them; undefined when nothing is speakable. Shared by `phonemize` and the word timings
 * (phonemize-words.ts), so both see exactly the same phonemes.
 */
export async function espeakClause(text: string, lang: G2pLang): Promise<{ joined: string; runs: EspeakRun[] } | undefined> {
  const voice = ESPEAK_VOICES[lang];
  if (voice === undefined) {
    throw new TypeError(`phonemize: unknown language ${JSON.stringify(lang)}; use "en-us" or "en-gb".`);
  }
  const pieces = splitPunctuation(text);
  const runs: EspeakRun[] = [];
  let offset = 0;
  for (const piece of pieces) {
    if (!piece.punctuation && SPEAKABLE.test(piece.text)) {
      const lead = piece.text.length - piece.text.trimStart().length;
      runs.push({ start: offset + lead, text: piece.text.trim(), joinedStart: 0, phonemes: '' });
    }
    offset += piece.text.length;
  }
  if (runs.length === 0) return undefined;
  const phonemised = await phonemizeRuns(
    runs.map((run) => run.text),
    voice,
  );
  const out: string[] = [];
  let length = 0;
  let next = 0;
  for (const piece of pieces) {
    let part: string | undefined;
    if (piece.punctuation) part = piece.text;
    else if (SPEAKABLE.test(piece.text)) {
      const run = runs[next++] as EspeakRun;
      part = phonemised[next - 1] as string;
      run.joinedStart = length;
      run.phonemes = part;
    }
    if (part === undefined) continue;
    out.push(part);
    length += part.length;
  }
  const joined = out.join('');
  if (!SPEAKABLE.test(joined)) return undefined;
  return { joined, runs };
}

/**
 * Phonemises word runs with as few espeak calls as possible; see [Note: One espeak call per
 * clause]. Returns one string per run, in order.
 */
export async function phonemizeRuns(runs: readonly string[], voice: string): Promise<string[]> {
  if (runs.length > 1) {
    const lines = await serialised(() => espeakPhonemize(runs.join(RUN_SEPARATOR), voice));
    if (lines.length === runs.length) return lines;
  }
  const out: string[] = [];
  for (const run of runs) {
    const lines = await serialised(() => espeakPhonemize(run, voice));
    out.push(lines.join(' '));
  }
  return out;
}

/**
 * Each word alone, in one espeak call (a comma after each, see [Note: One espeak call per
 * clause]); undefined when espeak's lines do not match the words one to one. For grouping words
 * espeak ran together (words.ts), before post-processing.
 */
export async function espeakWordsAlone(words: readonly string[], lang: G2pLang): Promise<string[] | undefined> {
  const voice = ESPEAK_VOICES[lang];
  if (words.length === 0) return [];
  const lines = await serialised(() => espeakPhonemize(words.join(RUN_SEPARATOR), voice));
  return lines.length === words.length ? lines : undefined;
}

/** Loads espeak and exercises both dialects, so the first real calls are fast (a second or two, once). */
export async function warmUpPhonemizer(): Promise<void> {
  for (let round = 0; round < WARM_UP_ROUNDS; round++) {
    for (const text of WARM_UP_TEXTS) {
      await phonemize(text, 'en-us');
      await phonemize(text, 'en-gb');
    }
  }
}

/** Cuts text into alternating word runs and punctuation runs (with their spaces), in order. */
export function splitPunctuation(text: string): { text: string; punctuation: boolean }[] {
  const pieces: { text: string; punctuation: boolean }[] = [];
  let last = 0;
  for (const match of text.matchAll(PUNCTUATION_RUN)) {
    const index = match.index;
    if (index > last) pieces.push({ text: text.slice(last, index), punctuation: false });
    if (match[0].length > 0) pieces.push({ text: match[0], punctuation: true });
    last = index + match[0].length;
  }
  if (last < text.length) pieces.push({ text: text.slice(last), punctuation: false });
  return pieces;
}

/** Kokoro's substitutions on espeak output, then misaki's symbols; see [Note: Kokoro post-processing]. */
export function postProcess(phonemes: string, lang: G2pLang): string {
  return postProcessMapped(MappedText.of(phonemes), lang).text;
}

/** postProcess, keeping each output symbol's origin in the espeak output (see mapped-text.ts). */
export function postProcessMapped(phonemes: MappedText, lang: G2pLang): MappedText {
  let p = phonemes
    .replace(/kəkˈoːɹoʊ/g, 'kˈoʊkəɹoʊ')
    .replace(/kəkˈɔːɹəʊ/g, 'kˈəʊkəɹəʊ')
    .replace(/(?<=[a-zɹː])(?=hˈʌndɹɪd)/g, ' ')
    .replace(/ z(?=[;:,.!?¡¿—…"«»“” ]|$)/g, 'z');
  if (lang === 'en-us') p = p.replace(/(?<=nˈaɪn)ti(?!ː)/g, 'di');
  return toMisakiMapped(p, lang).replace(/\s+/g, ' ').trim();
}

/** espeak symbol sequences → misaki's, longest first, for both dialects. */
const ESPEAK_TO_MISAKI: readonly (readonly [string, string])[] = [
  ['ʔˌn\u0329', 'tᵊn'],
  ['ʔn\u0329', 'tᵊn'],
  ['ʔn', 'tᵊn'],
  ['ʔ', 't'],
  ['aɪ', 'I'],
  ['aʊ', 'W'],
  ['dʒ', 'ʤ'],
  ['tʃ', 'ʧ'],
  ['eɪ', 'A'],
  ['ɔɪ', 'Y'],
  ['ɚɹ', 'əɹ'], // espeak's linking r after ɚ ("greater or") would otherwise double the ɹ
  ['ʲ', 'j'],
  ['ɚ', 'əɹ'],
  ['r', 'ɹ'],
  ['x', 'k'],
  ['ç', 'k'],
  ['ɐ', 'ə'],
  ['ɬ', 'l'],
  ['\u0303', ''],
];

/** Maps espeak's IPA to misaki's phoneme set (see [Note: Kokoro post-processing]). */
export function toMisaki(phonemes: string, lang: G2pLang): string {
  return toMisakiMapped(MappedText.of(phonemes), lang).text;
}

function toMisakiMapped(phonemes: MappedText, lang: G2pLang): MappedText {
  let p = phonemes;
  // British centring diphthongs first, before their e is read as eɪ's A.
  if (lang === 'en-gb') p = p.replace(/eə/g, 'ɛː').replace(/iə/g, 'ɪə').replace(/əʊ/g, 'Q');
  for (const [from, to] of ESPEAK_TO_MISAKI) p = p.replaceAll(from, to);
  p = p
    .replace(/e/g, 'A')
    .replace(/(\S)\u0329/g, 'ᵊ$1')
    .replace(/\u0329/g, '')
    // A syllabic l at the end of a word ("little", "models"): misaki's ᵊl.
    .replace(/(?<=[^\sˈˌaeiouæɑɒɔəɛɜɪʊʌAIOQWY])əl(?=z?(?:[\s;:,.!?—…"“”()]|$))/g, 'ᵊl');
  if (lang === 'en-us') {
    p = p.replace(/oʊ/g, 'O').replace(/ɜːɹ/g, 'ɜɹ').replace(/ɜː/g, 'ɜɹ').replace(/ɪə/g, 'iə').replace(/ː/g, '');
  }
  return p.replace(/o/g, 'ɔ');
}
