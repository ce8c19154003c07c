// Runs in the preload script (and tests, under plain Node): derives "is this window speaking"
// from the requests and events that pass through the preload, for the tray icon.
//
// [Note: Playback state from the preload]
// The player lives in the renderer, but the bridge has no "report playback" call, and adding
// one would make every renderer (the dev host too) responsible for the tray. The preload sees
// enough to tell: a speak request's `started` event means speaking; its audio lasts the sum of
// its chunks' durations from the first chunk on, so after its terminal event the window stays
// "speaking" until that audio has played; a stop request or stop command ends it at once; a
// toggle-pause command flips speaking/paused and holds the clock. It is an estimate for an icon,
// not a measurement.

import type { AppCommand, WorkerEvent, WorkerRequest } from '../../src-worker/protocol/messages.ts';

/** What the tray shows for a window. */
export type TrackedPlayback = 'idle' | 'speaking' | 'paused';

/** Clock and timer, injected. */
export interface TrackerClock {
  now(): number;
  setTimer(callback: () => void, ms: number): () => void;
}

/** Derives playback state (see [Note: Playback state from the preload]). */
export function createPlaybackTracker(clock: TrackerClock, onChange: (state: TrackedPlayback) => void) {
  let state: TrackedPlayback = 'idle';
  let current: string | null = null;
  let firstChunkAt: number | null = null;
  let audioMs = 0;
  let ended = false;
  let pausedAt: number | null = null;
  let cancel: (() => void) | null = null;

  const set = (next: TrackedPlayback): void => {
    if (next !== state) {
      state = next;
      onChange(next);
    }
  };
  const reset = (): void => {
    cancel?.();
    cancel = null;
    current = null;
    firstChunkAt = null;
    audioMs = 0;
    ended = false;
    pausedAt = null;
    set('idle');
  };
  const scheduleEnd = (): void => {
    cancel?.();
    cancel = null;
    if (!ended || state === 'paused') return;
    const endsAt = (firstChunkAt ?? clock.now()) + audioMs;
    const wait = Math.max(0, endsAt - clock.now());
    const id = current;
    cancel = clock.setTimer(() => {
      if (current === id) reset();
    }, wait);
  };

  return {
    get state() {
      return state;
    },
    request(request: WorkerRequest): void {
      if (request.type === 'speak') {
        reset();
        current = request.id;
      } else if (request.type === 'stop' && (request.target === undefined || request.target === current)) {
        reset();
      }
    },
    event(event: WorkerEvent): void {
      if (current === null || event.id !== current) return;
      if (event.type === 'started') set('speaking');
      else if (event.type === 'chunk') {
        firstChunkAt ??= clock.now();
        audioMs += (event.pcm.length / event.sampleRate) * 1000;
      } else if (event.type === 'error' || (event.type === 'done' && event.stopped)) reset();
      else if (event.type === 'done') {
        ended = true;
        scheduleEnd();
      }
    },
    command(command: AppCommand): void {
      if (command.type === 'stop') reset();
      else if (command.type === 'toggle-pause' && current !== null) {
        if (state === 'speaking') {
          pausedAt = clock.now();
          cancel?.();
          cancel = null;
          set('paused');
        } else if (state === 'paused') {
          // The paused time does not count against the audio still to play.
          if (firstChunkAt !== null && pausedAt !== null) firstChunkAt += clock.now() - pausedAt;
          pausedAt = null;
          set('speaking');
          scheduleEnd();
        }
      }
    },
  };
}
