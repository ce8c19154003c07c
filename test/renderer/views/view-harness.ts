// Runs in Node (tests): what a view test needs around a rendered view: a DOM (dom.ts, imported
// first), the fake audio device with the real worklet, a fresh fake bridge, both stores reset,
// and the store connected (`start`) as main.tsx does, with the worker up.

import '../dom.ts';
import { mock } from 'node:test';
import { act, cleanup } from '@testing-library/react';
import { PROTOCOL_VERSION, type ProviderState, type Settings, type VoiceInfo } from '../../../src-worker/protocol/messages.ts';
import { probePlayer, start, stop, updateSettings } from '../../../src-renderer/store/actions.ts';
import { startReadiness } from '../../../src-renderer/first-run/readiness-store.ts';
import { installFakeAudio } from '../audio/fake-audio.ts';
import { fakeBridge, type FakeBridge } from '../bridge/fake-bridge.ts';
import { resetStores } from '../store/reset-stores.ts';

export const audio = await installFakeAudio();

/** A few voices as the worker lists them. */
export const VOICES: VoiceInfo[] = [
  { id: 'af_heart', name: 'Heart', language: 'American English', lang: 'en-us', gender: 'female' },
  { id: 'af_bella', name: 'Bella', language: 'American English', lang: 'en-us', gender: 'female' },
  { id: 'am_adam', name: 'Adam', language: 'American English', lang: 'en-us', gender: 'male' },
  { id: 'bf_emma', name: 'Emma', language: 'British English', lang: 'en-gb', gender: 'female' },
  { id: 'bm_george', name: 'George', language: 'British English', lang: 'en-gb', gender: 'male' },
];

/** The worker's provider state on a machine without CoreML. */
export const CPU_ONLY: ProviderState = {
  requested: { provider: 'auto' },
  active: 'cpu',
  options: [
    { provider: 'cpu', available: true },
    { provider: 'coreml', available: false, reason: 'CoreML needs macOS' },
    { provider: 'auto', available: true },
  ],
  model: 'kokoro-v1.0.int8.onnx',
  threads: 2,
};

export interface ConnectOptions {
  settings?: Settings;
  clipboard?: string;
  /** The worker says hello (default) or stays 'connecting'. */
  up?: boolean;
  /** The worker lists VOICES (default) or nothing yet. */
  voices?: boolean;
  /** Also connect the readiness store (the Settings view's model variants). */
  readiness?: boolean;
}

/**
 * Resets everything a previous test left (the live utterance, both stores, the audio log), then
 * connects the store to a fresh fake bridge. The player's status poll runs on mock timers, so
 * playback moves only when the test renders audio and asks (`played`).
 */
export async function connect(options: ConnectOptions = {}): Promise<FakeBridge> {
  stop();
  resetStores();
  audio.clearLog();
  mock.timers.enable({ apis: ['setInterval'] });
  const fake = fakeBridge({ ...(options.settings ? { settings: options.settings } : {}), clipboard: options.clipboard ?? '' });
  if (options.readiness) startReadiness(fake.bridge, updateSettings);
  await start(fake.bridge, 'player-worklet.js');
  if (options.up !== false) fake.emit({ type: 'hello', id: '', version: PROTOCOL_VERSION, pid: 1 });
  if (options.voices !== false) fake.emit({ type: 'voices', id: 'v', voices: VOICES });
  return fake;
}

/** Unmounts what the test rendered and puts the timers back. */
export function disconnect(): void {
  cleanup();
  mock.timers.reset();
}

/** Plays `quanta` render quanta of audio and lets the player report what was played. */
export async function played(quanta: number): Promise<void> {
  await act(async () => {
    if (quanta > 0) audio.render(quanta);
    await probePlayer();
  });
}

/** Plays a worker event inside act(), as React wants for updates from outside. */
export function emit(fake: FakeBridge, event: Parameters<FakeBridge['emit']>[0]): void {
  act(() => fake.emit(event));
}
