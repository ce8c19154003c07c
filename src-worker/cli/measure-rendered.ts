// Runs in a developer's shell, not in the app or the tests: what a run cap costs the model, from
// the model's own durations, so the figure does not depend on how busy the machine is. For each
// cap the same text (the benchmark's medium and long presets and six long sentences) is spoken
// and its runs, rendered seconds (pads and trimmed silence included) and delivered seconds are
// summed; model time is close to proportional to rendered audio (see [Note: Stop frees the
// engine] in plan.ts). Run times are printed too, but on a shared machine only as a hint.
//
// Usage: node --import tsx src-worker/cli/measure-rendered.ts [CAPS=64,48,40,32] [TRIALS=1]

import { assetPaths } from '../assets/cache.ts';
import { BENCH_PRESETS } from '../engine/bench.ts';
import { createEngine } from '../engine/engine.ts';
import { DEFAULT_VOICE, SAMPLE_RATE } from '../protocol/messages.ts';
import { createSessionPool } from '../sessions/session-pool.ts';

const LONG_SENTENCE = 'This sentence is one of very many in a long chapter, and it ends here. ';
const LONG_SENTENCES = 6;

const caps = (process.argv[2] ?? '64,48,40,32').split(',').map(Number);
const trials = Number(process.argv[3] ?? '1');
const text = [BENCH_PRESETS.medium, BENCH_PRESETS.long, LONG_SENTENCE.repeat(LONG_SENTENCES)].join('\n\n');
const sessions = createSessionPool(assetPaths().model, {});
const engines = await Promise.all(caps.map((cap) => createEngine({ sessions, longestRunTokens: cap })));
await engines[0]?.warmUp();
const out: Record<string, { runs: number; renderedS: number; deliveredS: number; inferMs: number[] }> = {};
for (let t = 0; t < trials; t++) {
  for (const [i, engine] of engines.entries()) {
    let runs = 0;
    let rendered = 0;
    let delivered = 0;
    let infer = 0;
    for await (const c of engine.speak(text, { voice: DEFAULT_VOICE, speed: 1 })) {
      runs++;
      rendered += c.renderedSamples;
      delivered += c.pcm.length;
      infer += c.timings.inferMs;
    }
    const entry = (out[`cap ${caps[i]}`] ??= { runs, renderedS: rendered / SAMPLE_RATE, deliveredS: delivered / SAMPLE_RATE, inferMs: [] });
    entry.inferMs.push(Math.round(infer));
  }
}
process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
await sessions.dispose();
