// Runs in the CLI (and the tests): word timings as files, `say --timings x.json` and
// `--subtitles x.vtt|x.srt`. Pure functions from the text, the words of every chunk and the sample
// rate to the file's text.
//
// [Note: Caption cues]
// One cue per sentence (split.ts's sentences, so cues match the UI's sentence highlight), cut at
// word boundaries when a sentence is longer than MAX_CUE_CHARS so a cue fits two caption lines.
// A cue starts at its first word's first sample and ends at its last word's last sample, so
// silence between sentences shows no caption. WebVTT cues carry each later word's start as an
// inline timestamp (`<00:00:01.250>`), which players use for karaoke-style highlighting; SRT has
// no such thing, so its cues are the same without them. The cue text is the original text of the
// words (a "$42.50" stays "$42.50", not its reading), with runs of whitespace as one space.

import { SAMPLE_RATE, type WordTiming } from '../protocol/messages.ts';
import { splitSentences } from '../text/split.ts';

/** Longest cue text before a sentence is cut into several cues (two lines of ~42 characters). */
export const MAX_CUE_CHARS = 84;

const MS_PER_SECOND = 1000;
const SECONDS_PER_MINUTE = 60;
const MINUTES_PER_HOUR = 60;

/**
 * One word of the `--timings` file: seconds from the WAV's first sample, offsets into the input
 * text in UTF-16 code units (JavaScript string indices: a character outside the BMP counts 2).
 */
export interface TimedWord {
  text: string;
  start: number;
  end: number;
  charStart: number;
  charEnd: number;
}

/** The `--timings` JSON document. */
export function timingsJson(text: string, words: readonly WordTiming[], sampleRate = SAMPLE_RATE): { words: TimedWord[] } {
  return {
    words: words.map((w) => ({
      text: text.slice(w.span.start, w.span.end),
      start: w.startSample / sampleRate,
      end: w.endSample / sampleRate,
      charStart: w.span.start,
      charEnd: w.span.end,
    })),
  };
}

/** A caption cue: its words, in order. */
interface Cue {
  words: WordTiming[];
}

/** Groups words into sentence-sized cues (see [Note: Caption cues]). */
export function captionCues(text: string, words: readonly WordTiming[]): WordTiming[][] {
  const sentences = splitSentences(text);
  const cues: Cue[] = [];
  let sentence = 0;
  let current: Cue | undefined;
  let currentSentence = -1;
  for (const word of words) {
    while (sentence < sentences.length - 1 && word.span.start >= (sentences[sentence] as { end: number }).end) sentence++;
    const first = current?.words[0];
    const tooLong = first !== undefined && word.span.end - first.span.start > MAX_CUE_CHARS;
    if (current === undefined || sentence !== currentSentence || tooLong) {
      current = { words: [] };
      cues.push(current);
      currentSentence = sentence;
    }
    current.words.push(word);
  }
  return cues.map((c) => c.words);
}

/** WebVTT captions with word timestamps. */
export function toVtt(text: string, words: readonly WordTiming[], sampleRate = SAMPLE_RATE): string {
  const stamp = (w: WordTiming): string => `<${clock(w.startSample / sampleRate, '.')}>`;
  const blocks = captionCues(text, words).map((cue, i) => {
    const first = cue[0] as WordTiming;
    const last = cue[cue.length - 1] as WordTiming;
    const body = cueText(text, words, cue, (w, j) => (j === 0 ? '' : stamp(w)), escapeVtt);
    return `${i + 1}\n${clock(first.startSample / sampleRate, '.')} --> ${clock(last.endSample / sampleRate, '.')}\n${body}`;
  });
  return `WEBVTT\n\n${blocks.join('\n\n')}\n`;
}

/** SubRip captions (no word timing in the format: sentence cues only). */
export function toSrt(text: string, words: readonly WordTiming[], sampleRate = SAMPLE_RATE): string {
  const blocks = captionCues(text, words).map((cue, i) => {
    const first = cue[0] as WordTiming;
    const last = cue[cue.length - 1] as WordTiming;
    const body = cueText(
      text,
      words,
      cue,
      () => '',
      (t) => t,
    );
    return `${i + 1}\n${clock(first.startSample / sampleRate, ',')} --> ${clock(last.endSample / sampleRate, ',')}\n${body}`;
  });
  return blocks.length === 0 ? '' : `${blocks.join('\n\n')}\n`;
}

// The original text of a cue on one line: its words, the text between them, and the punctuation
// touching its ends (an opening quote, a closing full stop); `before` puts a mark before a word.
function cueText(
  text: string,
  all: readonly WordTiming[],
  cue: readonly WordTiming[],
  before: (word: WordTiming, index: number) => string,
  escape: (text: string) => string,
): string {
  const first = cue[0] as WordTiming;
  const last = cue[cue.length - 1] as WordTiming;
  const at = all.indexOf(first);
  const previousEnd = all[at - 1]?.span.end ?? 0;
  const nextStart = all[at + cue.length]?.span.start ?? text.length;
  const lead = /\S*$/.exec(text.slice(previousEnd, first.span.start))?.[0] ?? '';
  const tail = /^\S*/.exec(text.slice(last.span.end, nextStart))?.[0] ?? '';
  const parts = cue.map((w, j) => {
    const gap = j === 0 ? lead : text.slice((cue[j - 1] as WordTiming).span.end, w.span.start);
    return escape(gap) + before(w, j) + escape(text.slice(w.span.start, w.span.end));
  });
  return (parts.join('') + escape(tail)).replace(/\s+/g, ' ').trim();
}

// hh:mm:ss.mmm (VTT) or hh:mm:ss,mmm (SRT), rounded to the millisecond.
function clock(seconds: number, separator: '.' | ','): string {
  const totalMs = Math.max(0, Math.round(seconds * MS_PER_SECOND));
  const ms = totalMs % MS_PER_SECOND;
  const totalSeconds = Math.floor(totalMs / MS_PER_SECOND);
  const s = totalSeconds % SECONDS_PER_MINUTE;
  const m = Math.floor(totalSeconds / SECONDS_PER_MINUTE) % MINUTES_PER_HOUR;
  const h = Math.floor(totalSeconds / (SECONDS_PER_MINUTE * MINUTES_PER_HOUR));
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${two(h)}:${two(m)}:${two(s)}${separator}${String(ms).padStart(3, '0')}`;
}

function escapeVtt(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
