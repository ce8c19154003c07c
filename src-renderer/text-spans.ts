// Runs in the renderer (and Node tests): text-span lookups that drive sentence highlighting.

import type { TextSpan } from '../src-worker/protocol/messages.ts';

/**
 * Index of the sentence being heard at text offset `offset` (the last sentence starting at or
 * before it, so gaps between sentences keep the previous one lit); -1 before any audio.
 */
export function sentenceAt(sentences: readonly TextSpan[], offset: number): number {
  if (offset < 0) return -1;
  let found = -1;
  for (let i = 0; i < sentences.length; i += 1) {
    const s = sentences[i] as TextSpan;
    if (s.start > offset) break;
    found = i;
  }
  return found;
}
