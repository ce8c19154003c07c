// Runs in a developer's shell (`npm run measure:stop`), not in the app or the tests: measures what
// issue 9 asks of Stop ("a new utterance after Stop starts within one short chunk of the idle
// TTFA, however long the stopped text was") for one or more run caps, side by side.
//
// [Note: Measuring Stop]
// Each trial, for each cap in turn (A B C A B C …, one session shared by all, so every cap sees the
// same machine): the idle TTFA of a short sentence; then a 200 KB text is spoken as fast as the
// engine goes and, once its chunk STOP_AFTER_CHUNK has arrived (chunks are full size by then),
// Stop comes after a seeded-random delay drawn uniformly from [0, STOP_WINDOW_RUNS × the longest
// run so far), i.e. at a random moment of one of the next runs (more likely a long one, as for a
// user pressing Stop during playback); at once the same short sentence is asked for and its TTFA
// taken. TTFA is the engine's, to the first audible sample, with the
// benchmark's meter (metrics.ts). The figure to judge is the p50 of (after Stop − idle) against
// the p50 inference time of the short sentence's first chunk ("one short chunk"); on a shared
// machine whose speed drifts, also each trial's (after Stop − idle) over that trial's own short
// first-chunk run, in percent (deltaOverShortChunk, ≤ 100 = within one short chunk).
//
// Usage: npm run measure:stop -- [--trials N] [--caps 64,48,32] [--seed N]

import { parseArgs } from 'node:util';
import { DEFAULT_VOICE } from '../protocol/messages.ts';
import { createEngine, type Engine, type EngineOptions } from '../engine/engine.ts';
import { engineOptionsFromEnv } from '../serve/boot.ts';
import { createMeter, percentile } from '../engine/metrics.ts';
import { createSessionPool } from '../sessions/session-pool.ts';
import { assetPaths } from '../assets/cache.ts';

/** The short sentence spoken idle and after Stop (the benchmark's short preset). */
const SHORT = 'The quick brown fox jumps over the lazy dog.';
/** The long text that is stopped. */
const SENTENCE = 'This sentence is one of very many in a long chapter, and it ends here. ';
const LONG_TEXT_CHARS = 200_000;
/** Stop comes after this chunk, within STOP_WINDOW_RUNS of the longest run so far (see [Note: Measuring Stop]). */
const STOP_AFTER_CHUNK = 4;
const STOP_WINDOW_RUNS = 2;

/** mulberry32 (as test/seeded-random.ts): the Stop delays of a run can be replayed by its seed. */
function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const { values } = parseArgs({
  options: {
    trials: { type: 'string', default: '7' },
    caps: { type: 'string', default: '64' },
    seed: { type: 'string', default: '9' },
  },
});
const caps = values.caps.split(',').map(Number);
const random = seededRandom(Number(values.seed));
const text = SENTENCE.repeat(Math.ceil(LONG_TEXT_CHARS / SENTENCE.length));
const base: EngineOptions = engineOptionsFromEnv(process.env) ?? {};
const sessions = createSessionPool((base.assets ?? assetPaths()).model, base.session);
const engines = new Map<number, Engine>();
for (const cap of caps) engines.set(cap, await createEngine({ ...base, sessions, longestRunTokens: cap }));
const voice = { voice: DEFAULT_VOICE, speed: 1 };

/** TTFA (ms, first audible sample) of SHORT and its first chunk's run time. */
async function shortTtfa(engine: Engine): Promise<{ ttfaMs: number; firstInferMs: number; firstPrepareMs: number }> {
  const meter = createMeter(performance.now());
  let waitFrom = performance.now();
  let firstInferMs: number | undefined;
  let firstPrepareMs = 0;
  for await (const chunk of engine.speak(SHORT, voice)) {
    if (firstInferMs === undefined) firstPrepareMs = chunk.timings.prepareMs;
    meter.chunk(chunk.pcm, performance.now() - waitFrom, chunk.dropped);
    meter.posted();
    firstInferMs ??= chunk.timings.inferMs;
    waitFrom = performance.now();
  }
  if (meter.ttfaMs === undefined || firstInferMs === undefined) throw new Error('The short sentence gave no audible chunk.');
  return { ttfaMs: meter.ttfaMs, firstInferMs, firstPrepareMs };
}

/** Speaks the long text and stops it at a random moment (see [Note: Measuring Stop]); resolves at the Stop. */
async function stopMidRun(engine: Engine): Promise<{ delayMs: number; runMs: number; tokens: number }> {
  const controller = new AbortController();
  let stopped: Promise<{ delayMs: number; runMs: number; tokens: number }> | undefined;
  let runMs = 0;
  let tokens = 0;
  for await (const chunk of engine.speak(text, { ...voice, signal: controller.signal })) {
    runMs = Math.max(runMs, chunk.timings.inferMs);
    tokens = Math.max(tokens, chunk.timings.tokens);
    if (chunk.index === STOP_AFTER_CHUNK) {
      const delayMs = random() * STOP_WINDOW_RUNS * runMs;
      stopped = new Promise((resolve) =>
        setTimeout(() => {
          controller.abort();
          resolve({ delayMs, runMs, tokens });
        }, delayMs),
      );
    }
  }
  if (!stopped) throw new Error('The long text ended before the Stop.');
  return stopped;
}

await Promise.all([...engines.values()].map((e) => e.warmUp()));
await shortTtfa(engines.get(caps[0] as number) as Engine); // warm-up, not counted
type Trial = {
  idleMs: number;
  afterStopMs: number;
  firstInferMs: number;
  afterInferMs: number;
  afterPrepareMs: number;
  stopDelayMs: number;
  stoppedRunMs: number;
  stoppedTokens: number;
};
const trials = new Map<number, Trial[]>(caps.map((c) => [c, []]));
for (let t = 0; t < Number(values.trials); t++) {
  for (const cap of caps) {
    const engine = engines.get(cap) as Engine;
    const idle = await shortTtfa(engine);
    const stop = await stopMidRun(engine);
    const after = await shortTtfa(engine);
    trials.get(cap)?.push({
      idleMs: idle.ttfaMs,
      afterStopMs: after.ttfaMs,
      firstInferMs: idle.firstInferMs,
      afterInferMs: after.firstInferMs,
      afterPrepareMs: after.firstPrepareMs,
      stopDelayMs: stop.delayMs,
      stoppedRunMs: stop.runMs,
      stoppedTokens: stop.tokens,
    });
    process.stderr.write(
      `trial ${t + 1} cap ${cap}: idle ${idle.ttfaMs.toFixed(0)} ms, after Stop ${after.ttfaMs.toFixed(0)} ms (its run ${after.firstInferMs.toFixed(0)} ms, idle's ${idle.firstInferMs.toFixed(0)} ms, prepare ${after.firstPrepareMs.toFixed(0)} ms; Stop ${stop.delayMs.toFixed(0)} ms after chunk ${STOP_AFTER_CHUNK}; longest run so far ${stop.runMs.toFixed(0)} ms, ${stop.tokens} ids)\n`,
    );
  }
}
await Promise.all([...engines.values()].map((e) => e.dispose()));

const stat = (xs: number[]): { p50: number; p95: number } => ({ p50: Math.round(percentile(xs, 50)), p95: Math.round(percentile(xs, 95)) });
const summary = Object.fromEntries(
  [...trials].map(([cap, list]) => {
    const idle = stat(list.map((x) => x.idleMs));
    const afterStop = stat(list.map((x) => x.afterStopMs));
    const firstInfer = stat(list.map((x) => x.firstInferMs));
    const deltaP50 = afterStop.p50 - idle.p50;
    return [
      `cap ${cap}`,
      {
        trials: list.length,
        idleTtfaMs: idle,
        afterStopTtfaMs: afterStop,
        deltaP50Ms: deltaP50,
        shortFirstChunkInferMs: firstInfer,
        afterStopFirstChunkInferMs: stat(list.map((x) => x.afterInferMs)),
        withinOneShortChunk: deltaP50 <= firstInfer.p50,
        // Each trial's wait in units of its own short first chunk's run, measured seconds apart:
        // a machine that is slower for a while slows both alike (see [Note: Measuring Stop]).
        deltaOverShortChunk: stat(list.map((x) => ((x.afterStopMs - x.idleMs) / x.firstInferMs) * 100)),
        longestRunBeforeStopMs: stat(list.map((x) => x.stoppedRunMs)),
        longestChunkIds: Math.max(...list.map((x) => x.stoppedTokens)),
      },
    ];
  }),
);
process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
