// Runs in the renderer: the one zustand store, combined from typed slices, with middleware only
// here on the combined store.

import { create } from 'zustand';
import { subscribeWithSelector } from 'zustand/middleware';
import {
  createBenchSlice,
  createMetricsSlice,
  createPlaybackSlice,
  createSettingsSlice,
  createUiSlice,
  createVoicesSlice,
  type AppState,
} from './slices.ts';
import { createWordsSlice } from '../words/words-slice.ts';

/** The app's store; components select single values or use `useShallow`. */
export const useStore = create<AppState>()(
  subscribeWithSelector((...a) => ({
    ...createPlaybackSlice(...a),
    ...createVoicesSlice(...a),
    ...createSettingsSlice(...a),
    ...createMetricsSlice(...a),
    ...createBenchSlice(...a),
    ...createUiSlice(...a),
    ...createWordsSlice(...a),
  })),
);
