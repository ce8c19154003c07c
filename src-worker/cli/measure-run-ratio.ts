// Runs in a developer's shell, beside measure-stop.ts (not in the app or
// the tests): the run-time side of [Note: Measuring Stop] in measure-stop.ts, robust to a shared
// machine. After Stop the next utterance waits for the rest of the run in flight: at a random
// moment of a run of T ms that rest is uniform on [0, T], median T/2. So a cap keeps the Stop
// target when T(cap)/2 ≤ T(short first chunk). Both runs are timed inside the inference thread,
// in pairs seconds apart (short, cap-sized, short, cap-sized, …), so a machine that is slower
// for a while slows both alike, and the ratio of each pair is what is reported.
//
// Usage: node --import tsx src-worker/cli/measure-run-ratio.ts [--rounds N] [--caps 64,40,32]

import { parseArgs } from 'node:util';
import { assetPaths } from '../assets/cache.ts';
import { DEFAULT_VOICE } from '../protocol/messages.ts';
import { createEngine, type Chunk, type Engine } from '../engine/engine.ts';
import { percentile } from '../engine/metrics.ts';
import { createSessionPool } from '../sessions/session-pool.ts';

const SHORT = 'The quick brown fox jumps over the lazy dog.';
const SENTENCE = 'This sentence is one of very many in a long chapter, and it ends here. ';
/** Chunks of the long text from here on are at the cap (budgets have grown). */
const STEADY_FROM = 4;
const STEADY_CHUNKS = 4;

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '8' }, caps: { type: 'string', default: '64,40,32' } } });
const caps = values.caps.split(',').map(Number);
const sessions = createSessionPool(assetPaths().model, {});
const voice = { voice: DEFAULT_VOICE, speed: 1 };

async function inputs(engine: Engine, text: string, from: number, count: number): Promise<Chunk['input'][]> {
  const controller = new AbortController();
  const got: Chunk['input'][] = [];
  for await (const chunk of engine.speak(text, { ...voice, signal: controller.signal })) {
    if (chunk.index >= from) got.push(chunk.input);
    if (got.length === count) controller.abort();
  }
  return got;
}

const engines = await Promise.all(caps.map((cap) => createEngine({ sessions, longestRunTokens: cap })));
await engines[0]?.warmUp();
const [short] = await inputs(engines[0] as Engine, SHORT, 0, 1);
if (!short) throw new Error('no short chunk');
const long = SENTENCE.repeat(200);
const steady = await Promise.all(engines.map((e) => inputs(e, long, STEADY_FROM, STEADY_CHUNKS)));
const lease = await sessions.acquire();
const run = async (input: Chunk['input']): Promise<number> => (await lease.run(input.ids, input.style, input.speed)).inferMs;
await run(short);
const pairs = new Map<number, { shortMs: number; capMs: number }[]>(caps.map((c) => [c, []]));
for (let r = 0; r < Number(values.rounds); r++) {
  for (const [i, cap] of caps.entries()) {
    const chunks = steady[i] ?? [];
    const capInput = chunks[r % chunks.length];
    if (!capInput) continue;
    const shortMs = await run(short);
    const capMs = await run(capInput);
    pairs.get(cap)?.push({ shortMs, capMs });
  }
}
lease.release();
const p50 = (xs: number[]): number => Math.round(percentile(xs, 50));
const summary = Object.fromEntries(
  [...pairs].map(([cap, list], i) => [
    `cap ${cap}`,
    {
      pairs: list.length,
      capChunkIds: (steady[i] ?? []).map((x) => x.ids.length - 2),
      shortFirstChunkIds: short.ids.length - 2,
      shortRunMsP50: p50(list.map((x) => x.shortMs)),
      capRunMsP50: p50(list.map((x) => x.capMs)),
      // Median wait after a Stop at a random moment of such a run, in short first-chunk runs.
      halfCapRunOverShortRunP50: Number(
        percentile(
          list.map((x) => x.capMs / 2 / x.shortMs),
          50,
        ).toFixed(3),
      ),
    },
  ]),
);
process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
await sessions.dispose();
