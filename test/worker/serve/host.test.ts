// Runs in the tests: the protocol host over real channels with the real model: two interleaved
// speak requests on a worker_threads MessageChannel (with pause, resume and stop), the small
// requests and bad input, a benchmark and the bench history from the one store. The entries that
// serve it are tested in entry-node.test.ts and entry-electron.test.ts.

import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { MessageChannel } from 'node:worker_threads';
import { createEngine } from '../../../src-worker/engine/engine.ts';
import { serve } from '../../../src-worker/serve/host.ts';
import { fromNodePort } from '../../../src-worker/protocol/port-adapters.ts';
import { saveBenchResult } from '../../../src-worker/sessions/auto-provider.ts';
import {
  PROTOCOL_VERSION,
  isTerminal,
  type BenchResult,
  type ChunkEvent,
  type ProviderChoice,
  type WorkerEvent,
} from '../../../src-worker/protocol/messages.ts';
import { modelFiles } from '../model-fixture.ts';
import { chunksOf, portClient } from './protocol-client.ts';

const files = await modelFiles();
const engine = await createEngine({ assets: files });
after(() => engine.dispose());

function assertAnswered(events: WorkerEvent[], terminal: 'done' | 'error') {
  const terminals = events.filter(isTerminal);
  assert.equal(terminals.length, 1, 'exactly one terminal event');
  assert.equal(events.at(-1)?.type, terminal, 'the terminal event comes last');
}

// Two sentences, the first under the first-chunk budget (22 and 19 ids), the second under the
// second's (33 and 35 of 36): two chunks per request.
const TEXT_A = 'Hello, my good friend. How are you doing on this fine day?';
const TEXT_B = 'It is lovely today. Shall we go for a walk in the park?';

test('serves two interleaved speak requests over a real MessagePort, with pause, resume and stop', async (t) => {
  const { port1, port2 } = new MessageChannel();
  const stopServing = serve(fromNodePort(port1), engine);
  t.after(() => {
    stopServing();
    port1.close();
    port2.close();
  });
  const c = portClient(port2);
  await c.until(() => c.events.length > 0);
  assert.deepEqual(c.events[0], { type: 'hello', id: '', version: PROTOCOL_VERSION, pid: process.pid });

  c.send({ type: 'speak', id: 'a', text: TEXT_A, voice: 'af_heart', speed: 1 });
  c.send({ type: 'speak', id: 'b', text: TEXT_B, voice: 'bm_george', speed: 1.2 });
  // Pause A as soon as its first chunk arrives.
  await c.until(() => chunksOf(c.of('a')).length === 1);
  c.send({ type: 'pause', id: 'p1', target: 'a' });
  await c.ended('b');
  await c.ended('p1');
  // B finished while A was paused: no chunk of A was posted after the pause.
  assert.equal(chunksOf(c.of('a')).length, 1);
  assert.ok(!c.of('a').some(isTerminal));
  c.send({ type: 'resume', id: 'r1', target: 'a' });
  await c.ended('a');

  for (const [id, text] of [
    ['a', TEXT_A],
    ['b', TEXT_B],
  ] as const) {
    const events = c.of(id);
    assertAnswered(events, 'done');
    assert.equal(events[0]?.type, 'started');
    const started = events[0];
    assert.ok(started?.type === 'started' && started.provider === 'cpu' && started.sentences.length === 2);
    const chunks = chunksOf(events);
    assert.deepEqual(
      chunks.map((ch) => ch.index),
      [0, 1],
    );
    assert.deepEqual(
      chunks.map((ch) => ch.last),
      [false, true],
    );
    assert.equal(chunks.map((ch) => text.slice(ch.span.start, ch.span.end)).join(''), text);
    // Word samples count from the start of the utterance: each chunk's words lie inside its own
    // samples, after the chunks before it. (The host transfers each chunk's buffer: the engine
    // must have counted its samples before that detached it.)
    let offset = 0;
    for (const ch of chunks) {
      assert.ok(ch.words.length > 0, `${id}${ch.index} has timed words`);
      for (const w of ch.words) {
        assert.ok(
          w.startSample >= offset && w.endSample <= offset + ch.pcm.length,
          `${id}${ch.index}: word at ${w.startSample}–${w.endSample} outside ${offset}–${offset + ch.pcm.length}`,
        );
      }
      offset += ch.pcm.length;
    }
    for (const ch of chunks) {
      assert.ok(ch.pcm instanceof Float32Array && ch.pcm.length > 0, 'PCM arrives as a Float32Array');
      assert.equal(ch.sampleRate, 24_000);
      // The derived graph's durations travel with the chunk: one frame count per padded id.
      assert.ok(ch.durations, 'a chunk event carries durations');
      assert.equal(ch.durations.ids.length, ch.timings.tokens + 2);
      assert.equal(ch.durations.frames.length, ch.durations.ids.length);
    }
    const metrics = events.filter((e) => e.type === 'metrics');
    assert.equal(metrics.length, 2, 'metrics after each chunk');
    const final = metrics.at(-1);
    assert.ok(final?.type === 'metrics' && final.final && final.ttfaEngineMs > 0 && final.rtf > 0);
    assert.ok(final.audioSeconds > 1 && final.peakRssBytes >= final.rssBytes && final.rssBytes > 0);
    assert.deepEqual(events.at(-1), { type: 'done', id, stopped: false });
  }
  // Interleaved: B's first chunk arrived before A's last.
  const order = c.events.filter((e): e is ChunkEvent => e.type === 'chunk').map((e) => `${e.id}${e.index}`);
  assert.ok(order.indexOf('b0') < order.indexOf('a1'), order.join(' '));

  // Stop after the first chunk: nothing more, then done { stopped: true }.
  c.send({ type: 'speak', id: 'c', text: TEXT_A, voice: 'af_heart', speed: 1 });
  await c.until(() => chunksOf(c.of('c')).length === 1);
  c.send({ type: 'stop', id: 's1', target: 'c' });
  await c.ended('c');
  assert.equal(chunksOf(c.of('c')).length, 1);
  assertAnswered(c.of('c'), 'done');
  assert.deepEqual(c.of('c').at(-1), { type: 'done', id: 'c', stopped: true });
  await c.ended('s1');
  assert.deepEqual(c.of('s1'), [{ type: 'done', id: 's1', stopped: false }]);
});

test('answers small requests and bad input, one terminal event each, and keeps serving', async (t) => {
  const { port1, port2 } = new MessageChannel();
  const stopServing = serve(fromNodePort(port1), engine);
  t.after(() => {
    stopServing();
    port1.close();
    port2.close();
  });
  const c = portClient(port2);
  const ask = async (request: unknown) => {
    port2.postMessage(request);
    const id = (request as { id?: unknown }).id;
    await c.until(() => c.events.some((e) => isTerminal(e) && e.id === (typeof id === 'string' ? id : '')));
    return c.of(typeof id === 'string' ? id : '');
  };

  const voices = await ask({ type: 'list-voices', id: 'v' });
  assertAnswered(voices, 'done');
  assert.ok(voices[0]?.type === 'voices' && voices[0].voices.length === 54);

  const status = await ask({ type: 'status', id: 'st' });
  assert.ok(status[0]?.type === 'provider' && status[0].state.active === 'cpu');
  assertAnswered(status, 'done');

  const bad = await ask({ type: 'speak', id: 'bad', text: 'hi', voice: 'af_heart' });
  assert.equal(bad.length, 1);
  assert.ok(bad[0]?.type === 'error' && bad[0].code === 'bad-request' && /speed/.test(bad[0].message));

  const pause = await ask({ type: 'speak', id: 'ps', text: 'hi', voice: 'af_heart', speed: 1, pauseScale: 10 });
  assert.ok(pause[0]?.type === 'error' && pause[0].code === 'bad-request' && /pauseScale/.test(pause[0].message), JSON.stringify(pause[0]));

  const unknown = await ask({ type: 'dance', id: 'x' });
  assert.ok(unknown[0]?.type === 'error' && unknown[0].code === 'bad-request');

  const voice = await ask({ type: 'speak', id: 'uv', text: 'Hello.', voice: 'af_nobody', speed: 1 });
  assert.equal(voice.length, 1, 'no started event before an input error');
  assert.ok(voice[0]?.type === 'error' && voice[0].code === 'unknown-voice' && /af_heart/.test(voice[0].action));

  const speed = await ask({ type: 'speak', id: 'sp', text: 'Hello.', voice: 'af_heart', speed: 3 });
  assert.ok(speed[0]?.type === 'error' && speed[0].code === 'bad-speed');

  const empty = await ask({ type: 'speak', id: 'em', text: '   ', voice: 'af_heart', speed: 1 });
  assert.ok(empty[0]?.type === 'error' && empty[0].code === 'empty-text');

  const stopNothing = await ask({ type: 'stop', id: 'sn', target: 'gone' });
  assert.deepEqual(stopNothing, [{ type: 'done', id: 'sn', stopped: false }]);

  const provider = await ask({ type: 'set-provider', id: 'sp2', provider: { provider: 'cpu' } });
  assert.ok(provider[0]?.type === 'provider');
  assertAnswered(provider, 'done');

  const ok = await ask({ type: 'speak', id: 'ok', text: 'Fine.', voice: 'af_heart', speed: 1 });
  assertAnswered(ok, 'done');
  assert.equal(chunksOf(ok).length, 1);
});

test('a benchmark request runs the benchmark: progress events, then the result, then done; the history then holds it', async (t) => {
  // The host stores results in the one store (Auto's): keep that out of the user's cache.
  const store = path.join(mkdtempSync(path.join(os.tmpdir(), 'kokoro-bench-store-')), 'bench-results.json');
  const { port1, port2 } = new MessageChannel();
  const stopServing = serve(fromNodePort(port1), engine, undefined, store);
  t.after(() => {
    stopServing();
    port1.close();
    port2.close();
  });
  const c = portClient(port2);
  c.send({ type: 'benchmark', id: 'bm', presets: ['short'], runs: 1, providers: [{ provider: 'cpu' }] });
  // Asked for as soon as the result arrives, as the renderer does: the run is already stored.
  await c.until(() => c.of('bm').some((e) => e.type === 'bench-result'));
  c.send({ type: 'bench-history', id: 'h' });
  await c.ended('bm');
  const events = c.of('bm');
  assertAnswered(events, 'done');
  const types = events.map((e) => e.type);
  assert.deepEqual(types.slice(-2), ['bench-result', 'done']);
  assert.ok(types.slice(0, -2).every((type) => type === 'bench-progress') && types.length >= 4);
  const result = events.at(-2);
  assert.ok(result?.type === 'bench-result' && result.result.rows.length === 1 && result.result.rows[0]?.preset === 'short');
  assert.deepEqual(result.result.rows[0]?.choice, { provider: 'cpu' }, 'the row names the choice it measured');

  await c.ended('h');
  const history = c.of('h');
  assertAnswered(history, 'done');
  assert.ok(history[0]?.type === 'bench-history');
  assert.deepEqual(history[0].results, [result.result], 'the stored run, choice and all');
});

test('bench-history answers the stored runs newest first, choice kept; no store is an empty history', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kokoro-bench-history-'));
  const store = path.join(dir, 'bench-results.json');
  const { port1, port2 } = new MessageChannel();
  const stopServing = serve(fromNodePort(port1), engine, undefined, store);
  t.after(() => {
    stopServing();
    port1.close();
    port2.close();
  });
  const c = portClient(port2);
  const history = async (id: string) => {
    c.send({ type: 'bench-history', id });
    await c.ended(id);
    assertAnswered(c.of(id), 'done');
    const answer = c.of(id)[0];
    assert.ok(answer?.type === 'bench-history', JSON.stringify(answer));
    return answer.results;
  };
  assert.deepEqual(await history('none'), [], 'no store yet');

  const machine = { cpu: 'c', cores: 2, memoryBytes: 1, platform: 'darwin', arch: 'arm64', node: 'v22', onnxruntime: '1.30.0', model: 'm' };
  const stat = { p50: 1, p95: 2 };
  const run = (startedAt: string, choice: ProviderChoice): BenchResult => ({
    startedAt,
    machine,
    rows: [
      {
        preset: 'short',
        provider: 'coreml',
        runs: 1,
        ttfaEngineMs: stat,
        rtf: stat,
        floorMs: stat,
        floorRtf: stat,
        audioSeconds: 1,
        peakRssBytes: 1,
        choice,
      },
    ],
  });
  const first = run('2026-12-01T00:00:00.000Z', { provider: 'coreml', coreml: { units: 'cpu-ane', mlProgram: true } });
  const second = run('2026-12-02T00:00:00.000Z', { provider: 'coreml', coreml: { units: 'all', mlProgram: false } });
  await saveBenchResult(store, first);
  await saveBenchResult(store, second);
  assert.deepEqual(await history('two'), [second, first]);

  writeFileSync(store, '{ not json');
  assert.deepEqual(await history('damaged'), [], 'a damaged store reads as none');
});
