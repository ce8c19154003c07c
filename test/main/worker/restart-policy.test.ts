// Runs under node:test: the worker restart policy (backoff, cap, reset after stable uptime).

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { NOTIFY_AFTER_CRASHES, STABLE_UPTIME_MS, initialRestartState, onCrash } from '../../../src-main/worker/restart-policy.ts';

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

test('with the production options a crash loop is back within a second at first, then slows to a cap; a worker up for the stable time starts over', () => {
  // A worker that dies 2 s after every start, as a bad model file makes it do.
  let state = initialRestartState();
  const delays: number[] = [];
  for (let i = 0; i < 20; i++) {
    const decision = onCrash(state, 2_000);
    delays.push(decision.delayMs);
    state = decision.state;
  }
  assert.ok((delays[0] ?? Infinity) < 1_000, `first restart after ${delays[0]} ms`);
  delays.slice(1).forEach((d, i) => assert.ok(d >= (delays[i] ?? 0) && d <= 2 * (delays[i] ?? 0), `delays ${delays.join(', ')}`));
  const cap = delays.at(-1) ?? 0;
  assert.equal(delays.filter((d) => d === cap).length > 5, true, 'the cap is reached and held, not grown past');
  assert.ok(cap >= 10_000, `a crash loop settles at one restart per ${cap} ms, not a spin`);
  // Up for the stable time before the next crash: back at once again.
  assert.equal(onCrash(state, STABLE_UPTIME_MS).delayMs, delays[0]);
});
