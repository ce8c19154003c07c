// Runs in the renderer: the word-highlight slice of the store (its actions are in word-actions.ts).
//
// [Note: Word highlight]
// Each chunk event carries its words with their first sample in the utterance (the engine's
// clock: the samples it emitted, through trims and pauses). The player reports how many samples
// the worklet has played, at the audio context's rate, so the word heard is the last word whose
// start is at or before played × SAMPLE_RATE / contextRate: driven by the audio actually played,
// not by wall-clock guesses, and it stops when playback pauses. A request started from a word or
// sentence (previous/next, click) covers `text.slice(base)`, so its spans are shifted by the
// base into the whole transcript. `current` changes a few times a second: components read it
// through `subscribe` into the DOM, not as React state.

import type { StateCreator } from 'zustand';
import type { WordTiming } from '../../src-worker/protocol/messages.ts';
import type { AppState } from '../store/slices.ts';

export interface WordsSlice {
  words: {
    /** The request whose words these are. */
    requestId: string | null;
    /** Words of the live request so far, spans in the whole transcript, samples in the request. */
    list: WordTiming[];
    /** Index into `list` being heard; -1 before the first word (fast-changing). */
    current: number;
  };
}

type Slice<T> = StateCreator<AppState, [['zustand/subscribeWithSelector', never]], [], T>;

export const createWordsSlice: Slice<WordsSlice> = () => ({
  words: { requestId: null, list: [], current: -1 },
});
