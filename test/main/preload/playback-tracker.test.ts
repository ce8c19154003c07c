// Runs under node:test: the preload's playback-state estimate for the tray icon.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createPlaybackTracker } from '../../../src-main/preload/playback-tracker.ts';
import type { WorkerEvent } from '../../../src-worker/protocol/messages.ts';

function harness() {
  let now = 0;
  const timers: Array<{ at: number; fn: () => void; live: boolean }> = [];
  const states: string[] = [];
  const tracker = createPlaybackTracker(
    {
      now: () => now,
      setTimer: (fn, ms) => {
        const t = { at: now + ms, fn, live: true };
        timers.push(t);
        return () => {
          t.live = false;
        };
      },
    },
    (s) => states.push(s),
  );
  const advance = (ms: number): void => {
    now += ms;
    for (const t of timers)
      if (t.live && t.at <= now) {
        t.live = false;
        t.fn();
      }
  };
  return { tracker, states, advance };
}

const chunk = (id: string, seconds: number, index = 0): WorkerEvent => ({
  type: 'chunk',
  id,
  index,
  pcm: new Float32Array(seconds * 24_000),
  sampleRate: 24_000,
  span: { start: 0, end: 1 },
  timings: { prepareMs: 0, inferMs: 0, tokens: 1 },
  words: [],
  last: false,
});

const speak = { type: 'speak', id: 's1', text: 'Hi.', voice: 'af_heart', speed: 1 } as const;

test('speaking from started until the audio after done has played', () => {
  const { tracker, states, advance } = harness();
  tracker.request(speak);
  tracker.event({ type: 'started', id: 's1', sentences: [], voice: 'af_heart', provider: 'cpu' });
  tracker.event(chunk('s1', 2));
  tracker.event(chunk('s1', 1, 1));
  advance(500);
  tracker.event({ type: 'done', id: 's1', stopped: false });
  advance(2_000);
  assert.equal(tracker.state, 'speaking');
  advance(500);
  assert.equal(tracker.state, 'idle');
  assert.deepEqual(states, ['speaking', 'idle']);
});

test('stop, errors and other requests’ events', () => {
  const { tracker, states } = harness();
  tracker.request(speak);
  tracker.event({ type: 'started', id: 's1', sentences: [], voice: 'af_heart', provider: 'cpu' });
  tracker.event({ type: 'done', id: 'other', stopped: false });
  assert.equal(tracker.state, 'speaking');
  tracker.request({ type: 'stop', id: 'x' });
  assert.equal(tracker.state, 'idle');
  tracker.request({ ...speak, id: 's2' });
  tracker.event({ type: 'started', id: 's2', sentences: [], voice: 'af_heart', provider: 'cpu' });
  tracker.event({ type: 'error', id: 's2', code: 'worker-crashed', message: 'm', action: 'a' });
  assert.deepEqual(states, ['speaking', 'idle', 'speaking', 'idle']);
});

test('pause holds the clock', () => {
  const { tracker, advance } = harness();
  tracker.request(speak);
  tracker.event({ type: 'started', id: 's1', sentences: [], voice: 'af_heart', provider: 'cpu' });
  tracker.event(chunk('s1', 1));
  tracker.event({ type: 'done', id: 's1', stopped: false });
  tracker.command({ type: 'toggle-pause' });
  assert.equal(tracker.state, 'paused');
  advance(5_000);
  assert.equal(tracker.state, 'paused');
  tracker.command({ type: 'toggle-pause' });
  advance(900);
  assert.equal(tracker.state, 'speaking');
  advance(100);
  assert.equal(tracker.state, 'idle');
});
