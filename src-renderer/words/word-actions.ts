// Runs in the renderer: the module-level actions of the word highlight (see [Note: Word
// highlight] in words-slice.ts): chunk words in, played position in, a word clicked out.

import { SAMPLE_RATE, type WordTiming } from '../../src-worker/protocol/messages.ts';
import { readFrom } from '../store/actions.ts';
import { useStore } from '../store/store.ts';
import { wordAt } from './word-spans.ts';

/** A chunk's words arrived for request `id`, whose text starts at `base` in the transcript. */
export function addChunkWords(id: string, words: readonly WordTiming[], base: number): void {
  useStore.setState((s) => {
    const fresh = s.words.requestId !== id;
    const shifted = words.map((w) => ({ ...w, span: { start: w.span.start + base, end: w.span.end + base } }));
    return {
      words: {
        requestId: id,
        list: fresh ? shifted : [...s.words.list, ...shifted],
        current: fresh ? -1 : s.words.current,
      },
    };
  });
}

/** The player has played `played` samples (at `contextRate`) of request `id`. */
export function playedWords(id: string, played: number, contextRate: number): void {
  const { words } = useStore.getState();
  if (words.requestId !== id || contextRate <= 0) return;
  const current = played <= 0 ? -1 : wordAt(words.list, (played * SAMPLE_RATE) / contextRate);
  if (current !== words.current) useStore.setState({ words: { ...words, current } });
}

/** Reads the transcript again from word `index` of the live request (a click, or Enter on it). */
export function readFromWord(index: number): Promise<void> {
  const word = useStore.getState().words.list[index];
  return word ? readFrom(word.span.start) : Promise.resolve();
}
