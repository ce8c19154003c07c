// Runs in Node (tests): the renderer's Player (src-renderer/audio/player.ts) against a fake
// AudioContext and AudioWorkletNode whose port talks to the real worklet processor (see
// fake-audio.ts): flow control within the ring, transferred buffers, one end after the last
// chunk, stop, the reports (played, queued, text offset, TTFA clocks, finished), resampling
// when the context is not at 24 kHz, and pause/resume. The status poll runs on mock timers.

import assert from 'node:assert/strict';
import { afterEach, beforeEach, mock, test } from 'node:test';
import { SAMPLE_RATE } from '../../../src-worker/protocol/messages.ts';
import { Player, type PlaybackReport } from '../../../src-renderer/audio/player.ts';
import { StreamResampler } from '../../../src-renderer/audio/resampler.ts';
import type { ToWorklet } from '../../../src-renderer/audio/worklet-messages.ts';
import { installFakeAudio, QUANTUM, settle, type FakeAudioOptions } from './fake-audio.ts';

const audio = await installFakeAudio();
/** The player's status poll interval (player.ts POLL_MS). */
const POLL_MS = 25;
/** The ring holds this many seconds at the context rate (player.ts RING_SECONDS). */
const RING_SECONDS = 20;
const WORKLET_URL = 'player-worklet.js';

beforeEach(() => {
  mock.timers.enable({ apis: ['setInterval'] });
});

afterEach(() => {
  mock.timers.reset();
  mock.restoreAll();
});

/** A set-up player at the given device options, and the reports it gave. */
async function makePlayer(options: Partial<FakeAudioOptions> = {}) {
  audio.reset(options);
  const reports: PlaybackReport[] = [];
  const player = new Player(
    (r) => reports.push(r),
    () => WORKLET_URL,
  );
  await player.init();
  const capacity = audio.node?.options.processorOptions?.capacity ?? 0;
  /** One poll: the interval fires, the worklet answers, the player reports. */
  const poll = async () => {
    mock.timers.tick(POLL_MS);
    await settle();
  };
  const last = () => reports.at(-1) as PlaybackReport;
  return { player, reports, capacity, poll, last };
}

/** Non-zero samples that differ from their neighbours, so a lost, repeated or reordered sample shows. */
const ramp = (from: number, n: number) => Float32Array.from({ length: n }, (_, i) => ((from + i) % 9_973) / 10_000 + 0.0001);
const span = (start: number, end: number) => ({ start, end });
const pushedSamples = () => audio.sent('push').reduce((sum, m) => sum + m.pcm.length, 0);

test('set-up: a 24 kHz context when the platform allows it, the worklet module loaded once, the node connected', async () => {
  // [rates the platform accepts, its device rate] → the context's rate
  const table: [number[], number, number][] = [
    [[24_000, 48_000], 48_000, 24_000],
    [[44_100, 48_000], 48_000, 48_000],
    [[44_100], 44_100, 44_100],
  ];
  for (const [supportedRates, deviceRate, expected] of table) {
    const { player, capacity } = await makePlayer({ supportedRates, deviceRate });
    await player.init();
    assert.equal(player.contextRate, expected, `${supportedRates} / ${deviceRate}`);
    assert.deepEqual(audio.modules, [WORKLET_URL], 'addModule once, however often init is called');
    assert.deepEqual(audio.node?.connections, [audio.context?.destination]);
    assert.equal(capacity, expected * RING_SECONDS, 'the ring is sized in seconds at the context rate');
  }
  assert.equal(
    new Player(
      () => undefined,
      () => WORKLET_URL,
    ).contextRate,
    0,
    'no rate before init',
  );
});

test('pushes never exceed the ring: the rest waits in the page and flows as the worklet plays', async () => {
  const { player, capacity, poll } = await makePlayer({ supportedRates: [24_000] });
  await player.begin();
  // 50 s of audio in three chunks against a 20 s ring.
  const chunks = [ramp(0, 10 * SAMPLE_RATE), ramp(1, 25 * SAMPLE_RATE), ramp(2, 15 * SAMPLE_RATE)];
  const total = chunks.reduce((sum, c) => sum + c.length, 0);
  // Read before pushing: a chunk that is sent whole is transferred (detached here).
  const expected = chunks.flatMap((c) => [...c]);
  chunks.forEach((pcm, i) => player.push(pcm, span(i * 10, i * 10 + 9), i === chunks.length - 1));
  assert.equal(pushedSamples(), capacity, 'the first pushes fill the ring exactly');
  let steps = 0;
  while (audio.status().played < total) {
    audio.render(250); // 1.33 s
    await poll();
    const s = audio.status();
    assert.equal(s.dropped, 0, 'the worklet never refused a sample');
    assert.ok(pushedSamples() - s.played <= capacity, `in flight ${pushedSamples() - s.played} ≤ ${capacity}`);
    steps += 1;
    assert.ok(steps < 100, 'playback advances');
  }
  assert.equal(pushedSamples(), total, 'every sample reached the worklet');
  assert.equal(audio.status().pushed, total);
  // Gapless across the splits the flow control made: the output is the chunks, in order.
  const played = audio.output.slice(0, total);
  assert.equal(played.length, expected.length);
  assert.ok(
    played.every((v, i) => v === expected[i]),
    'each sample once, in order',
  );
  assert.equal(audio.status().underruns, 0);
});

test('the player transfers buffers it owns and copies a view out of a larger buffer first', async () => {
  const { player } = await makePlayer({ supportedRates: [24_000] });
  await player.begin();
  const whole = ramp(0, 1_000);
  const backing = ramp(5_000, 3_000);
  const view = backing.subarray(1_000, 2_000);
  const viewValues = [...view];
  player.push(whole, span(0, 5), false);
  player.push(view, span(6, 10), true);
  const pushes = audio.posted.filter((p) => p.message.type === 'push');
  assert.equal(pushes.length, 2);
  for (const p of pushes) {
    assert.equal(p.transfer.length, 1, 'every push transfers one buffer');
    const pcm = (p.original as Extract<ToWorklet, { type: 'push' }>).pcm;
    assert.equal(p.transfer[0], pcm.buffer, 'the buffer transferred is the message’s own');
  }
  assert.equal(whole.buffer.byteLength, 0, 'a chunk that owns its buffer is moved, not copied');
  assert.equal(backing.buffer.byteLength, 3_000 * 4, 'the larger buffer behind a view stays whole');
  assert.deepEqual([...view], viewValues, 'and its samples untouched');
  assert.equal(audio.status().pushed, 2_000);
});

test('end is sent once, after the last queued sample, also when the last chunk waits for room', async () => {
  const { player, capacity, poll } = await makePlayer({ supportedRates: [24_000] });
  await player.begin();
  player.push(ramp(0, capacity - 100), span(0, 10), false);
  player.push(ramp(1, 1_000), span(11, 20), true);
  assert.equal(audio.sent('end').length, 0, 'not while 900 samples of the last chunk wait in the page');
  assert.equal(pushedSamples(), capacity);
  audio.render(Math.ceil(1_000 / QUANTUM));
  await poll();
  assert.equal(pushedSamples(), capacity + 900, 'the rest flowed once there was room');
  const messages = audio.posted.map((p) => p.message.type).filter((t) => t !== 'status');
  assert.equal(messages.at(-1), 'end', 'end follows the last push');
  for (let i = 0; i < 5; i += 1) await poll();
  player.finish();
  assert.equal(audio.sent('end').length, 1, 'polls and a later finish() do not send it again');
});

test('finish() ends an utterance without another chunk; before set-up it marks the held tail as last', async () => {
  const { player, poll, last } = await makePlayer({ supportedRates: [24_000] });
  await player.begin();
  player.push(ramp(0, 500), span(0, 4), false);
  assert.equal(audio.sent('end').length, 0);
  player.finish();
  assert.deepEqual(audio.sent('end'), [{ type: 'end', utterance: 1 }]);
  audio.render(5);
  await poll();
  assert.equal(last().finished, true);

  // Chunks and the finish arrive before the context exists (begin() is still setting up).
  audio.reset({ supportedRates: [24_000] });
  const early = new Player(
    () => undefined,
    () => WORKLET_URL,
  );
  const begun = early.begin();
  early.push(ramp(0, 300), span(0, 3), false);
  early.finish();
  assert.equal(audio.node, undefined, 'nothing set up yet');
  await begun;
  assert.equal(pushedSamples(), 300, 'the held chunk was played');
  assert.deepEqual(audio.sent('end'), [{ type: 'end', utterance: 1 }], 'and the utterance ends after it');
});

test('stop silences at once, drops what waits in the page, ignores later pushes and stops polling', async () => {
  const { player, capacity, poll, reports } = await makePlayer({ supportedRates: [24_000] });
  await player.begin();
  player.push(ramp(0, capacity + 5_000), span(0, 10), true);
  audio.render(10);
  player.stop();
  assert.equal(audio.status().buffered, 0, 'the worklet ring is flushed');
  const mark = audio.output.length;
  audio.render(4);
  assert.ok(
    audio.output.slice(mark).every((v) => v === 0),
    'silence after stop',
  );
  const pushed = pushedSamples();
  player.push(ramp(0, 100), span(11, 12), true);
  const count = reports.length;
  const statuses = audio.sent('status').length;
  for (let i = 0; i < 4; i += 1) await poll();
  assert.equal(audio.sent('status').length, statuses, 'no polling after stop');
  assert.equal(reports.length, count, 'no reports after stop');
  assert.equal(pushedSamples(), pushed, 'neither the 5,000 waiting samples nor a later push were sent');
  assert.deepEqual(audio.sent('end'), [], 'a stopped utterance sends no end');
});

test('a new utterance starts from nothing; a begin overtaken by another one never reaches the worklet', async () => {
  const { player, poll, last } = await makePlayer({ supportedRates: [24_000] });
  await player.begin();
  player.push(ramp(0, 2_000), span(0, 20), false);
  audio.render(4);
  const first = player.begin();
  const second = player.begin();
  await Promise.all([first, second]);
  assert.deepEqual(
    audio.sent('begin').map((m) => m.utterance),
    [1, 3],
    'utterance 2 was overtaken by 3',
  );
  player.push(ramp(0, 256), span(0, 2), true);
  audio.render(1);
  await poll();
  assert.equal(last().utterance, 3);
  assert.equal(last().played, QUANTUM);
  assert.equal(last().queued, 256, 'queued counts this utterance only');
});

test('reports: played and queued in context samples, the text offset within the chunk being heard', async () => {
  const { player, poll, last } = await makePlayer({ supportedRates: [24_000] });
  await player.begin();
  // Chunk A: 1280 samples speaking text 0–10; an empty chunk (a pause); chunk B: 2560 samples, 11–31.
  player.push(ramp(0, 1_280), span(0, 10), false);
  player.push(new Float32Array(0), span(10, 11), false);
  player.push(ramp(1, 2_560), span(11, 31), true);
  await poll();
  assert.deepEqual([last().played, last().queued, last().textOffset], [0, 3_840, -1], 'before the first sample');
  // [quanta rendered so far] → [played, text offset]
  const table: [number, number, number][] = [
    [1, 128, 1],
    [5, 640, 5],
    [9, 1_152, 9],
    [10, 1_280, 11],
    [15, 1_920, 16],
    [29, 3_712, 30],
    [30, 3_840, 31],
  ];
  let rendered = 0;
  for (const [quanta, played, offset] of table) {
    audio.render(quanta - rendered);
    rendered = quanta;
    await poll();
    assert.deepEqual([last().played, last().textOffset], [played, offset], `after ${quanta} quanta`);
    assert.equal(last().queued, 3_840);
    assert.equal(last().contextRate, 24_000);
    assert.equal(last().dropped, 0);
  }
});

test('finished only once everything played and the last chunk was in; then polling stops', async () => {
  const { player, poll, reports, last } = await makePlayer({ supportedRates: [24_000] });
  await player.begin();
  player.push(ramp(0, 256), span(0, 3), false);
  audio.render(4);
  await poll();
  assert.equal(last().played, 256);
  assert.equal(last().finished, false, 'all played, but more chunks are due (an underrun, not the end)');
  assert.equal(last().underruns, 1);
  player.push(ramp(0, 128), span(4, 6), true);
  await poll();
  assert.equal(last().finished, false, 'the last chunk is in but not played');
  audio.render(1);
  await poll();
  assert.equal(last().finished, true);
  const count = reports.length;
  for (let i = 0; i < 3; i += 1) await poll();
  assert.equal(reports.length, count, 'no polls after the finished report');
  assert.equal(reports.filter((r) => r.finished).length, 1);
});

test('TTFA clocks: first and first audible sample in epoch ms, through the output timestamp or the snapshot', async () => {
  const NOW = 5_000;
  const QUIET = 300;
  const START = 48_000; // the context frame at which the first sample is rendered (2 s at 24 kHz)
  // [output timestamp, context frame when the status is taken] → [firstSampleAt, firstAudibleAt] − timeOrigin
  const table: [AudioTimestamp | undefined, number, number, number][] = [
    // No timestamp: the first sample was rendered (frame − START) / rate before the answer.
    [undefined, START + 24_000, NOW - 1_000, NOW - 1_000 + (QUIET / 24_000) * 1_000],
    [undefined, START + 1_200, NOW - 50, NOW - 50 + 12.5],
    // A timestamp with performanceTime 0 is no timestamp.
    [{ contextTime: 9, performanceTime: 0 }, START + 24_000, NOW - 1_000, NOW - 987.5],
    // Context time 2.5 s was heard at performance time 3000 ms; frame START is context time 2 s.
    [{ contextTime: 2.5, performanceTime: 3_000 }, START + 24_000, 2_500, 2_512.5],
    [{ contextTime: 1, performanceTime: 700 }, START + 24_000, 1_700, 1_712.5],
  ];
  mock.method(performance, 'now', () => NOW);
  for (const [outputTimestamp, frame, sampleAt, audibleAt] of table) {
    const { player, last } = await makePlayer({ supportedRates: [24_000], outputTimestamp });
    await player.begin();
    const pcm = new Float32Array(QUIET + 200);
    pcm.fill(0.3, QUIET); // 300 silent samples, then speech
    player.push(pcm, span(0, 5), true);
    await player.probe();
    assert.equal(last().firstSampleAt, undefined, 'nothing rendered yet');
    (globalThis as unknown as { currentFrame: number }).currentFrame = START;
    audio.render(4);
    (globalThis as unknown as { currentFrame: number }).currentFrame = frame;
    const status = await player.probe();
    assert.equal(status?.startFrame, START);
    const label = JSON.stringify(outputTimestamp ?? null);
    assert.ok(
      Math.abs((last().firstSampleAt ?? 0) - performance.timeOrigin - sampleAt) < 0.01,
      `${label}: first sample ${(last().firstSampleAt ?? 0) - performance.timeOrigin}`,
    );
    assert.ok(
      Math.abs((last().firstAudibleAt ?? 0) - performance.timeOrigin - audibleAt) < 0.01,
      `${label}: first audible ${(last().firstAudibleAt ?? 0) - performance.timeOrigin}`,
    );
    // Taken once: later answers (the frame moved on) keep the first values.
    const kept = [last().firstSampleAt, last().firstAudibleAt];
    (globalThis as unknown as { currentFrame: number }).currentFrame = frame + 48_000;
    await player.probe();
    assert.deepEqual([last().firstSampleAt, last().firstAudibleAt], kept);
    player.stop();
  }
});

test('at a 48 kHz context the chunks are resampled as one stream and positions count context samples', async () => {
  const { player, poll, last, capacity } = await makePlayer({ supportedRates: [44_100, 48_000], deviceRate: 48_000 });
  assert.equal(player.contextRate, 48_000);
  assert.equal(capacity, 48_000 * RING_SECONDS);
  await player.begin();
  const chunks = [ramp(0, 2_400), ramp(2_400, 1_200), ramp(3_600, 2_400)];
  chunks.forEach((pcm, i) => player.push(pcm, span(i * 10, i * 10 + 10), i === 2));
  // What the worklet received is the whole stream resampled in one piece (no click at the joins).
  const reference = new StreamResampler(SAMPLE_RATE, 48_000).process(ramp(0, 6_000));
  const received = audio.sent('push').flatMap((m) => [...m.pcm]);
  assert.equal(received.length, reference.length);
  assert.ok(
    received.every((v, i) => v === reference[i]),
    'resampled across chunks = resampled whole',
  );
  // Each chunk comes out at twice its length, less the interpolation step the first one holds
  // back for the next: spans 0–10, 10–20, 20–30 cover context samples [0, 4798), [4798, 7198), [7198, 11998).
  assert.deepEqual(
    audio.sent('push').map((m) => m.pcm.length),
    [4_798, 2_400, 4_800],
  );
  await poll();
  assert.equal(last().queued, reference.length);
  // [quanta rendered so far] → text offset
  const table: [number, number][] = [
    [19, 5],
    [37, 9],
    [38, 10],
    [56, 19],
    [57, 20],
    [75, 25],
  ];
  let rendered = 0;
  for (const [quanta, offset] of table) {
    audio.render(quanta - rendered);
    rendered = quanta;
    await poll();
    assert.equal(last().played, quanta * QUANTUM);
    assert.equal(last().textOffset, offset, `after ${quanta} quanta (${quanta * QUANTUM} samples at 48 kHz)`);
    assert.equal(last().contextRate, 48_000);
  }
  // A new utterance starts the resampler from silence again: its output equals a fresh one's.
  await player.begin();
  player.push(ramp(7, 600), span(0, 2), true);
  const again = audio.sent('push').at(-1)?.pcm ?? new Float32Array(0);
  assert.deepEqual([...again], [...new StreamResampler(SAMPLE_RATE, 48_000).process(ramp(7, 600))]);
});

test('pause holds the position and resume continues from the next sample; a suspended context is resumed at begin', async () => {
  const { player, poll, last } = await makePlayer({ supportedRates: [24_000], startSuspended: true });
  assert.equal(audio.context?.state, 'suspended');
  await player.begin();
  assert.equal(audio.context?.state, 'running', 'begin wakes a context made before a user gesture');
  const pcm = ramp(0, 2_000);
  const samples = [...pcm]; // the push transfers pcm's buffer
  player.push(pcm, span(0, 20), true);
  audio.render(3);
  player.pause();
  await poll();
  const held = last().played;
  assert.equal(held, 3 * QUANTUM);
  const mark = audio.output.length;
  audio.render(6);
  await poll();
  assert.equal(last().played, held, 'nothing played while paused');
  assert.ok(
    audio.output.slice(mark).every((v) => v === 0),
    'silence while paused',
  );
  assert.equal(last().underruns, 0, 'a pause is not an underrun');
  assert.equal(last().finished, false);
  player.resume();
  audio.render(1);
  await poll();
  assert.equal(last().played, held + QUANTUM);
  assert.equal(audio.output.at(-QUANTUM), samples[held], 'resumed at the next sample');
});
