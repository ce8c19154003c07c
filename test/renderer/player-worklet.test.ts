// Runs in Node (tests): the AudioWorklet processor driven render quantum by render quantum with
// stand-ins for the AudioWorkletGlobalScope: gapless joins, pause keeps position, stop flushes,
// underruns counted once per dry spell, and the first sample's frame recorded for TTFA.

import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import type { ToWorklet, WorkletStatus } from '../../src-renderer/audio/worklet-messages.ts';

const QUANTUM = 128;

interface Processor {
  port: { onmessage: ((e: { data: ToWorklet }) => void) | null; postMessage(m: unknown): void };
  process(inputs: Float32Array[][], outputs: Float32Array[][]): boolean;
}

const scope = globalThis as unknown as Record<string, unknown>;
let Ctor: new (options: unknown) => Processor;

before(async () => {
  scope.currentFrame = 0;
  scope.sampleRate = 24_000;
  scope.AudioWorkletProcessor = class {
    port = { onmessage: null, postMessage: (m: unknown) => (this as unknown as { sent: unknown[] }).sent.push(m) };
    sent: unknown[] = [];
  };
  scope.registerProcessor = (_name: string, ctor: typeof Ctor) => {
    Ctor = ctor;
  };
  await import('../../src-renderer/audio/player-worklet.ts');
});

/** A processor with a small ring, plus helpers to send messages, render and read its status. */
function make(capacity = 1_000) {
  const p = new Ctor({ processorOptions: { capacity } });
  const played: number[] = [];
  let seq = 0;
  const send = (m: ToWorklet) => p.port.onmessage?.({ data: m });
  const render = (quanta: number, channels = 2) => {
    for (let q = 0; q < quanta; q += 1) {
      const outs = Array.from({ length: channels }, () => new Float32Array(QUANTUM).fill(Number.NaN));
      assert.equal(p.process([], [outs]), true);
      const [left, right] = outs as [Float32Array, Float32Array];
      assert.deepEqual([...right], [...left], 'every channel carries the same samples');
      played.push(...left);
      scope.currentFrame = (scope.currentFrame as number) + QUANTUM;
    }
  };
  const status = (): WorkletStatus => {
    seq += 1;
    send({ type: 'status', seq });
    const sent = (p as unknown as { sent: WorkletStatus[] }).sent;
    return sent[sent.length - 1] as WorkletStatus;
  };
  return { send, render, status, played };
}

const ramp = (from: number, n: number) => Float32Array.from({ length: n }, (_, i) => (from + i) / 10_000);

test('chunks play back to back with no gap or repeat at the joins, across ring wrap-around', () => {
  const w = make(1_000);
  w.send({ type: 'begin', utterance: 1 });
  const sizes = [300, 77, 512, 129, 600];
  let at = 0;
  const startFrame = scope.currentFrame as number;
  for (const n of sizes) {
    // Keep the ring fed as the page would: push when there is room.
    while (w.status().buffered + n > 1_000) w.render(1);
    w.send({ type: 'push', utterance: 1, pcm: ramp(at + 1, n) });
    at += n;
  }
  w.send({ type: 'end', utterance: 1 });
  w.render(Math.ceil(at / QUANTUM) + 2);
  // No zero can hide in the middle: the ramp has none, and the ring was never allowed to run dry.
  assert.deepEqual(w.played.slice(0, at), [...ramp(1, at)], 'every sample once, in order, no gap');
  assert.ok(
    w.played.slice(at).every((v) => v === 0),
    'silence after the end',
  );
  const s = w.status();
  assert.equal(s.played, at);
  assert.equal(s.pushed, at);
  assert.equal(s.dropped, 0);
  assert.equal(s.underruns, 0, 'the ring never ran dry while chunks were due');
  assert.equal(s.finished, true);
  assert.equal(s.startFrame, startFrame, 'the first sample was rendered in the first quantum');
  assert.ok(
    w.played.every((v) => !Number.isNaN(v)),
    'every output sample was written',
  );
});

test('an underrun is counted once per dry spell, only after the first sample and before the end', () => {
  const w = make();
  w.send({ type: 'begin', utterance: 2 });
  w.render(3); // waiting for the first chunk: not an underrun
  assert.equal(w.status().underruns, 0);
  assert.equal(w.status().startFrame, -1);
  w.send({ type: 'push', utterance: 2, pcm: ramp(1, 200) });
  w.render(5); // plays 200, then dry for several quanta: one underrun
  assert.equal(w.status().underruns, 1);
  w.send({ type: 'push', utterance: 2, pcm: ramp(1, 300) });
  w.render(1);
  w.render(4); // dry again: a second underrun
  assert.equal(w.status().underruns, 2);
  w.send({ type: 'push', utterance: 2, pcm: ramp(1, 50) });
  w.send({ type: 'end', utterance: 2 });
  w.render(4); // running out after the last chunk is the end, not an underrun
  const s = w.status();
  assert.equal(s.underruns, 2);
  assert.equal(s.finished, true);
});

test('pause holds the position and outputs silence; resume continues from the same sample', () => {
  const w = make();
  w.send({ type: 'begin', utterance: 3 });
  w.send({ type: 'push', utterance: 3, pcm: ramp(1, 600) });
  w.render(2);
  w.send({ type: 'pause' });
  const before = w.status().played;
  const mark = w.played.length;
  w.render(4);
  assert.equal(w.status().played, before, 'nothing played while paused');
  assert.ok(
    w.played.slice(mark).every((v) => v === 0),
    'silence while paused',
  );
  assert.equal(w.status().underruns, 0, 'a pause is not an underrun');
  w.send({ type: 'resume' });
  w.render(1);
  assert.equal(w.played[w.played.length - QUANTUM], Math.fround((before + 1) / 10_000), 'resumed at the next sample');
});

test('stop flushes at once; pushes for an old utterance are ignored', () => {
  const w = make();
  w.send({ type: 'begin', utterance: 4 });
  w.send({ type: 'push', utterance: 4, pcm: ramp(1, 900) });
  w.render(1);
  w.send({ type: 'stop' });
  assert.equal(w.status().buffered, 0);
  const mark = w.played.length;
  w.render(3);
  assert.ok(
    w.played.slice(mark).every((v) => v === 0),
    'silent after stop',
  );
  w.send({ type: 'begin', utterance: 5 });
  w.send({ type: 'push', utterance: 4, pcm: ramp(1, 100) });
  assert.equal(w.status().pushed, 0, 'a late chunk of the stopped utterance is dropped');
  w.send({ type: 'push', utterance: 5, pcm: ramp(1, 2_000) });
  const s = w.status();
  assert.equal(s.pushed, 1_000, 'the ring takes what fits');
  assert.equal(s.dropped, 1_000, 'and counts what it refused');
});

test('the audible frame is the frame of the first sample at or above AUDIBLE_LEVEL, not of the first sample', async () => {
  const { AUDIBLE_LEVEL } = await import('../../src-worker/protocol/audible.ts');
  // [leading quiet samples, quiet value] → the audible frame lies that many samples after the start.
  const table: [number, number][] = [
    [0, 0],
    [300, 0],
    [300, AUDIBLE_LEVEL / 2],
    [129, -AUDIBLE_LEVEL * 0.99],
    [1, 0],
  ];
  for (const [quiet, value] of table) {
    const w = make(2_000);
    w.send({ type: 'begin', utterance: 7 });
    const pcm = new Float32Array(quiet + 100).fill(value);
    pcm.fill(0.2, quiet);
    pcm[quiet] = -AUDIBLE_LEVEL * 1.001; // either sign counts
    w.send({ type: 'push', utterance: 7, pcm });
    const start = scope.currentFrame as number;
    assert.equal(w.status().audibleFrame, -1);
    w.render(Math.ceil(pcm.length / QUANTUM) + 1);
    const s = w.status();
    assert.equal(s.startFrame, start, `${quiet}`);
    assert.equal(s.audibleFrame, start + quiet, `${quiet} quiet samples of ${value}`);
    // A new utterance forgets it.
    w.send({ type: 'begin', utterance: 8 });
    assert.equal(w.status().audibleFrame, -1);
  }
});
