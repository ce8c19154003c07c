// Runs in the worker (and the CLI, tests, benchmark): the last text stage, phoneme string → the
// token ids the Kokoro model takes, using the `vocab` table of the model's config.json.
//
// [Note: Ids and pads]
// Each vocab key is one UTF-16 code unit (a phoneme symbol, a stress mark or a punctuation mark);
// the model takes at most MAX_TOKENS ids plus one pad id 0 at each end. Symbols the vocab lacks
// are dropped, not guessed, and counted so the metrics can show them (a steady stream of drops
// means the G2P post-processing missed a symbol). `tokenize` never truncates: cutting a chunk in
// the middle of a word would be audible, so callers split text into chunks that fit instead,
// and `padIds` refuses anything longer.

import { readFileSync } from 'node:fs';
import { KokoroError } from '../engine/errors.ts';

/** Most ids the model accepts in one run, before the two pads. */
export const MAX_TOKENS = 510;

/** The pad id (`$` in the vocab), put once at each end of the ids. */
export const PAD_ID = 0;

/** Phoneme symbol → token id. */
export type Vocab = ReadonlyMap<string, number>;

/** Reads the `vocab` table of a Kokoro config.json. */
export function loadVocab(configPath: string): Vocab {
  let raw: string;
  try {
    raw = readFileSync(configPath, 'utf8');
  } catch (error) {
    throw new KokoroError(
      'model-missing',
      `Cannot read the model config at ${configPath}: ${(error as Error).message}`,
      'Run `npx kokoro-bar fetch` to download the model files.',
      { cause: error },
    );
  }
  return parseVocab(raw, configPath);
}

/** Parses the text of a config.json into a Vocab; `source` names it in errors. */
export function parseVocab(json: string, source = 'config.json'): Vocab {
  const corrupt = (what: string): KokoroError =>
    new KokoroError(
      'model-corrupt',
      `The model config at ${source} is not usable: ${what}.`,
      'Run `npx kokoro-bar fetch` to download it again.',
    );
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    throw corrupt('it is not valid JSON');
  }
  const vocab = (parsed as { vocab?: unknown } | null)?.vocab;
  if (typeof vocab !== 'object' || vocab === null || Array.isArray(vocab)) {
    throw corrupt('it has no "vocab" object');
  }
  const map = new Map<string, number>();
  for (const [symbol, id] of Object.entries(vocab)) {
    if (symbol.length !== 1) throw corrupt(`vocab key ${JSON.stringify(symbol)} is not one symbol`);
    if (typeof id !== 'number' || !Number.isInteger(id) || id < 0) {
      throw corrupt(`vocab id of ${JSON.stringify(symbol)} is not a non-negative integer`);
    }
    map.set(symbol, id);
  }
  if (map.size === 0) throw corrupt('its "vocab" is empty');
  return map;
}

/** Maps a phoneme string to ids; unknown symbols are dropped and counted, nothing is truncated. */
export function tokenize(phonemes: string, vocab: Vocab): { ids: number[]; dropped: number } {
  const ids: number[] = [];
  let dropped = 0;
  // Index by code unit: every vocab key is one code unit, and a surrogate pair (an emoji that
  // slipped through) then counts as two drops, which is honest enough for a metric.
  for (let i = 0; i < phonemes.length; i++) {
    const id = vocab.get(phonemes[i] as string);
    if (id === undefined) dropped++;
    else ids.push(id);
  }
  return { ids, dropped };
}

/** Adds the pad at each end and packs ids as the model's int64 input; throws past MAX_TOKENS. */
export function padIds(ids: readonly number[]): BigInt64Array {
  if (ids.length > MAX_TOKENS) {
    throw new RangeError(`padIds: ${ids.length} ids is more than the model's ${MAX_TOKENS}; split the text into smaller chunks first.`);
  }
  const out = new BigInt64Array(ids.length + 2);
  out[0] = BigInt(PAD_ID);
  for (let i = 0; i < ids.length; i++) out[i + 1] = BigInt(ids[i] as number);
  out[ids.length + 1] = BigInt(PAD_ID);
  return out;
}
