// Runs in the worker (and the CLI, tests, benchmark): makes chunked speech sound like one
// utterance. Each chunk the model renders is trimmed to its speech, faded at the cuts, and
// followed by a pause chosen by the text at its boundary.
//
// [Note: Trimming by durations]
// Each run renders silence around its speech: the leading pad id gets 13–17 frames (325–425 ms),
// the final phoneme is lengthened (12–13 frames) well past its sound, a closing "." and the
// closing pad add more. Joined as they are, chunks leave 0.7–0.8 s gaps (kokoro-onnx trims to
// 30–100 ms). The per-token durations (RunOutput.durations, frames of SAMPLES_PER_FRAME) say
// where the pads are, so the window of speech is known exactly: from a little before the first
// phoneme's frame (the decoder starts sounding it 15–75 ms early, measured here) to the start of
// the closing pad. Inside that window the first and last audible samples ([Note: Audible level]
// in audible.ts) give the exact edges, because a lengthened last phoneme keeps its frames long
// after its sound has died (measured: "Hello there." is audible to 1040 ms, its last phoneme's
// frames end at 1300 ms). Then at most LEAD_MS is kept before the onset and TAIL_MS after the
// offset. Without durations (the original graph), the window is found by energy as kokoro-onnx
// does (frames 60 dB below the loudest are silence) and the edges inside it as above; measured
// on the original graph, the 60 dB window alone kept 185 ms of a lengthened last phoneme's
// decay at a join inside a sentence.
//
// [Note: Pauses at joins]
// The silence between two chunks is chosen by the text at the cut: none (≤ JOIN_EDGE_MS × 2)
// inside a clause, PAUSE_MS.clause after , ; : and dashes, PAUSE_MS.sentence after . ! ?,
// PAUSE_MS.paragraph at a blank line. Pauses are divided by the speed (faster speech, shorter
// pauses) and multiplied by the user's pause scale. The kept tail, the appended silence and the
// next chunk's kept lead add up to the pause, so what the listener hears is the pause.
// The model also pauses inside a chunk on its own: at its commas and sentence ends, and now and
// then between words with no mark at all (measured: 306 ms between "lazy dog" and "beside" in a
// comma-free sentence). Inside a chunk, a silent run longer than the longest pause the chunk's
// own text allows (the pause of its strongest inner boundary, at least INNER_PAUSE_MS) is
// shortened to it by removing whole frames from its middle, and the durations of the ids those
// frames belonged to shrink to match, so durations stay true to the audio.
// Every cut gets a FADE_MS raised-cosine fade, in at the start and out at the end, so no cut
// lands on a non-zero sample (no click); the fades lie in the kept lead and tail, below the
// audible level, so speech itself is never faded.

import { AUDIBLE_LEVEL, firstAudibleSample, lastAudibleSample } from '../protocol/audible.ts';
import { SAMPLE_RATE } from '../protocol/messages.ts';
import { SAMPLES_PER_FRAME } from '../sessions/session.ts';

/** How a chunk's text ends, which decides the pause after it. */
export type Boundary = 'word' | 'clause' | 'sentence' | 'paragraph';

/** The pause after each kind of boundary at speed 1 and pause scale 1, milliseconds. */
export const PAUSE_MS: Readonly<Record<Boundary, number>> = { word: 0, clause: 130, sentence: 330, paragraph: 650 };

/** Most silence kept before the first audible sample of an utterance, milliseconds. */
export const LEAD_MS = 50;

/** Most silence kept after the last audible sample of a chunk, milliseconds. */
export const TAIL_MS = 50;

/** Silence kept on each side of a cut inside a clause (no pause), milliseconds. */
export const JOIN_EDGE_MS = 10;

/** Longest silence kept inside a chunk whose text has no inner clause or sentence mark, milliseconds. */
export const INNER_PAUSE_MS = 120;

/** Length of the fade at every cut, milliseconds. */
export const FADE_MS = 5;

/** How far before the first phoneme's frame its sound may start (measured 15–75 ms), milliseconds. */
export const ONSET_SEARCH_MS = 150;

/** Energy trim without durations: frames this many dB below the loudest are silence (kokoro-onnx). */
export const ENERGY_TRIM_DB = 60;

/** Energy trim frame length in samples (kokoro-onnx uses librosa's hop of 512). */
export const ENERGY_FRAME = 512;

const TERMINALS = /[.!?…‽。！？]/;
const CLAUSE_MARKS = /[,;:、，；：—–-]/;
const CLOSERS = /["'”’)\]}»›」』]/;
const SPACE = /\s/;
const LOWER = /\p{Ll}/u;

/** The kind of boundary at offset `end` of `text` (a chunk's span end). */
export function boundaryAt(text: string, end: number): Boundary {
  let newlines = 0;
  let next = end;
  while (next < text.length && SPACE.test(text.charAt(next))) {
    if (text.charAt(next) === '\n') newlines++;
    next++;
  }
  if (newlines >= 2) return 'paragraph';
  let last = end - 1;
  while (last >= 0 && (CLOSERS.test(text.charAt(last)) || SPACE.test(text.charAt(last)))) last--;
  const mark = text.charAt(last);
  if (TERMINALS.test(mark)) return 'sentence';
  if (CLAUSE_MARKS.test(mark)) return 'clause';
  // A line break the splitter ended a sentence at (a heading, a list item): a sentence pause.
  if (newlines === 1 && next < text.length && !LOWER.test(text.charAt(next))) return 'sentence';
  return 'word';
}

/** The pause after `boundary`, milliseconds, at `speed` with the user's `pauseScale`. */
export function pauseMs(boundary: Boundary, speed: number, pauseScale = 1): number {
  return (PAUSE_MS[boundary] * pauseScale) / speed;
}

/** Where the speech of a chunk is, in samples: [onset, offset). */
export interface SpeechBounds {
  onset: number;
  offset: number;
  /** How they were found: the model's durations, or energy (original graph). */
  by: 'durations' | 'energy';
}

/**
 * The speech of one rendered chunk (see [Note: Trimming by durations]): `durations` are the
 * frames of every padded id, or undefined; unusable durations (not summing to the audio) fall
 * back to energy.
 */
export function speechBounds(pcm: Float32Array, durations: ArrayLike<number> | undefined): SpeechBounds {
  if (durations && durations.length >= 2) {
    let total = 0;
    for (let i = 0; i < durations.length; i++) total += durations[i] as number;
    if (total * SAMPLES_PER_FRAME === pcm.length) {
      const padEnd = (durations[0] as number) * SAMPLES_PER_FRAME;
      const closeStart = (total - (durations[durations.length - 1] as number)) * SAMPLES_PER_FRAME;
      const from = Math.max(0, padEnd - ms(ONSET_SEARCH_MS));
      const onset = firstAudibleSample(pcm, AUDIBLE_LEVEL, from, closeStart);
      if (onset < 0) return { onset: padEnd, offset: Math.max(padEnd, closeStart), by: 'durations' };
      const offset = lastAudibleSample(pcm, AUDIBLE_LEVEL, onset, closeStart) + 1;
      return { onset, offset, by: 'durations' };
    }
  }
  // No durations: the window is where the energy is, and the edges are found inside it as above.
  const window = energyBounds(pcm);
  const onset = firstAudibleSample(pcm, AUDIBLE_LEVEL, window.onset, window.offset);
  if (onset < 0) return { ...window, by: 'energy' };
  return { onset, offset: lastAudibleSample(pcm, AUDIBLE_LEVEL, onset, window.offset) + 1, by: 'energy' };
}

/** Speech by energy, as kokoro-onnx trims: frames ENERGY_TRIM_DB below the loudest are silence. */
export function energyBounds(pcm: Float32Array): { onset: number; offset: number } {
  const frames = Math.ceil(pcm.length / ENERGY_FRAME);
  const power = new Float64Array(frames);
  let loudest = 0;
  for (let f = 0; f < frames; f++) {
    let sum = 0;
    const end = Math.min(pcm.length, (f + 1) * ENERGY_FRAME);
    for (let i = f * ENERGY_FRAME; i < end; i++) sum += (pcm[i] as number) ** 2;
    power[f] = sum / (end - f * ENERGY_FRAME);
    loudest = Math.max(loudest, power[f] as number);
  }
  if (loudest === 0) return { onset: 0, offset: 0 };
  const floor = loudest * 10 ** (-ENERGY_TRIM_DB / 10);
  let first = 0;
  while (first < frames && (power[first] as number) <= floor) first++;
  let last = frames - 1;
  while (last > first && (power[last] as number) <= floor) last--;
  return { onset: first * ENERGY_FRAME, offset: Math.min(pcm.length, (last + 1) * ENERGY_FRAME) };
}

/** How a chunk meets its neighbours. */
export interface JoinOptions {
  /** The boundary before this chunk; undefined for the first chunk of an utterance. */
  before: Boundary | undefined;
  /** The boundary after it; undefined for the last chunk (no pause follows). */
  after: Boundary | undefined;
  speed: number;
  /** The user's pause scale (1 = PAUSE_MS as it is). */
  pauseScale: number;
  /** The strongest boundary inside the chunk's own text (see innerBoundary), if any. */
  inner?: Boundary | undefined;
}

/** The strongest boundary inside `text[start, end)` (before its last mark), or undefined. */
export function innerBoundary(text: string, start: number, end: number): Boundary | undefined {
  const order: Boundary[] = ['word', 'clause', 'sentence', 'paragraph'];
  let best = -1;
  for (let i = start; i < end - 1; i++) {
    const ch = text.charAt(i);
    if (!TERMINALS.test(ch) && !CLAUSE_MARKS.test(ch) && ch !== '\n') continue;
    if (!SPACE.test(text.charAt(i + 1)) && ch !== '\n') continue;
    best = Math.max(best, order.indexOf(boundaryAt(text, i + 1)));
  }
  return best > 0 ? order[best] : undefined;
}

/** A chunk ready to play: trimmed, faded, its pause appended. */
export interface Joined {
  pcm: Float32Array;
  /** Samples cut from the start of the rendered audio (token frames shift by this much). */
  trimmedStart: number;
  /** Samples of speech window kept, before the appended pause. */
  kept: number;
  /** Samples of silence appended after it. */
  pause: number;
  /** Samples removed from over-long silences inside the speech. */
  shortened: number;
  /** The durations after shortening (frames per id), when there were durations. */
  frames: number[] | undefined;
  bounds: SpeechBounds;
}

/** Trims one rendered chunk, fades its cuts and appends its pause (see [Note: Pauses at joins]). */
export function joinChunk(pcm: Float32Array, durations: ArrayLike<number> | undefined, opts: JoinOptions): Joined {
  const bounds = speechBounds(pcm, durations);
  const lead = opts.before === undefined ? ms(LEAD_MS) : edge(pauseMs(opts.before, opts.speed, opts.pauseScale));
  const tailGap = opts.after === undefined ? undefined : pauseMs(opts.after, opts.speed, opts.pauseScale);
  const tail = tailGap === undefined ? ms(TAIL_MS) : edge(tailGap);
  const start = Math.max(0, bounds.onset - lead);
  const end = Math.min(pcm.length, Math.max(start, bounds.offset + tail));
  // The next chunk keeps edge(gap) before its onset; the silence between makes up the rest.
  const pause = tailGap === undefined ? 0 : Math.max(0, ms(tailGap) - tail - edge(tailGap));
  const innerMs = Math.max(INNER_PAUSE_MS, opts.inner === undefined ? 0 : pauseMs(opts.inner, opts.speed, opts.pauseScale));
  const removed = overlongSilences(pcm, bounds.onset, bounds.offset, ms(innerMs));
  const shortened = removed.reduce((n, [from, to]) => n + (to - from), 0);
  const out = new Float32Array(end - start - shortened + pause);
  let at = 0;
  let from = start;
  for (const [a, b] of removed) {
    out.set(pcm.subarray(from, a), at);
    at += a - from;
    from = b;
  }
  out.set(pcm.subarray(from, end), at);
  fade(out, 0, end - start - shortened);
  let frames: number[] | undefined;
  if (durations && bounds.by === 'durations') {
    const original = Array.from(durations);
    const kept = original.slice();
    for (const [a, b] of removed) {
      for (let f = a / SAMPLES_PER_FRAME; f < b / SAMPLES_PER_FRAME; f++) {
        const owner = frameOwner(original, f);
        kept[owner] = (kept[owner] as number) - 1;
      }
    }
    frames = kept;
  }
  return { pcm: out, trimmedStart: start, kept: end - start - shortened, pause, shortened, frames, bounds };
}

// The sample ranges (whole frames, in order) to remove from silent runs of pcm[onset, offset)
// longer than `cap` samples, taken from the middle of each run.
function overlongSilences(pcm: Float32Array, onset: number, offset: number, cap: number): [number, number][] {
  const ranges: [number, number][] = [];
  let run = -1;
  for (let i = onset; i <= offset; i++) {
    const quiet = i < offset && Math.abs(pcm[i] as number) < AUDIBLE_LEVEL;
    if (quiet && run < 0) run = i;
    if (!quiet && run >= 0) {
      const excess = Math.ceil((i - run - cap) / SAMPLES_PER_FRAME);
      const first = Math.ceil(run / SAMPLES_PER_FRAME);
      const last = Math.floor(i / SAMPLES_PER_FRAME);
      const k = Math.min(excess, last - first);
      if (k > 0) {
        const at = first + Math.floor((last - first - k) / 2);
        ranges.push([at * SAMPLES_PER_FRAME, (at + k) * SAMPLES_PER_FRAME]);
      }
      run = -1;
    }
  }
  return ranges;
}

// The index of the id whose frames contain frame `frame` (frames counted from the start).
function frameOwner(frames: readonly number[], frame: number): number {
  let acc = 0;
  for (let t = 0; t < frames.length; t++) {
    acc += frames[t] as number;
    if (frame < acc) return t;
  }
  return frames.length - 1;
}

// Silence kept on one side of a cut whose pause is `gapMs`: a little for a cut inside a clause,
// else up to half the pause (never more than the lead and tail).
function edge(gapMs: number): number {
  return gapMs <= 2 * JOIN_EDGE_MS ? ms(JOIN_EDGE_MS) : ms(Math.min(gapMs / 2, LEAD_MS));
}

// Raised-cosine fade in over the first FADE_MS and out over the last FADE_MS of out[from, to).
function fade(out: Float32Array, from: number, to: number): void {
  const n = Math.min(ms(FADE_MS), Math.floor((to - from) / 2));
  for (let i = 0; i < n; i++) {
    const gain = 0.5 - 0.5 * Math.cos((Math.PI * i) / n);
    out[from + i] = (out[from + i] as number) * gain;
    out[to - 1 - i] = (out[to - 1 - i] as number) * gain;
  }
}

function ms(milliseconds: number): number {
  return Math.round((milliseconds * SAMPLE_RATE) / 1000);
}
