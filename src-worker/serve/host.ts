// Runs in the worker: serves the protocol of protocol/messages.ts on any PortLike channel (a worker_threads
// MessagePort, a child process's IPC, Electron's MessagePortMain through an adapter, the dev
// host's WebSocket), turning requests into engine calls and engine output into events.
//
// [Note: Host rules]
// Every request is answered by its data events and then exactly one `done` or `error` ([Note: One
// protocol]); a malformed message gets `bad-request` naming what was wrong. A port gets `hello`
// as soon as it is served. One engine serves every port; speak requests from any number of
// ports are all accepted at once and interleave chunk by chunk ([Note: One run at a time] in
// engine.ts), each stream in its own order. `stop`, `pause` and `resume` act on the request named
// by `target`, or on every request of the same port without one; each is itself answered with
// `done`, even if the target had already finished (stopping twice is not an error). A stopped
// speak ends with `done` { stopped: true }. Pausing stops asking the engine for chunks, so
// synthesis halts after the chunk in flight, which is held, not posted, until `resume`; no chunk
// event of a paused request is posted. When a port closes, its requests are stopped. PCM
// buffers are transferred, not copied, where the port takes a transfer list.

import { defaultCacheDir } from '../assets/cache.ts';
import { recordBenchmark } from '../sessions/auto-provider.ts';
import { runBenchmark } from '../engine/bench.ts';
import type { Engine } from '../engine/engine.ts';
import { toErrorEvent } from '../engine/errors.ts';
import { createMeter, memory, type UtteranceMeter } from '../engine/metrics.ts';
import {
  PROTOCOL_VERSION,
  SAMPLE_RATE,
  parseRequest,
  type BenchmarkRequest,
  type PortLike,
  type SpeakRequest,
  type WorkerEvent,
  type WorkerRequest,
} from '../protocol/messages.ts';
import { createReadiness, type Readiness } from '../assets/readiness.ts';
import { splitSentences } from '../text/split.ts';

/** What the user can do about a malformed request (it is a bug in the client, not their input). */
const BAD_REQUEST_ACTION = 'This is a bug in Kokoro Bar; please report it with the message above.';

interface Active {
  controller: AbortController;
  paused: boolean;
  /** Resolves the wait of a paused stream. */
  wake: (() => void) | undefined;
}

/**
 * Serves the protocol on `port` with `engine`; returns a function that stops serving it.
 * `readiness` answers `readiness` and `fetch-model` (see [Note: Honest readiness] in
 * readiness.ts); without one, only the warm-up decides and nothing can be fetched.
 */
export function serve(
  port: PortLike,
  engine: Engine,
  readiness: Readiness = createReadiness({ warmUp: () => engine.warmUp(), paths: undefined }),
): () => void {
  const active = new Map<string, Active>();
  const post = (event: WorkerEvent, transfer?: ArrayBuffer[]): void => {
    try {
      if (transfer && transfer.length > 0) port.postMessage(event, transfer);
      else port.postMessage(event);
    } catch {
      // The other side has gone; its requests are stopped by onClose (or by the caller).
    }
  };
  const targets = (target: string | undefined): Active[] =>
    target === undefined ? [...active.values()] : [active.get(target)].filter((a): a is Active => a !== undefined);

  const handle = (raw: unknown): void => {
    const receivedAt = performance.now();
    const parsed = parseRequest(raw);
    if (!parsed.ok) {
      post({ type: 'error', id: parsed.id, code: 'bad-request', message: parsed.message, action: BAD_REQUEST_ACTION });
      return;
    }
    const request: WorkerRequest = parsed.value;
    const { id } = request;
    const done = (): void => post({ type: 'done', id, stopped: false });
    const fail = (error: unknown): void => post(toErrorEvent(id, error));
    switch (request.type) {
      case 'speak':
        if (active.has(id)) {
          post({ type: 'error', id, code: 'bad-request', message: `Request id "${id}" is already speaking.`, action: BAD_REQUEST_ACTION });
          return;
        }
        void speak(request, receivedAt);
        return;
      case 'stop':
        for (const a of targets(request.target)) {
          a.controller.abort();
          a.wake?.();
        }
        done();
        return;
      case 'pause':
        for (const a of targets(request.target)) a.paused = true;
        done();
        return;
      case 'resume':
        for (const a of targets(request.target)) {
          a.paused = false;
          a.wake?.();
        }
        done();
        return;
      case 'list-voices':
        try {
          post({ type: 'voices', id, voices: engine.voices() });
          done();
        } catch (error) {
          fail(error);
        }
        return;
      case 'status':
        post({ type: 'provider', id, state: engine.sessions.state() });
        done();
        return;
      case 'set-provider':
        engine.sessions.setProvider(request.provider).then((state) => {
          post({ type: 'provider', id, state });
          done();
        }, fail);
        return;
      case 'benchmark':
        void benchmark(request);
        return;
      case 'readiness':
        // The state now; a second event once the variants' sources are known, then done.
        readiness
          .state((later) => {
            post({ type: 'readiness', id, state: later });
            done();
          })
          .then((state) => post({ type: 'readiness', id, state }), fail);
        return;
      case 'fetch-model':
        readiness
          .fetch(request.variant, (progress) => post({ type: 'fetch-progress', id, ...progress }))
          .then((state) => {
            post({ type: 'readiness', id, state });
            done();
          }, fail);
        return;
    }
  };

  async function speak(request: SpeakRequest, receivedAt: number): Promise<void> {
    const { id } = request;
    const entry: Active = { controller: new AbortController(), paused: false, wake: undefined };
    active.set(id, entry);
    const { signal } = entry.controller;
    const meter = createMeter(receivedAt);
    let provider: 'cpu' | 'coreml' = 'cpu';
    let fallbackReason: string | undefined;
    let chunks = 0;
    try {
      const stream = engine.speak(request.text, {
        voice: request.voice,
        speed: request.speed,
        ...(request.pauseScale === undefined ? {} : { pauseScale: request.pauseScale }),
        signal,
        ...(request.provider ? { provider: request.provider } : {}),
        onStart: (info) => {
          provider = info.provider;
          post({
            type: 'started',
            id,
            sentences: splitSentences(request.text),
            voice: request.voice,
            provider,
            ...(info.skipped ? { skipped: info.skipped } : {}),
          });
        },
      });
      let waitFrom = receivedAt;
      for await (const chunk of stream) {
        meter.chunk(chunk.pcm, performance.now() - waitFrom, chunk.dropped);
        // A chunk that was in flight when a pause came is held until resume.
        await whilePaused(entry);
        if (signal.aborted) break;
        provider = chunk.provider;
        fallbackReason = chunk.fallbackReason;
        const { pcm } = chunk;
        const whole = pcm.byteOffset === 0 && pcm.byteLength === pcm.buffer.byteLength && pcm.buffer instanceof ArrayBuffer;
        post(
          {
            type: 'chunk',
            id,
            index: chunk.index,
            pcm,
            sampleRate: SAMPLE_RATE,
            span: chunk.span,
            timings: chunk.timings,
            words: chunk.words,
            last: chunk.last,
            ...(chunk.durations ? { durations: chunk.durations } : {}),
          },
          whole ? [pcm.buffer as ArrayBuffer] : undefined,
        );
        meter.posted();
        chunks++;
        post(metricsEvent(id, meter, provider, fallbackReason, chunk.last));
        await whilePaused(entry);
        waitFrom = performance.now();
      }
      if (chunks > 0 && signal.aborted) post(metricsEvent(id, meter, provider, fallbackReason, true));
      post({ type: 'done', id, stopped: signal.aborted });
    } catch (error) {
      post(toErrorEvent(id, error));
    } finally {
      active.delete(id);
    }
  }

  async function benchmark(request: BenchmarkRequest): Promise<void> {
    const { id } = request;
    const entry: Active = { controller: new AbortController(), paused: false, wake: undefined };
    active.set(id, entry);
    try {
      const result = await runBenchmark(engine, {
        presets: request.presets,
        runs: request.runs,
        signal: entry.controller.signal,
        ...(request.providers ? { providers: request.providers } : {}),
        ...(request.voice ? { voice: request.voice } : {}),
        onProgress: (p) => post({ type: 'bench-progress', id, ...p }),
      });
      post({ type: 'bench-result', id, result });
      // Auto chooses from benchmarks measured here; a failed write only leaves Auto on older ones.
      await recordBenchmark(result, defaultCacheDir()).catch(() => undefined);
      post({ type: 'done', id, stopped: false });
    } catch (error) {
      if (entry.controller.signal.aborted) post({ type: 'done', id, stopped: true });
      else post(toErrorEvent(id, error));
    } finally {
      active.delete(id);
    }
  }

  post({ type: 'hello', id: '', version: PROTOCOL_VERSION, pid: process.pid });
  const stopAll = (): void => {
    for (const a of active.values()) {
      a.controller.abort();
      a.wake?.();
    }
  };
  const offMessage = port.onMessage(handle);
  const offClose = port.onClose?.(stopAll);
  return () => {
    offMessage();
    offClose?.();
    stopAll();
  };
}

function metricsEvent(
  id: string,
  meter: UtteranceMeter,
  provider: 'cpu' | 'coreml',
  fallbackReason: string | undefined,
  final: boolean,
): WorkerEvent {
  return {
    type: 'metrics',
    id,
    ttfaEngineMs: meter.ttfaMs ?? Number.NaN,
    rtf: meter.rtf,
    audioSeconds: meter.audioSeconds,
    synthSeconds: meter.synthSeconds,
    ...memory(),
    provider,
    ...(fallbackReason === undefined ? {} : { fallbackReason }),
    droppedSymbols: meter.dropped,
    final,
  };
}

// Waits while the request is paused; a stop wakes it too.
async function whilePaused(entry: Active): Promise<void> {
  while (entry.paused && !entry.controller.signal.aborted) {
    await new Promise<void>((resolve) => (entry.wake = resolve));
    entry.wake = undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// Child-process configuration

/** Environment variable carrying engine options (JSON) to a child process running entry-node.ts. */
export const ENGINE_ENV = 'KOKORO_BAR_ENGINE';
