// Runs in the renderer: the module-level actions. They answer worker events, player reports and
// app commands by calling `useStore.setState`, so no component or hook is needed to receive them,
// and they are the only code that talks to the bridge and the player.

import type {
  AppCommand,
  BenchPreset,
  BenchResult,
  KokoroBridge,
  ProviderChoice,
  ReadinessState,
  SettingsPatch,
  WorkerEvent,
} from '../../src-worker/protocol/messages.ts';
import { useReadiness } from '../first-run/readiness-store.ts';
import { Player, type PlaybackReport } from '../audio/player.ts';
import { useStore } from './store.ts';
import { FRESH_UTTERANCE, type AppState, type Problem, type UtteranceMetrics } from './slices.ts';
import { sentenceAt } from '../text-spans.ts';
import { addChunkWords, wordsAtPlayed } from '../words/word-actions.ts';
import { DEFAULT_COREML_OPTIONS, PROTOCOL_VERSION, type TextSpan } from '../../src-worker/protocol/messages.ts';

/** Utterances kept for the dashboard charts. */
const HISTORY_LENGTH = 30;
/** What the preview button says in each voice. */
export const PREVIEW_TEXT = 'Hello! This is how I sound.';
/** Characters of an utterance shown as its label in the dashboard. */
const LABEL_CHARS = 40;

let bridge: KokoroBridge | undefined;
let workletUrl = '';
const player = new Player(onReport, () => workletUrl);
let nextId = 1;
/** actionAt of the live utterance, for audible TTFA. */
let liveActionAt = 0;
let liveDone = false;
/** The voice of the live utterance (a preview's own voice), kept for previous/next sentence. */
let liveVoice = '';
/** The player has played everything of the live utterance (its polling has stopped). */
let playerFinished = false;
/** Settings writes sent so far (see updateSettings). */
let settingsWrites = 0;
/** The latest `bench-history` request; an older answer is stale and ignored. */
let historyRequestId = '';

const newId = (kind: string) => `${kind}-${Date.now().toString(36)}-${nextId++}`;
const get = useStore.getState;
const set = useStore.setState;

function patchPlayback(patch: Partial<ReturnType<typeof get>['playback']>): void {
  set((s) => ({ playback: { ...s.playback, ...patch } }));
}

function patchCurrent(patch: Partial<UtteranceMetrics>): void {
  set((s) => {
    const current = s.metrics.current;
    if (!current) return {};
    const next = { ...current, ...patch };
    const history = s.metrics.history.map((m) => (m.id === next.id ? next : m));
    return { metrics: { ...s.metrics, current: next, history } };
  });
}

/**
 * Connects the store to the bridge; call once at start-up. `worklet` is the URL of the built
 * player worklet (main.tsx gets it from Vite; passed in so this module also loads under Node).
 */
export async function start(b: KokoroBridge, worklet: string): Promise<void> {
  bridge = b;
  workletUrl = worklet;
  versionProblem = null;
  b.onEvent(onEvent);
  b.onWorkerState((state) => {
    const was = get().metrics.worker;
    // A worker of another protocol version stays 'down' however its connection goes.
    set((s) => ({ metrics: { ...s.metrics, worker: versionProblem ? 'down' : state } }));
    if (state === 'up') {
      requestWorkerFacts();
      // After an outage the host may be a new one (the dev host restarted): read settings again.
      if (was === 'down')
        void b.getSettings().then(
          (value) => set((s) => ({ settings: { ...s.settings, value } })),
          () => undefined,
        );
    } else if (get().playback.status !== 'idle') {
      player.stop();
      patchPlayback({
        status: 'idle',
        requestId: null,
        problem: {
          message: 'The speech engine stopped unexpectedly.',
          action: 'It is restarting; press Speak again in a moment.',
        },
      });
    }
  });
  b.onCommand(onCommand);
  requestWorkerFacts();
  const [settings, clipboard] = await Promise.all([b.getSettings(), b.readClipboard().catch(() => '')]);
  set((s) => ({
    settings: { ...s.settings, value: settings },
    playback: { ...s.playback, draft: s.playback.draft || clipboard },
  }));
}

/** Set while the worker's `hello` names another protocol version (see [Note: Versions must match] in src-main/preload/worker-client.ts). */
let versionProblem: Problem | null = null;

function versionMismatch(version: number): Problem {
  return {
    message: `The speech engine speaks protocol version ${version}; this window speaks version ${PROTOCOL_VERSION}.`,
    action: 'Quit Kokoro Bar and open it again; if this persists, reinstall it.',
  };
}

// The voices, the provider and the benchmark history all come from the worker, so they are asked
// for again on every (re)connect.
function requestWorkerFacts(): void {
  bridge?.send({ type: 'list-voices', id: newId('voices') });
  bridge?.send({ type: 'status', id: newId('status') });
  requestBenchHistory();
}

/** Asks the worker for the stored benchmark runs (the worker keeps the one store). */
function requestBenchHistory(): void {
  if (!bridge) return;
  historyRequestId = newId('history');
  bridge.send({ type: 'bench-history', id: historyRequestId });
}

// --- speaking --------------------------------------------------------------------------------

/**
 * Why nothing can be spoken right now, or null when the engine and settings are ready. Every way
 * to speak (button, ⌘↩, hotkey command, preview, media key) goes through this, so a request is
 * never sent into a connection that cannot answer it (it would sit on "Starting…" for ever).
 */
export function speakBlocker(state: AppState): Problem | null {
  if (!bridge || state.metrics.worker === 'connecting') {
    return { message: 'The speech engine is still starting.', action: 'Try again when the badge turns green.' };
  }
  if (versionProblem) return versionProblem;
  if (state.metrics.worker === 'down') {
    return { message: 'The speech engine is offline.', action: 'It restarts by itself; try again when the badge turns green.' };
  }
  if (!state.settings.value) {
    return { message: 'Settings are still loading.', action: 'Try again in a moment.' };
  }
  const { engine, fetch } = useReadiness.getState();
  return modelBlocker(engine, fetch !== null && fetch.error === null);
}

/** What blocks speaking while this window's fetch of the model files runs. */
const DOWNLOADING: Problem = {
  message: 'The voice model is still being downloaded.',
  action: 'Speech can start when the download is done.',
};

/**
 * Why the model cannot speak yet, from the worker's readiness (unknown or checking: no reason);
 * `fetching` says whether this window has a fetch running (missing files are then being downloaded).
 */
export function modelBlocker(engine: ReadinessState | null, fetching = false): Problem | null {
  switch (engine?.status) {
    case 'fetching':
      return DOWNLOADING;
    case 'needs-fetch':
      // Missing with no fetch running (it failed and was dismissed): say so, not "downloading".
      return fetching
        ? DOWNLOADING
        : {
            message: engine.reason ?? 'The voice model is not downloaded.',
            action: engine.action ?? 'Use “Fetch model” to download it.',
          };
    case 'failed':
      return {
        message: engine.reason ?? 'The speech engine could not start.',
        action: engine.action ?? 'Use Fetch model beside the badge.',
      };
    default:
      return null;
  }
}

/** Speaks `text` with the chosen voice and speed; `actionAt` is when the user acted (epoch ms). */
export async function speak(text: string, actionAt = nowEpochMs(), voiceOverride?: string): Promise<void> {
  const trimmed = text.trim();
  if (trimmed.length === 0) {
    patchPlayback({
      problem: { message: 'There is no text to speak.', action: 'Type or paste some text first.' },
    });
    return;
  }
  await speakFrom(text, 0, actionAt, voiceOverride ?? get().settings.value?.voice ?? '', [], -1);
}

/**
 * Starts an utterance of `text` from offset `base` (a sentence start; 0 for the whole text).
 * The worker is sent only `text.slice(base)`; the transcript keeps the whole text and the
 * sentence spans already known (`keep`, lit at `index` at once) until the worker reports its
 * own spans from `base` on (see the 'started' case of onEvent).
 */
async function speakFrom(text: string, base: number, actionAt: number, voice: string, keep: TextSpan[], index: number): Promise<void> {
  const blocked = speakBlocker(get());
  const settings = get().settings.value;
  if (blocked || !bridge || !settings) {
    patchPlayback({ problem: blocked ?? { message: 'Not connected.', action: 'Reload the page.' } });
    return;
  }
  const sent = text.slice(base);
  halt();
  const id = newId('speak');
  liveActionAt = actionAt;
  liveDone = false;
  playerFinished = false;
  liveVoice = voice;
  patchPlayback({
    ...FRESH_UTTERANCE,
    sentences: keep,
    sentenceIndex: index,
    status: 'starting',
    requestId: id,
    spokenText: text,
    textBase: base,
  });
  set((s) => {
    const entry: UtteranceMetrics = {
      id,
      label: sent.trim().slice(0, LABEL_CHARS),
      voice,
      provider: s.metrics.provider?.active ?? 'cpu',
      at: actionAt,
      ttfaAudibleMs: null,
      ttfaEngineMs: null,
      rtf: null,
      audioSeconds: 0,
      rssBytes: 0,
      peakRssBytes: 0,
      underruns: 0,
      final: false,
    };
    return {
      metrics: {
        ...s.metrics,
        current: entry,
        history: [...s.metrics.history, entry].slice(-HISTORY_LENGTH),
      },
    };
  });
  // Send first, then wake the audio: the engine's time is the long pole, and the context and
  // worklet are ready long before the first chunk can be.
  bridge.send({ type: 'speak', id, text: sent, voice, speed: settings.speed, pauseScale: settings.pauseScale, actionAt });
  await player.begin();
}

/**
 * Jumps `step` sentences from the one being heard (-1 previous, +1 next) by starting a new
 * request at that sentence's start. Previous at the first sentence starts it again; next at
 * the last does nothing. Nothing happens when idle or before the sentences are known.
 */
export function skipSentence(step: -1 | 1, actionAt = nowEpochMs()): Promise<void> {
  const { status, sentences, sentenceIndex, spokenText, textBase } = get().playback;
  if (status === 'idle' || sentences.length === 0) return Promise.resolve();
  const here =
    sentenceIndex >= 0
      ? sentenceIndex
      : Math.max(
          0,
          sentences.findIndex((s) => s.start >= textBase),
        );
  const target = Math.max(0, here + step);
  const span = sentences[target];
  if (!span) return Promise.resolve();
  return speakFrom(spokenText, span.start, actionAt, liveVoice, sentences, target);
}

/** Reads the live transcript again from text offset `offset` (a word clicked; see word-actions.ts). */
export function readFrom(offset: number, actionAt = nowEpochMs()): Promise<void> {
  const { status, sentences, spokenText } = get().playback;
  if (status === 'idle' || offset < 0 || offset >= spokenText.length) return Promise.resolve();
  return speakFrom(spokenText, offset, actionAt, liveVoice, sentences, sentenceAt(sentences, offset));
}

/** Plays a short sample of `voice` (the favourites and picker's preview button). */
export function preview(voice: string): void {
  // speak() stops what was playing (clearing `previewing`) before its first await, and refuses
  // (with its message) before it too when the engine is not ready: then nothing is previewing.
  void speak(PREVIEW_TEXT, nowEpochMs(), voice);
  if (get().playback.requestId) set((s) => ({ voices: { ...s.voices, previewing: voice } }));
}

/** Stops speaking at once: silences the player and tells the worker to stop synthesising. */
export function stop(): void {
  const { status } = get().playback;
  halt();
  if (status !== 'idle') patchPlayback({ status: 'idle', requestId: null, sentenceIndex: -1 });
}

// stop() without the status: a new utterance (speakFrom) sets 'starting' itself, so playback
// goes playing → starting without passing through idle, which Now Playing would show as a flicker.
function halt(): void {
  const { requestId } = get().playback;
  player.stop();
  if (requestId && bridge) bridge.send({ type: 'stop', id: newId('stop'), target: requestId });
  set((s) => ({ voices: { ...s.voices, previewing: null } }));
}

/** Pauses or resumes playback, keeping the position. */
export function togglePause(): void {
  const { status, requestId } = get().playback;
  if (status === 'playing' || status === 'starting') {
    player.pause();
    if (requestId) bridge?.send({ type: 'pause', id: newId('pause'), target: requestId });
    patchPlayback({ status: 'paused' });
  } else if (status === 'paused') {
    player.resume();
    if (requestId) bridge?.send({ type: 'resume', id: newId('resume'), target: requestId });
    patchPlayback({ status: 'playing' });
  }
}

function onReport(report: PlaybackReport): void {
  const { playback } = get();
  const id = playback.requestId;
  if (!id) return;
  const words = wordsAtPlayed(get().words, id, report.played, report.contextRate);
  // The sentence heard is the word heard's, by the same sample timings (so the highlight,
  // previous/next and the announcer agree with the word); only without word timings (a graph
  // without durations) is it the player's estimate, spread evenly over the chunk's text.
  const heard = words.requestId === id ? words.list[words.current] : undefined;
  const offset = heard ? heard.span.start : report.textOffset < 0 ? report.textOffset : report.textOffset + playback.textBase;
  const sentenceIndex = sentenceAt(playback.sentences, offset);
  // The played position and the word heard change in one update, so no reader (a component, a
  // listener, a test) ever sees one without the other.
  set((s) => ({
    playback: {
      ...s.playback,
      position: report.played / report.contextRate,
      level: report.level,
      peak: report.peak,
      samplesPlayed: report.played,
      samplesPushed: report.pushed,
      underruns: report.underruns,
      ...(sentenceIndex !== playback.sentenceIndex && sentenceIndex >= 0 ? { sentenceIndex } : {}),
      ...(report.played > 0 && playback.status === 'starting' ? { status: 'playing' as const } : {}),
    },
    words,
  }));
  const current = get().metrics.current;
  if (current && current.id === playback.requestId) {
    const patch: Partial<UtteranceMetrics> = {};
    if (report.firstAudibleAt !== undefined && current.ttfaAudibleMs === null) {
      patch.ttfaAudibleMs = report.firstAudibleAt - liveActionAt;
    }
    if (report.underruns !== current.underruns) patch.underruns = report.underruns;
    if (Object.keys(patch).length > 0) patchCurrent(patch);
  }
  playerFinished = report.finished;
  if (report.finished && liveDone) finishUtterance();
}

function finishUtterance(): void {
  patchPlayback({ status: 'idle', requestId: null, sentenceIndex: -1 });
  set((s) => ({ voices: { ...s.voices, previewing: null } }));
}

// --- worker events ---------------------------------------------------------------------------

function onEvent(event: WorkerEvent): void {
  const { playback, bench } = get();
  switch (event.type) {
    case 'voices':
      set((s) => ({ voices: { ...s.voices, list: event.voices }, metrics: { ...s.metrics, worker: 'up' } }));
      return;
    case 'provider':
      set((s) => ({ metrics: { ...s.metrics, provider: event.state } }));
      return;
    case 'hello':
      // A worker of another protocol version cannot be spoken to (see [Note: Versions must match]
      // in src-main/preload/worker-client.ts): say so rather than fail request by request.
      versionProblem = event.version === PROTOCOL_VERSION ? null : versionMismatch(event.version);
      if (versionProblem) {
        const message = `${versionProblem.message} ${versionProblem.action}`;
        set((s) => ({ metrics: { ...s.metrics, worker: 'down' }, ui: { ...s.ui, notice: { level: 'error', message } } }));
        return;
      }
      // A worker that says hello is up, whether or not the bridge reported a state change.
      set((s) => ({ metrics: { ...s.metrics, worker: 'up' } }));
      return;
    case 'bench-progress':
      if (event.id === bench.requestId) {
        const { completed, total, label } = event;
        set((s) => ({ bench: { ...s.bench, progress: { completed, total, label } } }));
      }
      return;
    case 'bench-result':
      if (event.id === bench.requestId) {
        set((s) => ({ bench: { ...s.bench, result: event.result } }));
        // The worker stored the result before posting it: the history now includes it.
        requestBenchHistory();
      }
      return;
    case 'bench-history':
      // Newest first and bounded by the worker's store.
      if (event.id === historyRequestId) set((s) => ({ bench: { ...s.bench, history: event.results } }));
      return;
    default:
      break;
  }
  if (event.id === bench.requestId && (event.type === 'done' || event.type === 'error')) {
    set((s) => ({
      bench: {
        ...s.bench,
        requestId: null,
        problem: event.type === 'error' ? { message: event.message, action: event.action } : null,
      },
    }));
    return;
  }
  if (event.id !== playback.requestId) return;
  switch (event.type) {
    case 'started': {
      // Spans are offsets into the text sent; shift them into the whole text (see speakFrom).
      const base = playback.textBase;
      const kept = playback.sentences.filter((s) => s.end <= base);
      patchPlayback({ sentences: [...kept, ...event.sentences.map((s) => ({ start: s.start + base, end: s.end + base }))] });
      patchCurrent({ provider: event.provider, voice: event.voice });
      // Runs in scripts the voices cannot read were left out: say so, or the silence looks like a bug.
      if (event.skipped) set((s) => ({ ui: { ...s.ui, notice: { level: 'warning', message: event.skipped?.message ?? '' } } }));
      return;
    }
    case 'chunk':
      // A long text is split as it is spoken: later sentences come with its chunks.
      if (event.sentences) {
        const base = playback.textBase;
        patchPlayback({
          sentences: [...playback.sentences, ...event.sentences.map((s) => ({ start: s.start + base, end: s.end + base }))],
        });
      }
      player.push(event.pcm, event.span, event.last);
      addChunkWords(event.id, event.words, playback.textBase);
      return;
    case 'metrics':
      patchCurrent({
        ttfaEngineMs: event.ttfaEngineMs,
        rtf: event.rtf,
        audioSeconds: event.audioSeconds,
        rssBytes: event.rssBytes,
        peakRssBytes: event.peakRssBytes,
        provider: event.provider,
        final: event.final,
      });
      return;
    case 'error':
      player.finish();
      liveDone = true;
      patchPlayback({ problem: { message: event.message, action: event.action } });
      if (playerFinished || get().playback.samplesPushed === 0) finishUtterance();
      return;
    case 'done':
      player.finish();
      liveDone = true;
      // The last chunk may have finished playing before `done` arrived.
      if (playerFinished) finishUtterance();
      return;
    default:
      return;
  }
}

function onCommand(command: AppCommand): void {
  switch (command.type) {
    case 'speak-text':
      patchPlayback({ draft: command.text });
      void speak(command.text, command.actionAt);
      return;
    case 'stop':
      stop();
      return;
    case 'toggle-pause':
      togglePause();
      return;
    case 'show-view':
      get().showView(command.view);
      return;
    case 'notice':
      set((s) => ({ ui: { ...s.ui, notice: { level: command.level, message: command.message } } }));
      return;
    case 'settings-changed':
      // Changed by the owner of the settings (tray, another window, a voice fallback).
      set((s) => ({ settings: { ...s.settings, value: command.settings } }));
      return;
  }
}

// --- settings, provider, benchmark ----------------------------------------------------------

/**
 * Writes a settings patch through the bridge; returns the problem, or null when saved. The
 * patch shows at once (a slider or checkbox must not wait for a round trip) and is rolled back
 * if main refuses it.
 */
export async function updateSettings(patch: SettingsPatch): Promise<string | null> {
  if (!bridge) return 'Not connected.';
  const seq = ++settingsWrites;
  const before = get().settings.value;
  if (before) set((s) => ({ settings: { ...s.settings, value: { ...before, ...patch } } }));
  const result = await bridge.updateSettings(patch).catch((error: unknown) => ({
    ok: false as const,
    message: `Settings not saved: ${(error as Error).message}`,
  }));
  // Only the newest write's answer is shown, so a dragged slider does not jump back and forth.
  if (seq !== settingsWrites) return result.ok ? null : result.message;
  if (!result.ok) {
    set((s) => ({ settings: { value: before ?? s.settings.value, problem: result.message } }));
    return result.message;
  }
  set({ settings: { value: result.settings, problem: null } });
  return null;
}

/** Switches provider: stores the choice and asks the worker to switch now. */
export async function chooseProvider(provider: ProviderChoice): Promise<void> {
  const problem = await updateSettings({ provider });
  if (problem === null) bridge?.send({ type: 'set-provider', id: newId('provider'), provider });
}

/** Stars or unstars a voice or blend. */
export function toggleFavourite(voice: string): Promise<string | null> {
  const favourites = get().settings.value?.favourites ?? [];
  const next = favourites.includes(voice) ? favourites.filter((v) => v !== voice) : [...favourites, voice];
  return updateSettings({ favourites: next });
}

/** Runs the benchmark with the panel's options. */
export function runBenchmark(): void {
  const { presets, providers, runs } = get().bench;
  const settings = get().settings.value;
  if (!bridge || presets.length === 0 || providers.length === 0) return;
  const blocked = speakBlocker(get());
  if (blocked) {
    set((s) => ({ bench: { ...s.bench, problem: blocked } }));
    return;
  }
  const id = newId('bench');
  const coreml = settings?.provider.coreml ?? DEFAULT_COREML_OPTIONS;
  set((s) => ({
    bench: {
      ...s.bench,
      requestId: id,
      progress: { completed: 0, total: presets.length * providers.length * runs, label: 'Starting…' },
      result: null,
      problem: null,
    },
  }));
  bridge.send({
    type: 'benchmark',
    id,
    presets: orderPresets(presets),
    runs,
    providers: providers.map((p) => (p === 'coreml' ? { provider: p, coreml } : { provider: p })),
    ...(settings ? { voice: settings.voice } : {}),
  });
}

/** Stops a running benchmark. */
export function cancelBenchmark(): void {
  const { requestId } = get().bench;
  if (requestId) bridge?.send({ type: 'stop', id: newId('stop'), target: requestId });
}

/** Shows an earlier benchmark result from the history. */
export function showBenchResult(result: BenchResult): void {
  set((s) => ({ bench: { ...s.bench, result } }));
}

function orderPresets(presets: BenchPreset[]): BenchPreset[] {
  const order: BenchPreset[] = ['short', 'medium', 'long'];
  return order.filter((p) => presets.includes(p));
}

/** Dismisses the current notice or problem message. */
export function dismissProblem(): void {
  patchPlayback({ problem: null });
  set((s) => ({ ui: { ...s.ui, notice: null } }));
}

/** A fresh snapshot of the audio worklet's counters (diagnostics and the end-to-end tests). */
export function probePlayer(): ReturnType<Player['probe']> {
  return player.probe();
}

/** Epoch milliseconds with sub-millisecond precision (the protocol's `actionAt` clock). */
export function nowEpochMs(): number {
  return performance.timeOrigin + performance.now();
}

export type { Problem };
