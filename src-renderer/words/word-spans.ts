// Runs in the renderer (and Node tests): word lookups for the word highlight, by the played
// sample of the utterance (see [Note: Word highlight] in words-slice.ts).

import type { WordTiming } from '../../src-worker/protocol/messages.ts';

/**
 * Index of the word being heard at utterance sample `sample`: the last word starting at or
 * before it (so a pause keeps the word before it lit); -1 before the first word.
 */
export function wordAt(words: readonly WordTiming[], sample: number): number {
  let low = 0;
  let high = words.length; // The answer + 1 lies in [low, high].
  while (low < high) {
    const mid = (low + high) >>> 1;
    if ((words[mid] as WordTiming).startSample <= sample) low = mid + 1;
    else high = mid;
  }
  return low - 1;
}

/** Indices [first, end) of the words whose text lies inside [start, end). */
export function wordsIn(words: readonly WordTiming[], start: number, end: number): [number, number] {
  let first = 0;
  while (first < words.length && (words[first] as WordTiming).span.start < start) first++;
  let last = first;
  while (last < words.length && (words[last] as WordTiming).span.end <= end) last++;
  return [first, last];
}
