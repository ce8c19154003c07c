// Runs in the renderer: what the window knows about the engine's readiness and a model fetch in
// progress (see [Note: Honest readiness] in src-worker/assets/readiness.ts). Its own small zustand
// store, fed straight from the bridge, so the layout's store and views need only read it: the
// badge, the first-run view and the variant choice in Settings.
//
// On every (re)connect the window asks `readiness`; files missing or damaged start a fetch at
// once (there is nothing to speak with until they are there); a failed fetch or warm-up waits for
// the user's "Fetch model". A variant chosen in Settings is fetched first, with progress, and
// only then stored, so the worker restarted on it (by main, or the dev host) finds it ready.

import { create } from 'zustand';
import type { KokoroBridge, ModelVariant, ReadinessState, SettingsPatch, WorkerEvent } from '../../src-worker/protocol/messages.ts';
import type { Progress, ProgressSample } from './progress.ts';

/** Progress events kept per fetch (the view needs the newest and the installed sizes). */
const MAX_SAMPLES = 120;

/** A fetch this window started or joined. */
export interface FetchState {
  id: string;
  variant: ModelVariant | undefined;
  /** Every event's phase and sizes, oldest first (installed ones are summed). */
  events: Progress[];
  /** The step in hand's bytes over time, for its speed. */
  samples: ProgressSample[];
  /** Label of the step the samples belong to. */
  stepKey: string;
  /** Why it failed, when it did. */
  error: { message: string; action: string } | null;
  /** Store this variant in the settings once the fetch has succeeded. */
  thenSwitch: boolean;
  /** Nothing was there when it started: a first download, never a repair. */
  firstRun: boolean;
}

export interface ReadinessStore {
  /** The worker's latest answer; null before the first one (and while it is down). */
  engine: ReadinessState | null;
  fetch: FetchState | null;
}

/** The readiness store; components select single values from it. */
export const useReadiness = create<ReadinessStore>(() => ({ engine: null, fetch: null }));

let bridge: KokoroBridge | undefined;
let writeSettings: ((patch: SettingsPatch) => Promise<string | null>) | undefined;
let serial = 0;
/**
 * A fetch failed with this worker: its later `needs-fetch` answers wait for the user's "Fetch
 * model" instead of starting the same failing fetch again (a new worker starts afresh).
 */
let fetchFailed = false;
const newId = (kind: string): string => `${kind}-${Date.now().toString(36)}-${++serial}`;
const set = useReadiness.setState;
const get = useReadiness.getState;

/**
 * Connects readiness to the bridge; call once at start-up, beside the main store's start.
 * `updateSettings` is the main store's settings write (used to switch variant after a fetch).
 */
export function startReadiness(b: KokoroBridge, updateSettings: (patch: SettingsPatch) => Promise<string | null>): void {
  bridge = b;
  writeSettings = updateSettings;
  b.onEvent(onEvent);
  fetchFailed = false;
  b.onWorkerState((state) => {
    fetchFailed = false;
    if (state === 'up') askReadiness();
    // A fetch, or its failure, belonged to the worker that went away.
    else set({ engine: null, fetch: null });
  });
  askReadiness();
}

/** Asks the worker how ready it is. */
export function askReadiness(): void {
  bridge?.send({ type: 'readiness', id: newId('readiness') });
}

/** Starts (or joins) a fetch of the engine's model files, or of `variant`. */
export function fetchModel(variant?: ModelVariant, thenSwitch = false): void {
  if (!bridge) return;
  const running = get().fetch;
  if (running && running.error === null && running.variant === variant) return;
  const id = newId('fetch');
  const firstRun =
    variant === undefined
      ? (get().engine?.firstRun ?? false)
      : !(get().engine?.variants.find((v) => v.variant === variant)?.installed ?? false);
  set({ fetch: { id, variant, events: [], samples: [], stepKey: '', error: null, thenSwitch, firstRun } });
  bridge.send({ type: 'fetch-model', id, ...(variant === undefined ? {} : { variant }) });
}

/**
 * Chooses a model variant: one already installed is stored at once (the worker restarts on it);
 * one that must be downloaded is fetched with progress first, then stored.
 */
export function chooseVariant(variant: ModelVariant): void {
  const option = get().engine?.variants.find((v) => v.variant === variant);
  if (option?.installed) void writeSettings?.({ modelVariant: variant });
  else if (option?.available) fetchModel(variant, true);
}

/** Forgets a failed fetch's message (the badge keeps saying what is wrong). */
export function dismissFetchError(): void {
  const running = get().fetch;
  if (running?.error) set({ fetch: null });
}

function onEvent(event: WorkerEvent): void {
  const running = get().fetch;
  switch (event.type) {
    case 'readiness': {
      // Ready outright (another window fetched, a new worker): an old failure no longer applies.
      if (event.state.status === 'ready' && running?.error) set({ engine: event.state, fetch: null });
      else set({ engine: event.state });
      // Warmed up: the session is loaded, so the provider state now says which graph it runs
      // (after a fetch, its 'done' asks instead).
      if (event.state.status === 'ready' && !running) bridge?.send({ type: 'status', id: newId('status') });
      // Nothing can be spoken until the files are there: fetch now (unless that already failed),
      // or join another window's fetch.
      if (!running && ((event.state.status === 'needs-fetch' && !fetchFailed) || event.state.status === 'fetching')) fetchModel();
      return;
    }
    case 'fetch-progress': {
      if (!running || running.id !== event.id) return;
      const { type: _type, id: _id, ...progress } = event;
      const key = `${progress.phase}:${progress.label}`;
      const sample = { at: performance.now(), bytes: progress.bytes };
      const samples = key === running.stepKey ? [...running.samples, sample].slice(-MAX_SAMPLES) : [sample];
      set({ fetch: { ...running, events: [...running.events, progress], samples, stepKey: key } });
      return;
    }
    case 'error':
      if (running?.id !== event.id) return;
      fetchFailed = true;
      set({ fetch: { ...running, error: { message: event.message, action: event.action } } });
      // The last state heard may be 'fetching' (told while the fetch ran): ask again, so that once
      // the error is dismissed the badge says what is missing and offers "Fetch model".
      askReadiness();
      return;
    case 'done':
      if (running?.id !== event.id) return;
      set({ fetch: null });
      if (running.thenSwitch && running.variant !== undefined) void writeSettings?.({ modelVariant: running.variant });
      else {
        // The files are there now: the voice list and provider state can be had.
        bridge?.send({ type: 'list-voices', id: newId('voices') });
        bridge?.send({ type: 'status', id: newId('status') });
      }
      return;
    default:
      return;
  }
}
