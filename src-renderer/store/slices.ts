// Runs in the renderer: the typed slices of the one zustand store (see store.ts). Slices hold
// state and the plain setters that touch nothing else; actions that talk to the worker or the
// player live at module level in actions.ts.

import type { StateCreator } from 'zustand';
import type {
  AppView,
  BenchPreset,
  BenchResult,
  ProviderState,
  Settings,
  TextSpan,
  VoiceInfo,
} from '../../src-worker/protocol/messages.ts';
import type { WordsSlice } from '../words/words-slice.ts';

/** A user-facing failure: what went wrong and what to do. */
export interface Problem {
  message: string;
  action: string;
}

export type PlaybackStatus = 'idle' | 'starting' | 'playing' | 'paused';

export interface PlaybackSlice {
  playback: {
    status: PlaybackStatus;
    requestId: string | null;
    /** The editable text box. */
    draft: string;
    /** The text of the utterance being spoken, and its sentence spans. */
    spokenText: string;
    /** Offset in `spokenText` where the request being heard starts (after previous/next). */
    textBase: number;
    sentences: TextSpan[];
    /** Index into `sentences` being heard now; -1 before the first sample. */
    sentenceIndex: number;
    /** Seconds played (changes every poll: read through `subscribe`, not a selector). */
    position: number;
    /** Peak level of the utterance so far, 0..1 (also fast-changing). */
    level: number;
    /** Largest sample played in the utterance (0 means silence reached the output). */
    peak: number;
    samplesPlayed: number;
    samplesPushed: number;
    underruns: number;
    problem: Problem | null;
  };
  setDraft(text: string): void;
}

export interface VoicesSlice {
  voices: { list: VoiceInfo[]; query: string; previewing: string | null };
  setVoiceQuery(query: string): void;
}

export interface SettingsSlice {
  settings: { value: Settings | null; problem: string | null };
}

/** What one utterance measured (see DESIGN.md "Metrics, defined once"). */
export interface UtteranceMetrics {
  id: string;
  label: string;
  voice: string;
  provider: 'cpu' | 'coreml';
  at: number;
  ttfaAudibleMs: number | null;
  ttfaEngineMs: number | null;
  rtf: number | null;
  audioSeconds: number;
  rssBytes: number;
  peakRssBytes: number;
  underruns: number;
  final: boolean;
}

export interface MetricsSlice {
  metrics: {
    current: UtteranceMetrics | null;
    /** Recent utterances, oldest first (the charts read this). */
    history: UtteranceMetrics[];
    provider: ProviderState | null;
    worker: 'connecting' | 'up' | 'down';
  };
}

export interface BenchSlice {
  bench: {
    presets: BenchPreset[];
    providers: ('cpu' | 'coreml')[];
    runs: number;
    requestId: string | null;
    progress: { completed: number; total: number; label: string } | null;
    result: BenchResult | null;
    history: BenchResult[];
    problem: Problem | null;
  };
  setBenchOptions(options: Partial<Pick<BenchSlice['bench'], 'presets' | 'providers' | 'runs'>>): void;
}

export interface UiSlice {
  ui: {
    view: AppView;
    notice: { level: 'info' | 'warning' | 'error'; message: string } | null;
    /** The compact popover's voice sheet is open (the wide layout always shows the picker). */
    voiceSheet: boolean;
  };
  showView(view: AppView): void;
  setVoiceSheet(open: boolean): void;
}

export type AppState = PlaybackSlice & VoicesSlice & SettingsSlice & MetricsSlice & BenchSlice & UiSlice & WordsSlice;

type Slice<T> = StateCreator<AppState, [['zustand/subscribeWithSelector', never]], [], T>;

/** The per-utterance part of playback as it is before any speech (and again at each Speak). */
export const FRESH_UTTERANCE = {
  spokenText: '',
  textBase: 0,
  sentences: [],
  sentenceIndex: -1,
  position: 0,
  level: 0,
  peak: 0,
  samplesPlayed: 0,
  samplesPushed: 0,
  underruns: 0,
  problem: null,
} as const satisfies Partial<PlaybackSlice['playback']>;

export const createPlaybackSlice: Slice<PlaybackSlice> = (set) => ({
  playback: { status: 'idle', requestId: null, draft: '', ...FRESH_UTTERANCE, sentences: [] },
  setDraft: (draft) => set((s) => ({ playback: { ...s.playback, draft } })),
});

export const createVoicesSlice: Slice<VoicesSlice> = (set) => ({
  voices: { list: [], query: '', previewing: null },
  setVoiceQuery: (query) => set((s) => ({ voices: { ...s.voices, query } })),
});

export const createSettingsSlice: Slice<SettingsSlice> = () => ({
  settings: { value: null, problem: null },
});

export const createMetricsSlice: Slice<MetricsSlice> = () => ({
  metrics: { current: null, history: [], provider: null, worker: 'connecting' },
});

export const createBenchSlice: Slice<BenchSlice> = (set) => ({
  bench: {
    presets: ['short'],
    providers: ['cpu'],
    runs: 1,
    requestId: null,
    progress: null,
    result: null,
    history: [],
    problem: null,
  },
  setBenchOptions: (options) => set((s) => ({ bench: { ...s.bench, ...options } })),
});

export const createUiSlice: Slice<UiSlice> = (set) => ({
  ui: { view: 'speak', notice: null, voiceSheet: false },
  showView: (view) => set((s) => ({ ui: { ...s.ui, view } })),
  setVoiceSheet: (voiceSheet) => set((s) => ({ ui: { ...s.ui, voiceSheet } })),
});
