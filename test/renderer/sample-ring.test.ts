// Runs in Node (tests): the worklet's ring buffer under seeded-random writes and reads, with guard
// values around every copied region, and the streaming resampler's chunk-independence.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { StreamResampler } from '../../src-renderer/audio/resampler.ts';
import { SampleRing } from '../../src-renderer/audio/sample-ring.ts';
import { seededRandom } from '../seeded-random.ts';

const GUARD = -12345;
const GUARD_WIDTH = 7;

for (const seed of [1, 2, 3, 42, 1234]) {
  test(`ring keeps order and count across wrap-around (seed ${seed})`, () => {
    const random = seededRandom(seed);
    const capacity = 1 + Math.floor(random() * 300);
    const ring = new SampleRing(capacity);
    let nextIn = 0;
    let nextOut = 0;
    for (let step = 0; step < 2_000; step += 1) {
      if (random() < 0.5) {
        const n = Math.floor(random() * capacity * 1.5);
        const offset = Math.floor(random() * 5);
        const source = new Float32Array(offset + n + 3).fill(GUARD);
        for (let i = 0; i < n; i += 1) source[offset + i] = nextIn + i;
        const room = ring.availableWrite();
        const wrote = ring.write(source, offset, n);
        assert.equal(wrote, Math.min(n, room), 'write accepts exactly what fits');
        nextIn += wrote;
      } else {
        const n = Math.floor(random() * capacity * 1.5);
        const target = new Float32Array(GUARD_WIDTH + n + GUARD_WIDTH).fill(GUARD);
        const ready = ring.availableRead();
        const got = ring.read(target, GUARD_WIDTH, n);
        assert.equal(got, Math.min(n, ready), 'read returns exactly what was there');
        for (let i = 0; i < GUARD_WIDTH; i += 1) assert.equal(target[i], GUARD, 'guard before region');
        for (let i = 0; i < got; i += 1) assert.equal(target[GUARD_WIDTH + i], nextOut + i, `sample ${nextOut + i}`);
        for (let i = GUARD_WIDTH + got; i < target.length; i += 1) assert.equal(target[i], GUARD, 'guard after region');
        nextOut += got;
      }
      assert.equal(ring.availableRead(), nextIn - nextOut);
      assert.ok(ring.availableRead() <= capacity);
    }
  });
}

test('ring: clear drops everything buffered; bad input is refused or clamped', () => {
  const ring = new SampleRing(8);
  ring.write(Float32Array.from([1, 2, 3]));
  ring.clear();
  assert.equal(ring.availableRead(), 0);
  assert.equal(ring.read(new Float32Array(4)), 0);
  ring.write(Float32Array.from([9]));
  const out = new Float32Array(2);
  assert.equal(ring.read(out), 1);
  assert.equal(out[0], 9);
  assert.equal(ring.write(new Float32Array(3), 5, 10), 0, 'offset past the end writes nothing');
  assert.throws(() => new SampleRing(0), /positive integer/);
});

test('resampler: output does not depend on how the stream is cut into chunks', () => {
  const random = seededRandom(7);
  const input = Float32Array.from({ length: 5_000 }, (_, i) => Math.sin(i / 13) + (random() - 0.5) * 0.1);
  for (const to of [44_100, 48_000, 16_000]) {
    const whole = new StreamResampler(24_000, to).process(input);
    const pieces = new StreamResampler(24_000, to);
    const parts: number[] = [];
    let at = 0;
    while (at < input.length) {
      const n = 1 + Math.floor(random() * 700);
      parts.push(...pieces.process(input.subarray(at, at + n)));
      at += n;
    }
    assert.equal(parts.length, whole.length, `length at ${to} Hz`);
    for (let i = 0; i < whole.length; i += 1) {
      assert.ok(Math.abs((parts[i] as number) - (whole[i] as number)) < 1e-6, `sample ${i} at ${to} Hz`);
    }
    const expected = Math.floor(((input.length - 1) * to) / 24_000);
    assert.ok(Math.abs(whole.length - expected) <= 1, `about ${expected} samples at ${to} Hz, got ${whole.length}`);
  }
});

test('resampler: the same rate passes samples through', () => {
  const r = new StreamResampler(24_000, 24_000);
  assert.deepEqual([...r.process(Float32Array.from([1, 2, 3]))], [1, 2, 3]);
  assert.throws(() => new StreamResampler(0, 48_000), /positive/);
});
