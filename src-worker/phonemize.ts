// Runs in the worker (and the CLI, tests, benchmark): the third text stage, a normalised clause →
// the Kokoro phoneme string, using espeak-ng (the npm `phonemizer` package, WebAssembly) plus the
// post-processing Kokoro's own ports apply.
//
// [Note: Punctuation survives G2P]
// `phonemizer` returns one string per espeak clause and drops all punctuation, but Kokoro reads
// punctuation for prosody (a comma pauses, a question rises). So the clause is cut into runs of
// words and runs of punctuation (with their spaces), only the word runs go through espeak, and
// the punctuation runs are put back between them unchanged, as kokoro.js does.
//
// [Note: espeak voice switching]
// After a call with `en-us`, a call with `en-gb` can still use the American voice inside the
// WebAssembly module; the full voice identifiers `gmw/en-US` and `gmw/en` switch reliably, so
// only those are passed (a test switches both ways on "tomato"). The module's `phonemize` is
// synchronous once loaded (set voice, then synthesise), so two callers cannot interleave inside
// it; calls are still queued one at a time so that this stays true if the package changes.
//
// [Note: Kokoro post-processing]
// The substitutions of kokoro.js (and of hexgrad's original espeak path) map espeak's output to
// the symbols Kokoro was trained on: "Kokoro" itself, ʲ → j, r → ɹ, x → k, ɬ → l, a space
// before "hundred", no space before a final plural z, and American flapped "ninety" (di).
// After them, ordinary English yields only symbols in the model's vocab.
//
// [Note: espeak process handlers]
// Importing `phonemizer` runs Emscripten start-up code that adds `uncaughtException` and
// `unhandledRejection` listeners to the process which rethrow. That makes any unhandled
// rejection fatal, as it already is by default in Node 20, so nothing changes for us; it is
// noted here because it surprises whoever debugs a crash.

import { phonemize as espeakPhonemize } from 'phonemizer';

/** The two G2P dialects: en-us for `a*` voices, en-gb for `b*` voices. */
export type G2pLang = 'en-us' | 'en-gb';

/** espeak voice identifiers that switch reliably; see [Note: espeak voice switching]. */
export const ESPEAK_VOICES: Readonly<Record<G2pLang, string>> = {
  'en-us': 'gmw/en-US',
  'en-gb': 'gmw/en',
};

/** Punctuation kept through G2P (kokoro.js's set). */
export const KEPT_PUNCTUATION = ';:,.!?¡¿—…"«»“”(){}[]';

const PUNCTUATION_RUN = new RegExp(
  `(?:\\s*[${KEPT_PUNCTUATION.replace(/[\]\\^-]/g, '\\$&')}]+\\s*)+`,
  'g',
);

/** Anything that would be voiced; a result without one is empty. */
const SPEAKABLE = /[\p{L}]/u;

/** Phrase phonemised once per dialect at start-up. */
const WARM_UP_TEXT = 'Hello there, this warms up the phonemizer.';

let queue: Promise<unknown> = Promise.resolve();

/** Runs espeak calls one at a time; see [Note: espeak voice switching]. */
function serialised<T>(task: () => Promise<T>): Promise<T> {
  const run = queue.then(task, task);
  queue = run.catch(() => undefined);
  return run;
}

/** A normalised clause → Kokoro phonemes, punctuation restored and post-processed; '' if nothing is speakable. */
export async function phonemize(text: string, lang: G2pLang): Promise<string> {
  const voice = ESPEAK_VOICES[lang];
  if (voice === undefined) {
    throw new TypeError(`phonemize: unknown language ${JSON.stringify(lang)}; use "en-us" or "en-gb".`);
  }
  const pieces = splitPunctuation(text);
  const out: string[] = [];
  for (const piece of pieces) {
    if (piece.punctuation) {
      out.push(piece.text);
    } else if (SPEAKABLE.test(piece.text)) {
      const lines = await serialised(() => espeakPhonemize(piece.text, voice));
      out.push(lines.join(' '));
    }
  }
  const joined = out.join('');
  if (!SPEAKABLE.test(joined)) return '';
  return postProcess(joined, lang);
}

/** Loads the WebAssembly module and both voices, so the first real call is fast. */
export async function warmUpPhonemizer(): Promise<void> {
  await phonemize(WARM_UP_TEXT, 'en-gb');
  await phonemize(WARM_UP_TEXT, 'en-us');
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

/** Kokoro's substitutions on espeak output; see [Note: Kokoro post-processing]. */
export function postProcess(phonemes: string, lang: G2pLang): string {
  let p = phonemes
    .replace(/kəkˈoːɹoʊ/g, 'kˈoʊkəɹoʊ')
    .replace(/kəkˈɔːɹəʊ/g, 'kˈəʊkəɹəʊ')
    .replace(/ʲ/g, 'j')
    .replace(/r/g, 'ɹ')
    .replace(/x/g, 'k')
    .replace(/ɬ/g, 'l')
    .replace(/(?<=[a-zɹː])(?=hˈʌndɹɪd)/g, ' ')
    .replace(/ z(?=[;:,.!?¡¿—…"«»“” ]|$)/g, 'z');
  if (lang === 'en-us') p = p.replace(/(?<=nˈaɪn)ti(?!ː)/g, 'di');
  return p.replace(/\s+/g, ' ').trim();
}
