// Runs as a plain Node process (`npm run measure:joins`): listens to chunk joins with numbers.
// For each benchmark preset it speaks the text through the real engine and, beside it, re-runs
// every chunk's exact model input bare (the audio as the model renders it, untrimmed), then
// prints JSON: leading and trailing silence, the silence heard at every join (with the boundary
// kind the text has there) and the largest sample step across the joins, for the raw
// concatenation ("before") and for what the engine streams ("after"). Silence is every sample
// below AUDIBLE_LEVEL (audible.ts).

import os from 'node:os';
import { parseArgs } from 'node:util';
import { AUDIBLE_LEVEL } from '../protocol/audible.ts';
import { BENCH_PRESETS } from '../engine/bench.ts';
import { createEngine } from '../engine/engine.ts';
import { DEFAULT_VOICE } from '../protocol/messages.ts';
import { boundaryAt } from '../engine/joins.ts';
import { SAMPLE_RATE, type BenchPreset } from '../protocol/messages.ts';

/** Samples either side of a join searched for the largest step. */
const STEP_WINDOW = 48;

interface Figures {
  leadingMs: number;
  trailingMs: number;
  joinsMs: number[];
  maxJoinStep: number;
  seconds: number;
}

function figures(pieces: Float32Array[]): Figures {
  const pcm = new Float32Array(pieces.reduce((n, p) => n + p.length, 0));
  const joins: number[] = [];
  let at = 0;
  for (const p of pieces) {
    pcm.set(p, at);
    at += p.length;
    joins.push(at);
  }
  joins.pop();
  const quiet = (i: number): boolean => Math.abs(pcm[i] as number) < AUDIBLE_LEVEL;
  const ms = (samples: number): number => Math.round((samples * 10_000) / SAMPLE_RATE) / 10;
  let lead = 0;
  while (lead < pcm.length && quiet(lead)) lead++;
  let tail = 0;
  while (tail < pcm.length && quiet(pcm.length - 1 - tail)) tail++;
  const joinsMs = joins.map((j) => {
    let a = j;
    let b = j;
    while (a > 0 && quiet(a - 1)) a--;
    while (b < pcm.length && quiet(b)) b++;
    return ms(b - a);
  });
  let step = 0;
  for (const j of joins) {
    for (let i = Math.max(1, j - STEP_WINDOW); i < Math.min(pcm.length, j + STEP_WINDOW); i++) {
      step = Math.max(step, Math.abs((pcm[i] as number) - (pcm[i - 1] as number)));
    }
  }
  return {
    leadingMs: ms(lead),
    trailingMs: ms(tail),
    joinsMs,
    maxJoinStep: Math.round(step * 1e5) / 1e5,
    seconds: pcm.length / SAMPLE_RATE,
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { presets: { type: 'string' }, voice: { type: 'string' } } });
  const presets = (values.presets ?? 'short,medium,long').split(',') as BenchPreset[];
  for (const p of presets) if (!(p in BENCH_PRESETS)) throw new Error(`Unknown preset "${p}"; use short, medium or long`);
  const voice = values.voice ?? DEFAULT_VOICE;
  const engine = await createEngine();
  try {
    await engine.warmUp();
    const report: Record<string, unknown> = {};
    for (const preset of presets) {
      const text = BENCH_PRESETS[preset];
      const after: Float32Array[] = [];
      const before: Float32Array[] = [];
      const kinds: string[] = [];
      let durations = true;
      for await (const chunk of engine.speak(text, { voice, speed: 1 })) {
        after.push(chunk.pcm);
        durations &&= chunk.durations !== undefined;
        if (!chunk.last) kinds.push(boundaryAt(text, chunk.span.end));
        const lease = await engine.sessions.acquire();
        try {
          before.push((await lease.run(chunk.input.ids, chunk.input.style, chunk.input.speed)).pcm);
        } finally {
          lease.release();
        }
      }
      report[preset] = {
        chunks: after.length,
        trimmedBy: durations ? 'durations' : 'energy',
        boundaries: kinds,
        before: figures(before),
        after: figures(after),
      };
    }
    console.log(
      JSON.stringify(
        { measuredAt: new Date().toISOString(), audibleLevel: AUDIBLE_LEVEL, loadAverage: os.loadavg(), presets: report },
        null,
        2,
      ),
    );
  } finally {
    await engine.dispose();
  }
}

main().catch((error: unknown) => {
  console.error(`measure-joins: ${(error as Error).message}`);
  process.exit(1);
});
