// Runs under node:test: the worker restart policy (backoff, cap, reset after stable uptime).

import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  DEFAULT_RESTART_OPTIONS,
  NOTIFY_AFTER_CRASHES,
  initialRestartState,
  onCrash,
} from '../../../src-main/worker/restart-policy.ts';

const OPTIONS = { baseMs: 100, maxMs: 1000, stableMs: 5000 };

test('delays double with each quick crash and stop at the cap', () => {
  let state = initialRestartState();
  const delays: number[] = [];
  for (let i = 0; i < 7; i++) {
    const decision = onCrash(state, 10, OPTIONS);
    delays.push(decision.delayMs);
    state = decision.state;
  }
  assert.deepEqual(delays, [100, 200, 400, 800, 1000, 1000, 1000]);
});

test('a worker that stayed up long enough resets the backoff', () => {
  let state = initialRestartState();
  for (let i = 0; i < 4; i++) state = onCrash(state, 10, OPTIONS).state;
  assert.equal(state.consecutiveCrashes, 4);
  const afterStable = onCrash(state, OPTIONS.stableMs, OPTIONS);
  assert.equal(afterStable.delayMs, OPTIONS.baseMs);
  assert.equal(afterStable.state.consecutiveCrashes, 1);
  const justShort = onCrash(state, OPTIONS.stableMs - 1, OPTIONS);
  assert.equal(justShort.delayMs, OPTIONS.maxMs);
});

test('the user is told once, when crashes in a row reach the threshold', () => {
  let state = initialRestartState();
  const notified: number[] = [];
  for (let i = 1; i <= NOTIFY_AFTER_CRASHES + 3; i++) {
    const decision = onCrash(state, 0, OPTIONS);
    if (decision.notify) notified.push(i);
    state = decision.state;
  }
  assert.deepEqual(notified, [NOTIFY_AFTER_CRASHES]);
});

test('production tunables are sane', () => {
  const o = DEFAULT_RESTART_OPTIONS;
  assert.ok(o.baseMs > 0 && o.baseMs < o.maxMs && o.maxMs < o.stableMs);
});
