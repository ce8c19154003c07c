// Runs in a developer's shell (`npm run measure:words`), not in the app or the tests: checks the
// engine's word timings against an independent aligner. For each text it runs `kokoro-bar say
// --timings` (the CLI, in this process), resamples the WAV to 16 kHz with sox, force-aligns the
// spoken words with pocketsphinx (PyPI `pocketsphinx` 5.x, whose wheel carries its own US English
// acoustic model and dictionary), and compares word starts.
//
// [Note: Judging against an aligner]
// An aligner's word starts carry a roughly constant bias (its frames, its acoustic model's
// idea of where a word begins), so the tool reports that offset (the median of ours − theirs over
// all words) and judges the spread around it: the median and p90 of |ours − theirs − offset|.
// A word mapped to the wrong text would show as a deviation of hundreds of milliseconds, so the
// count of words beyond OUTLIER_MS is printed too. Our words are spans of the original text; a
// span read as several spoken words ("$42.50") is compared by its first spoken word. Needs
// python3 with `pip install pocketsphinx` and sox on PATH.
//
// Usage: npm run measure:words -- [--json] [--voice V] [--speed S] [--text T]… [--words]
// (each --text replaces the built-in ALIGN_TEXTS, give it several times for several texts;
// --words adds every word's start, ours and the aligner's, and its signed deviation to the JSON)

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { TimedWord } from './captions.ts';
import { main } from './cli.ts';
import { normalizeMapped } from '../text/normalize.ts';
import { DEFAULT_VOICE } from '../protocol/messages.ts';
import { blendLang, parseVoiceSpec } from '../engine/voices.ts';
import type { G2pLang } from '../text/phonemize.ts';

/** Texts to align: plain prose, a paragraph break, and normalised numbers, money and titles. */
export const ALIGN_TEXTS = [
  'The old library closed its doors at six. Nobody knew where the keeper had gone, and the lamps in the reading room stayed dark all winter.',
  'She walked down to the river every morning before work. The water was cold and quiet, and on some days a heron stood waiting in the reeds.',
  'Dr. Smith paid $42.50 for the tickets at 3:30 pm. The train left twenty minutes late, but it arrived in the city just before dinner.',
  'We tried to finish the report by Friday, though most of the numbers were still missing.\n\nIn the end, the team decided to wait for another week.',
  'If you want to learn something well, teach it to someone else. Questions from a curious student will show you what you do not understand.',
];

/** Deviations beyond this, after the offset, mean a word mapped to the wrong text. */
const OUTLIER_MS = 300;
const ALIGN_RATE = 16_000;
const MS = 1000;
const P90 = 0.9;

// pocketsphinx's forced alignment of `words` in a 16 kHz raw file: [word, start s, end s].
const ALIGN_PY = `
import json, sys
from pocketsphinx import Decoder
raw, words = sys.argv[1], sys.argv[2]
d = Decoder(samprate=${ALIGN_RATE}, loglevel='ERROR')
d.set_align_text(words)
d.start_utt()
d.process_raw(open(raw, 'rb').read(), full_utt=True)
d.end_utt()
print(json.dumps([[s.word, s.start_frame / 100, s.end_frame / 100] for s in d.seg()]))
`;

/** One text's comparison. */
interface TextResult {
  text: string;
  words: number;
  /** ours − aligner, seconds, per compared word. */
  differences: number[];
  /** Every one of our words: its text, our start and the aligner's (seconds; null when not compared). */
  detail: { text: string; ours: number; aligner: number | null; alignerWord: string | null }[];
}

function run(command: string, args: string[]): string {
  const result = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (result.error) throw new Error(`${command} did not start: ${result.error.message}`);
  if (result.status !== 0) throw new Error(`${command} failed: ${result.stderr}`);
  return result.stdout;
}

// The spoken words of `text` as the aligner wants them (lower case, no punctuation), each with
// the offset in `text` it was read from.
function spokenWords(text: string, lang: G2pLang): { word: string; source: number }[] {
  const mapped = normalizeMapped(text, lang);
  const out: { word: string; source: number }[] = [];
  for (const m of mapped.text.matchAll(/[\p{L}']+/gu)) {
    const word = m[0].toLowerCase().replace(/^'+|'+$/g, '');
    if (word !== '') out.push({ word, source: mapped.spanOf(m.index, m.index + m[0].length).start });
  }
  return out;
}

// The dialect the engine reads `spec` (a voice or blend) in, so the aligner hears "the
// fourteenth of March" where a British voice says it.
function voiceLang(spec: string): G2pLang {
  const ids = spec.split(',').map((part) => part.split(':')[0]?.trim() ?? '');
  return blendLang(parseVoiceSpec(spec, new Set(ids)));
}

async function measure(text: string, dir: string, voice: string, speed: string): Promise<TextResult> {
  const wav = path.join(dir, 'words.wav');
  const json = path.join(dir, 'words.json');
  const raw = path.join(dir, 'words16.raw');
  const silent = { write: () => true };
  const code = await main(['say', '--no-play', '--voice', voice, '--speed', speed, '--out', wav, '--timings', json, text], {
    stdout: silent,
    stderr: process.stderr,
    stdin: process.stdin,
  });
  if (code !== 0) throw new Error(`kokoro-bar say exited ${code}`);
  const ours = (JSON.parse(readFileSync(json, 'utf8')) as { words: TimedWord[] }).words;
  run('sox', [wav, '-r', String(ALIGN_RATE), '-b', '16', '-c', '1', '-e', 'signed-integer', '-t', 'raw', raw]);
  const spoken = spokenWords(text, voiceLang(voice));
  const segments = JSON.parse(run('python3', ['-c', ALIGN_PY, raw, spoken.map((w) => w.word).join(' ')])) as [string, number, number][];
  const aligned = segments.filter(([w]) => !/^(<s>|<\/s>|<sil>|\[.*\]|\(NULL\))$/i.test(w));
  if (aligned.length !== spoken.length) {
    throw new Error(`pocketsphinx aligned ${aligned.length} of ${spoken.length} words of "${text.slice(0, 40)}…"`);
  }
  // Each of our words against the first spoken word read from inside its span.
  const differences: number[] = [];
  const detail: TextResult['detail'] = [];
  let next = 0;
  for (const word of ours) {
    while (next < spoken.length && (spoken[next] as { source: number }).source < word.charStart) next++;
    const first = spoken[next];
    if (first === undefined || first.source >= word.charEnd) {
      detail.push({ text: word.text, ours: word.start, aligner: null, alignerWord: null });
      continue;
    }
    const [alignerWord, alignerStart] = aligned[next] as [string, number, number];
    differences.push(word.start - alignerStart);
    detail.push({ text: word.text, ours: word.start, aligner: alignerStart, alignerWord });
  }
  return { text, words: ours.length, differences, detail };
}

function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const at = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[at] as number;
}

// |difference − offset| in ms, ascending.
function deviationsMs(differences: readonly number[], offset: number): number[] {
  return differences.map((d) => Math.abs(d - offset) * MS).sort((a, b) => a - b);
}

async function measureAll(): Promise<void> {
  const { values } = parseArgs({
    options: {
      json: { type: 'boolean' },
      voice: { type: 'string' },
      speed: { type: 'string' },
      text: { type: 'string', multiple: true },
      words: { type: 'boolean' },
    },
    strict: true,
  });
  const texts = values.text ?? ALIGN_TEXTS;
  const blank = texts.findIndex((t) => t.trim() === '');
  if (blank >= 0) throw new Error(`--text number ${blank + 1} is empty: give each --text some words to read.`);
  const voice = values.voice ?? DEFAULT_VOICE;
  const speed = values.speed ?? '1';
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kokoro-words-'));
  try {
    const results: TextResult[] = [];
    for (const text of texts) results.push(await measure(text, dir, voice, speed));
    const all = results.flatMap((r) => r.differences);
    const offset = quantile(
      [...all].sort((a, b) => a - b),
      0.5,
    );
    const deviations = deviationsMs(all, offset);
    const summary = {
      aligner: 'pocketsphinx (forced alignment, en-us model of its wheel)',
      voice,
      lang: voiceLang(voice),
      speed: Number(speed),
      texts: results.length,
      words: all.length,
      offsetMs: Math.round(offset * MS),
      medianDeviationMs: Math.round(quantile(deviations, 0.5)),
      p90DeviationMs: Math.round(quantile(deviations, P90)),
      maxDeviationMs: Math.round(deviations.at(-1) ?? Number.NaN),
      outliers: deviations.filter((d) => d > OUTLIER_MS).length,
      perText: results.map((r) => ({
        text: r.text.slice(0, 40),
        words: r.words,
        compared: r.differences.length,
        medianDeviationMs: Math.round(quantile(deviationsMs(r.differences, offset), 0.5)),
        maxDeviationMs: Math.round(deviationsMs(r.differences, offset).at(-1) ?? Number.NaN),
        ...(values.words
          ? {
              wordDetail: r.detail.map((d) => ({
                ...d,
                deviationMs: d.aligner === null ? null : Math.round((d.ours - d.aligner - offset) * MS),
              })),
            }
          : {}),
      })),
    };
    process.stdout.write(
      values.json
        ? `${JSON.stringify(summary, null, 2)}\n`
        : `${summary.aligner}, ${summary.voice} at ${summary.speed}: ${summary.words} words in ${summary.texts} texts\n` +
            `offset ${summary.offsetMs} ms (ours − aligner); deviation median ${summary.medianDeviationMs} ms, ` +
            `p90 ${summary.p90DeviationMs} ms, max ${summary.maxDeviationMs} ms; ${summary.outliers} beyond ${OUTLIER_MS} ms\n`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await measureAll();
