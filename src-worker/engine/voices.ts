// Runs in the worker (and the CLI, tests, benchmark): the 54 Kokoro voice tables, what each voice
// is called and which G2P language it takes, voice blends, and the style row fed to the model.
//
// [Note: Style rows]
// A voice file is raw little-endian float32 [510, 256]: one style vector per input length. The
// model takes row `n`, where `n` is the number of ids before padding, clamped to 0..509 (the ONNX
// ports use `n`; the reference Python pipeline uses `n - 1`, a one-row difference nobody hears).
// A blend ("af_heart:0.7,af_bella:0.3") is the weighted mean of the same row of each voice, with
// the weights normalised to sum to 1, so a voice at weight 1 is exactly that voice.
//
// [Note: Non-English voices]
// Besides American (a) and British (b) English, Kokoro v1.0 ships Japanese (j), Mandarin (z),
// Spanish (e), French (f), Hindi (h), Italian (i) and Brazilian Portuguese (p) voices. Our G2P,
// the npm `phonemizer` package, is espeak-ng built with English only, so those voices cannot
// read their own language here. They are still offered, and read text with en-us phonemes: the
// voice keeps its timbre and speaks English with an accent, which is what a user who picks
// "Dora (Spanish)" for English text expects; the picker labels them by their language so nobody
// mistakes that for native G2P. A blend takes the G2P language of its heaviest voice.

import { promises as fsp, readdirSync } from 'node:fs';
import path from 'node:path';
import { FETCH_COMMAND } from '../assets/cache.ts';
import { KokoroError } from './errors.ts';
import type { G2pLang } from '../text/phonemize.ts';
import type { VoiceInfo } from '../protocol/messages.ts';
import { voiceChoicesHint } from '../protocol/voice-choices.ts';

/** Rows of a voice table: one style vector per input length 0..509. */
export const VOICE_ROWS = 510;

/** Width of one style vector (timbre 0..127, prosody 128..255). */
export const STYLE_DIM = 256;

/** Bytes of one voice file: VOICE_ROWS × STYLE_DIM float32. */
export const VOICE_FILE_BYTES = VOICE_ROWS * STYLE_DIM * Float32Array.BYTES_PER_ELEMENT;

/** File extension of a voice table in the voices directory. */
export const VOICE_EXT = '.bin';

/** Voice tables kept in memory at once (each is 510 KB); older ones are re-read on demand. */
export const VOICE_CACHE_LIMIT = 8;

/** What installs voice files that are not there (a first run says "download", not "again"). */
const FETCH_HINT = `Run \`${FETCH_COMMAND}\` to download and verify the voices.`;

/** What repairs a voice file that is there but wrong. */
const REFETCH_HINT = `Run \`${FETCH_COMMAND}\` to download the damaged voice file again.`;

/** What each voice-id prefix letter means (see [Note: Non-English voices]). */
export const VOICE_LANGUAGES: Readonly<Record<string, { language: string; lang: string }>> = {
  a: { language: 'American English', lang: 'en-us' },
  b: { language: 'British English', lang: 'en-gb' },
  e: { language: 'Spanish', lang: 'en-us' },
  f: { language: 'French', lang: 'en-us' },
  h: { language: 'Hindi', lang: 'en-us' },
  i: { language: 'Italian', lang: 'en-us' },
  j: { language: 'Japanese', lang: 'en-us' },
  p: { language: 'Brazilian Portuguese', lang: 'en-us' },
  z: { language: 'Mandarin Chinese', lang: 'en-us' },
};

const VOICE_ID_PATTERN = /^([a-z])([fm])_([a-z0-9]+)$/;

/** Describes a voice from its id ("af_heart" → Heart, American English, female), or undefined. */
export function describeVoice(id: string): VoiceInfo | undefined {
  const match = VOICE_ID_PATTERN.exec(id);
  if (!match) return undefined;
  const [, prefix = '', gender, rest = ''] = match;
  const language = VOICE_LANGUAGES[prefix];
  if (!language) return undefined;
  return {
    id,
    name: rest.charAt(0).toUpperCase() + rest.slice(1),
    language: language.language,
    lang: language.lang,
    gender: gender === 'f' ? 'female' : 'male',
  };
}

/** One voice of a blend with its normalised weight. */
export interface BlendPart {
  id: string;
  weight: number;
}

/**
 * Parses a voice spec: an id ("af_heart") or a blend ("af_heart:0.7,af_bella:0.3"; a part
 * without a weight counts 1). Weights are normalised to sum to 1. Throws `bad-blend` for a
 * malformed spec and `unknown-voice` for an id not in `known`.
 */
export function parseVoiceSpec(spec: string, known: ReadonlySet<string>): BlendPart[] {
  const badBlend = (what: string): KokoroError =>
    new KokoroError(
      'bad-blend',
      `The voice blend "${spec}" is malformed: ${what}.`,
      'Write a blend as voice:weight pairs separated by commas, e.g. "af_heart:0.7,af_bella:0.3".',
    );
  const trimmed = spec.trim();
  if (trimmed === '') {
    throw new KokoroError('unknown-voice', 'No voice was given.', voiceChoicesHint(known));
  }
  const isBlend = trimmed.includes(',') || trimmed.includes(':');
  const weights = new Map<string, number>();
  for (const rawPart of trimmed.split(',')) {
    const part = rawPart.trim();
    if (part === '') throw badBlend('it has an empty part');
    const pieces = part.split(':');
    if (pieces.length > 2) throw badBlend(`"${part}" has more than one ":"`);
    const id = (pieces[0] ?? '').trim();
    const weightText = pieces[1]?.trim();
    if (id === '') throw badBlend(`"${part}" has no voice name`);
    let weight = 1;
    if (weightText !== undefined) {
      weight = weightText === '' ? Number.NaN : Number(weightText);
      if (!Number.isFinite(weight) || weight <= 0) {
        throw badBlend(`the weight of "${id}" ("${weightText}") is not a positive number`);
      }
    }
    if (!known.has(id)) {
      const what = isBlend ? `The blend "${spec}" names an unknown voice "${id}".` : `Unknown voice "${id}".`;
      // A short hint, never all 54 ids (see [Note: Voice lists stay short]).
      throw new KokoroError('unknown-voice', what, voiceChoicesHint(known, id));
    }
    if (weights.has(id)) throw badBlend(`"${id}" appears twice`);
    weights.set(id, weight);
  }
  const total = [...weights.values()].reduce((sum, w) => sum + w, 0);
  return [...weights].map(([id, weight]) => ({ id, weight: weight / total }));
}

/** A voice or blend ready to give the style row for any input length. */
export interface ResolvedVoice {
  /** The spec as asked for. */
  spec: string;
  parts: readonly BlendPart[];
  /** G2P language: that of the heaviest voice (see [Note: Non-English voices]). */
  lang: G2pLang;
  /** The style vector for `tokens` ids before padding (see [Note: Style rows]); a fresh array. */
  style(tokens: number): Float32Array;
}

/** The voices of one directory: listing, loading (cached) and blending. */
export interface VoiceStore {
  /** Every usable voice, sorted by id. */
  list(): VoiceInfo[];
  /** Resolves a voice id or blend, loading the tables it needs. */
  resolve(spec: string): Promise<ResolvedVoice>;
}

/** Opens the voices directory: lists `*.bin` files whose names are Kokoro voice ids. */
export function createVoiceStore(voicesDir: string): VoiceStore {
  let files: string[];
  try {
    files = readdirSync(voicesDir);
  } catch (error) {
    throw new KokoroError('model-missing', `The voices directory ${voicesDir} cannot be read.`, FETCH_HINT, {
      cause: error,
    });
  }
  const infos = files
    .filter((file) => file.endsWith(VOICE_EXT))
    .map((file) => describeVoice(file.slice(0, -VOICE_EXT.length)))
    .filter((info): info is VoiceInfo => info !== undefined)
    .sort((a, b) => a.id.localeCompare(b.id));
  if (infos.length === 0) {
    throw new KokoroError('model-missing', `The voices directory ${voicesDir} has no voice files.`, FETCH_HINT);
  }
  const known = new Set(infos.map((info) => info.id));
  // Insertion-ordered map used as an LRU: a hit is re-inserted at the end.
  const tables = new Map<string, Promise<Float32Array>>();

  const table = (id: string): Promise<Float32Array> => {
    const cached = tables.get(id);
    if (cached) {
      tables.delete(id);
      tables.set(id, cached);
      return cached;
    }
    const loading = readVoiceTable(path.join(voicesDir, id + VOICE_EXT));
    loading.catch(() => tables.delete(id));
    tables.set(id, loading);
    while (tables.size > VOICE_CACHE_LIMIT) {
      const oldest = tables.keys().next().value;
      if (oldest === undefined) break;
      tables.delete(oldest);
    }
    return loading;
  };

  return {
    list: () => infos.map((info) => ({ ...info })),
    async resolve(spec) {
      const parts = parseVoiceSpec(spec, known);
      const loaded = await Promise.all(parts.map((part) => table(part.id)));
      return { spec, parts, lang: blendLang(parts), style: (tokens) => blendRow(loaded, parts, tokens) };
    },
  };
}

/** The G2P language a blend is read in: that of its heaviest voice (see [Note: Non-English voices]). */
export function blendLang(parts: readonly BlendPart[]): G2pLang {
  const heaviest = parts.reduce((a, b) => (b.weight > a.weight ? b : a));
  return (describeVoice(heaviest.id)?.lang ?? 'en-us') as G2pLang;
}

/** The style row index for `tokens` ids before padding (see [Note: Style rows]). */
export function styleRow(tokens: number): number {
  return Math.min(Math.max(Math.trunc(tokens), 0), VOICE_ROWS - 1);
}

function blendRow(tables: readonly Float32Array[], parts: readonly BlendPart[], tokens: number): Float32Array {
  const offset = styleRow(tokens) * STYLE_DIM;
  const first = tables[0];
  if (parts.length === 1 && first) return first.slice(offset, offset + STYLE_DIM);
  const out = new Float32Array(STYLE_DIM);
  parts.forEach((part, i) => {
    const rows = tables[i] as Float32Array;
    for (let k = 0; k < STYLE_DIM; k++) out[k] = (out[k] as number) + part.weight * (rows[offset + k] as number);
  });
  return out;
}

async function readVoiceTable(file: string): Promise<Float32Array> {
  let bytes: Buffer;
  try {
    bytes = await fsp.readFile(file);
  } catch (error) {
    throw new KokoroError('model-missing', `The voice file ${file} cannot be read.`, FETCH_HINT, { cause: error });
  }
  if (bytes.byteLength !== VOICE_FILE_BYTES) {
    throw new KokoroError(
      'model-corrupt',
      `The voice file ${file} is ${bytes.byteLength} bytes; a voice table is ${VOICE_FILE_BYTES}.`,
      REFETCH_HINT,
    );
  }
  // Copy into an aligned buffer we own (a Buffer may be a slice of a shared pool). Voice files
  // are little-endian, like every machine Kokoro Bar runs on.
  const out = new Float32Array(VOICE_ROWS * STYLE_DIM);
  new Uint8Array(out.buffer).set(bytes);
  return out;
}
