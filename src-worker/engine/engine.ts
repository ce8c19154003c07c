// Runs in the worker (and the CLI, tests, benchmark): the orchestrator. Text → clauses → chunks →
// the model → PCM chunks, as one async generator per utterance; every stage lives in its own file.
//
// [Note: One run at a time]
// All utterances of an engine share its session, and a run uses every core, so runs are queued
// (first come, first served) rather than overlapped: two overlapping runs would each take twice
// as long and the first audio of both would be late. Utterances interleave chunk by chunk, so a
// short request arriving during a long one waits for at most one chunk of the other. A run whose
// utterance was stopped while it waited in the queue is skipped; one already running finishes
// in its thread and its PCM is dropped (see [Note: Inference thread] in session.ts).
//
// [Note: Pipelining]
// Chunk n+1 is planned (normalised, phonemised, tokenised) while chunk n runs in the inference
// thread, and awaited only after chunk n's audio exists, which also tells whether n is the last.
// Nothing accumulates: each chunk's PCM is yielded and forgotten, and the planner holds at most
// one clause beyond the chunk being run (see [Note: Bounded look-ahead] in plan.ts).

import { assetPaths, ensureAssets, type AssetPaths } from '../assets/cache.ts';
import { KokoroError, noSpeakableText } from './errors.ts';
import { boundaryAt, innerBoundary, joinChunk, type Boundary } from './joins.ts';
import { phonemize, warmUpPhonemizer, type G2pLang } from '../text/phonemize.ts';
import { normalizeText } from '../text/normalize.ts';
import { lazySegments, planChunks, type Prepare } from './plan.ts';
import { checkText } from '../text/readable.ts';
import {
  DEFAULT_PAUSE_SCALE,
  MAX_PAUSE_SCALE,
  MAX_SPEED,
  MIN_PAUSE_SCALE,
  MIN_SPEED,
  type ChunkDurations,
  type ChunkTimings,
  type ProviderChoice,
  type SkippedText,
  type TextSpan,
  type VoiceInfo,
  type WordTiming,
} from '../protocol/messages.ts';
import {
  SAMPLES_PER_FRAME,
  type KokoroSessionOptions,
  type RunOutput,
  type SessionLease,
  type SessionSource,
} from '../sessions/session.ts';
import { createSessionPool } from '../sessions/session-pool.ts';
import { loadVocab, padIds, tokenize, type Vocab } from '../text/tokenize.ts';
import { createVoiceStore, type VoiceStore } from './voices.ts';
import { prepareClause, timeWords } from '../text/words.ts';

/** The files an engine reads. */
export type EngineAssets = Pick<AssetPaths, 'model' | 'config' | 'voicesDir'> & Partial<AssetPaths>;

/** How one utterance is spoken. */
export interface SpeakOptions {
  /** A voice id or blend, e.g. "af_heart" or "af_heart:0.7,af_bella:0.3". */
  voice: string;
  /** MIN_SPEED..MAX_SPEED. */
  speed: number;
  /** Scales the pauses between chunks (default 1; MIN_PAUSE_SCALE..MAX_PAUSE_SCALE; see joins.ts). */
  pauseScale?: number;
  /** Overrides the engine's provider for this utterance. */
  provider?: ProviderChoice;
  /** Stops the stream: no further chunk is yielded and in-flight work is dropped. */
  signal?: AbortSignal;
  /** Called once the input is valid, a session is leased and the first run has been sent, before any chunk is yielded. */
  onStart?: (info: {
    provider: 'cpu' | 'coreml';
    fallbackReason: string | undefined;
    /** Sentence spans of the text split so far, in order (all of them for a text of up to SPLIT_WINDOW_CHARS; plan.ts). */
    sentences: TextSpan[];
    /** Text in scripts the voices cannot read, not spoken (see readable.ts); absent when none. */
    skipped?: SkippedText;
  }) => void;
}

/** One piece of audio of an utterance. */
export interface Chunk {
  index: number;
  /**
   * Mono float32 PCM at SAMPLE_RATE, trimmed to its speech, faded at the cuts and followed by the
   * pause its boundary calls for (see [Note: Trimming by durations] in joins.ts); the caller owns
   * it (and may transfer it).
   */
  pcm: Float32Array;
  /** Per-id durations in this chunk's sample clock; undefined on a graph without durations. */
  durations: ChunkDurations | undefined;
  /** Samples the model rendered for this chunk, before trimming (its durations' sum × 600). */
  renderedSamples: number;
  /** Samples removed from over-long silences inside the speech (their frames left `durations`). */
  shortenedSamples: number;
  /** The text it speaks; spans of one stream are contiguous and cover the whole text. */
  span: TextSpan;
  /**
   * Sentence spans split since onStart or the chunk before, following those (usually none; the
   * text is split a window at a time, see [Note: Splitting long text lazily] in plan.ts).
   */
  sentences: TextSpan[];
  timings: ChunkTimings;
  /** Its words with their samples in the utterance (see words.ts); empty without durations. */
  words: WordTiming[];
  last: boolean;
  /** Symbols the vocab lacked in this chunk, dropped. */
  dropped: number;
  /** Exactly what the model was given (the benchmark re-runs it bare to find the floor). */
  input: { ids: BigInt64Array; style: Float32Array; speed: number };
  /** Provider that made it (a pool may fall back to CPU in mid-utterance). */
  provider: 'cpu' | 'coreml';
  fallbackReason: string | undefined;
}

/** The engine: voices, and speech as a stream of chunks. */
export interface Engine {
  voices(): VoiceInfo[];
  speak(text: string, opts: SpeakOptions): AsyncGenerator<Chunk>;
  readonly sessions: SessionSource;
  /** Loads the phonemizer, the vocab and the session, so the first request starts at once. */
  warmUp(): Promise<void>;
  dispose(): Promise<void>;
}

/** How to build an engine; by default the verified assets of the user's cache and a CPU session. */
export interface EngineOptions {
  assets?: EngineAssets;
  /** Check the fetcher's stamps before loading (default: only for the default cache; needs full AssetPaths). */
  verifyAssets?: boolean;
  sessions?: SessionSource;
  /** Options of the sessions of the default SessionPool (threads, optimised-graph cache). */
  session?: KokoroSessionOptions;
  /** Most ids in one run (default LONGEST_RUN_TOKENS; see [Note: Stop frees the engine] in plan.ts). */
  longestRunTokens?: number;
  /**
   * Word timings (default on). Off, chunks carry no words and clauses go through the plain text
   * stages: for measuring what the word work costs (`KOKORO_BAR_ENGINE='{"wordTimings":false}'
   * kokoro-bar bench`), not a setting of the app.
   */
  wordTimings?: boolean;
}

/** Builds an engine. Nothing is loaded yet: a missing model is reported by the request that needs it. */
export async function createEngine(opts: EngineOptions = {}): Promise<Engine> {
  const paths: EngineAssets = opts.assets ?? assetPaths();
  const verify = opts.verifyAssets ?? opts.assets === undefined;
  const sessions = opts.sessions ?? createSessionPool(paths.model, opts.session);
  const runQueue = createRunQueue();
  const longestRun = opts.longestRunTokens;
  const wordTimings = opts.wordTimings ?? true;

  // Each is loaded on first need and memoised on success only, so a request after
  // `kokoro-bar fetch` succeeds without a restart.
  let store: VoiceStore | undefined;
  const voiceStore = (): VoiceStore => (store ??= createVoiceStore(paths.voicesDir));
  let ready: Promise<{ vocab: Vocab; separator: number[] }> | undefined;
  const assetsReady = (): Promise<{ vocab: Vocab; separator: number[] }> =>
    (ready ??= (async () => {
      if (verify && paths.cacheDir !== undefined && paths.variant !== undefined) {
        await ensureAssets({ ...paths, cacheDir: paths.cacheDir, variant: paths.variant });
      }
      const vocab = loadVocab(paths.config);
      return { vocab, separator: tokenize(' ', vocab).ids };
    })().catch((error: unknown) => {
      ready = undefined;
      throw error;
    }));

  async function* speak(text: string, opts: SpeakOptions): AsyncGenerator<Chunk> {
    const { signal } = opts;
    const skipped = checkInput(text, opts.speed, opts.pauseScale);
    const pauseScale = opts.pauseScale ?? DEFAULT_PAUSE_SCALE;
    const voice = await voiceStore().resolve(opts.voice);
    const { vocab, separator } = await assetsReady();
    const lease = await sessions.acquire(opts.provider);
    // The one split of the text: the planner's segments, and the sentences reported as they are found.
    let sentences: TextSpan[] = [];
    const found = (spans: TextSpan[]): void => void sentences.push(...spans);
    const takeSentences = (): TextSpan[] => {
      const taken = sentences;
      sentences = [];
      return taken;
    };
    const plan = planChunks(text, lazySegments(text, undefined, found), prepareFor(vocab, voice.lang, wordTimings), {
      separator,
      ...(longestRun === undefined ? {} : { maxTokens: longestRun }),
    });
    // Called once the first run is on its way, so the caller's own start-up work overlaps the model's first run.
    let started = false;
    const start = (): void => {
      if (started) return;
      started = true;
      opts.onStart?.({
        provider: lease.provider,
        fallbackReason: lease.fallbackReason,
        sentences: takeSentences(),
        ...(skipped ? { skipped } : {}),
      });
    };
    try {
      if (signal?.aborted) return;
      let planned = await untilAborted(plan.next(), signal);
      if (planned.done) {
        start();
        throw noSpeakableText();
      }
      let emitted = 0; // Samples of this utterance yielded so far: the word timings' clock.
      let before: Boundary | undefined;
      for (;;) {
        const chunk = planned.value;
        // Plan chunk n+1 while chunk n runs (see [Note: Pipelining]).
        const following = plan.next();
        following.catch(() => undefined); // Awaited below, unless this utterance stops first.
        const ids = padIds(chunk.ids);
        const style = voice.style(chunk.ids.length);
        const running = untilAborted(runQueue(lease, ids, style, opts.speed, signal), signal);
        start();
        // Worked out while the model runs (see [Note: Words off the critical path] in words.ts).
        const words = wordTimings ? chunk.words() : undefined;
        words?.catch(() => undefined);
        const out = await running;
        planned = await untilAborted(following, signal);
        const last = planned.done === true;
        const after = last ? undefined : boundaryAt(text, chunk.span.end);
        const inner = innerBoundary(text, chunk.span.start, chunk.span.end);
        const joined = joinChunk(out.pcm, out.durations, { before, after, inner, speed: opts.speed, pauseScale });
        before = after;
        const { inferMs } = out;
        // Read before the yield: a consumer that transfers the chunk's buffer (the host posts it
        // over a MessagePort) detaches it, and a detached array's length is 0.
        const length = joined.pcm.length;
        yield {
          index: chunk.index,
          pcm: joined.pcm,
          durations: joined.frames && {
            ids: Array.from(ids, Number),
            frames: joined.frames,
            startSample: -joined.trimmedStart,
            samplesPerFrame: SAMPLES_PER_FRAME,
          },
          renderedSamples: out.pcm.length,
          shortenedSamples: joined.shortened,
          span: last ? { start: chunk.span.start, end: text.length } : chunk.span,
          sentences: takeSentences(),
          timings: { prepareMs: chunk.prepareMs, inferMs, tokens: chunk.ids.length },
          words:
            joined.frames && words
              ? timeWords(await untilAborted(words, signal), joined.frames, {
                  offset: emitted,
                  trimmedStart: joined.trimmedStart,
                  speechLength: joined.kept,
                })
              : [],
          last,
          dropped: chunk.dropped,
          input: { ids, style, speed: opts.speed },
          provider: lease.provider,
          fallbackReason: lease.fallbackReason,
        };
        emitted += length;
        if (last || signal?.aborted) return;
      }
    } catch (error) {
      if (error === ABORTED) return;
      throw error;
    } finally {
      lease.release();
      void plan.return(undefined).catch(() => undefined);
    }
  }

  return {
    voices: () => voiceStore().list(),
    speak,
    sessions,
    async warmUp() {
      voiceStore();
      await Promise.all([warmUpPhonemizer(), assetsReady()]);
      (await sessions.acquire()).release();
    },
    dispose: () => sessions.dispose(),
  };
}

// Rejects bad text, speed and pause scale before any work (see [Note: Three kinds of failure] in
// errors.ts); the text checks live in readable.ts, so the CLI makes them before loading anything.
function checkInput(text: string, speed: number, pauseScale: number | undefined): SkippedText | undefined {
  const { skipped } = checkText(text);
  if (!Number.isFinite(speed) || speed < MIN_SPEED || speed > MAX_SPEED) {
    throw new KokoroError(
      'bad-speed',
      `The speed ${speed} is out of range.`,
      `Choose a speed from ${MIN_SPEED} to ${MAX_SPEED} (1 is normal).`,
    );
  }
  if (pauseScale !== undefined && !(pauseScale >= MIN_PAUSE_SCALE && pauseScale <= MAX_PAUSE_SCALE)) {
    throw new KokoroError(
      'bad-request',
      `The pause scale ${pauseScale} is out of range.`,
      `Choose a pause scale from ${MIN_PAUSE_SCALE} to ${MAX_PAUSE_SCALE} (1 is normal).`,
    );
  }
  return skipped;
}

// The text stages for one clause: normalise, phonemise, tokenise, keeping the words (words.ts);
// without word timings, the plain stages, which give the same ids.
function prepareFor(vocab: Vocab, lang: G2pLang, words: boolean): Prepare {
  if (words) return (clause) => prepareClause(clause, lang, vocab);
  return async (clause) => tokenize(await phonemize(normalizeText(clause, lang), lang), vocab);
}

/** Thrown inside speak() when its signal fires; never escapes it. */
const ABORTED = Symbol('aborted');

// Resolves like `promise`, or rejects with ABORTED as soon as `signal` fires.
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(ABORTED);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(ABORTED);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

type RunQueue = (
  lease: SessionLease,
  ids: BigInt64Array,
  style: Float32Array,
  speed: number,
  signal: AbortSignal | undefined,
) => Promise<RunOutput>;

// See [Note: One run at a time]. inferMs times the run alone, not the wait for its turn: the
// onnxruntime time measured in the inference thread.
function createRunQueue(): RunQueue {
  let tail: Promise<unknown> = Promise.resolve();
  return (lease, ids, style, speed, signal) => {
    const run = tail.then(async () => {
      if (signal?.aborted) throw ABORTED;
      return lease.run(ids, style, speed);
    });
    tail = run.catch(() => undefined);
    return run;
  };
}
