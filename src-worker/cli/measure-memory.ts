// Runs in a developer's shell (`npm run measure:memory`), not in the app or the tests: compares
// engine configurations by the worker's peak RSS and speed, each measured by the benchmark in its
// own bundled engine process (see [Note: Bench in the engine's process] in bench-process.ts),
// the configurations taking turns (A B C A B C …) so that a machine whose speed drifts shares the
// drift between them. Prints JSON: per configuration, the medians over trials of each preset's
// peak RSS (MB), RTF p50, floor RTF p50, RTF ÷ floor and TTFA p50.
//
// Usage: npm run measure:memory -- [--trials N] [--runs N] [--preset all|long|…]
//          --config 'NAME={"longestRunTokens":48,"ortOptions":{…},"env":{"MALLOC_ARENA_MAX":"2"}}' …

import { parseArgs } from 'node:util';
import { ALL_PRESETS } from '../engine/bench.ts';
import { buildBenchChild, runBenchInChild } from './bench-process.ts';
import type { EngineOptions } from '../engine/engine.ts';
import { engineOptionsFromEnv } from '../serve/boot.ts';
import { percentile } from '../engine/metrics.ts';
import type { BenchPreset, BenchResult } from '../protocol/messages.ts';

/** One configuration to measure. */
interface Config {
  longestRunTokens?: number;
  ortOptions?: NonNullable<EngineOptions['session']>['ortOptions'];
  /** Over the worker's environment (WORKER_PROCESS_ENV); null removes a variable. */
  env?: Record<string, string | null>;
}

const MEGABYTE = 1024 * 1024;

const { values } = parseArgs({
  options: {
    trials: { type: 'string', default: '3' },
    runs: { type: 'string', default: '3' },
    preset: { type: 'string', default: 'all' },
    config: { type: 'string', multiple: true, default: [] },
  },
});
const configs = values.config.map((arg): [string, Config] => {
  const at = arg.indexOf('=');
  if (at < 1) throw new Error(`--config must be NAME=JSON, not "${arg}"`);
  return [arg.slice(0, at), JSON.parse(arg.slice(at + 1)) as Config];
});
if (configs.length === 0) configs.push(['default', {}]);
const presets: BenchPreset[] = values.preset === 'all' ? [...ALL_PRESETS] : [values.preset as BenchPreset];
const base: EngineOptions = engineOptionsFromEnv(process.env) ?? {};

const bundle = await buildBenchChild();
const results = new Map<string, BenchResult[]>(configs.map(([name]) => [name, []]));
for (let trial = 0; trial < Number(values.trials); trial++) {
  for (const [name, config] of configs) {
    const engine: EngineOptions = {
      ...base,
      ...(config.longestRunTokens === undefined ? {} : { longestRunTokens: config.longestRunTokens }),
      session: { ...base.session, ...(config.ortOptions === undefined ? {} : { ortOptions: config.ortOptions }) },
    };
    const result = await runBenchInChild(
      { presets, runs: Number(values.runs), engine, graph: 'derived' },
      { bundle, ...(config.env ? { env: config.env } : {}) },
    );
    if (result) results.get(name)?.push(result);
    process.stderr.write(
      `trial ${trial + 1} ${name}: ${result?.rows.map((r) => `${r.preset} ${Math.round(r.peakRssBytes / MEGABYTE)} MB RTF ${r.rtf.p50.toFixed(3)}`).join(', ')}\n`,
    );
  }
}

const median = (xs: number[]): number => Number(percentile(xs, 50).toFixed(3));
const summary = Object.fromEntries(
  [...results].map(([name, list]) => [
    name,
    Object.fromEntries(
      presets.map((preset) => {
        const rows = list.flatMap((r) => r.rows.filter((row) => row.preset === preset));
        return [
          preset,
          {
            trials: rows.length,
            peakRssMb: median(rows.map((r) => r.peakRssBytes / MEGABYTE)),
            peakRssMbAll: rows.map((r) => Math.round(r.peakRssBytes / MEGABYTE)),
            rtf: median(rows.map((r) => r.rtf.p50)),
            floorRtf: median(rows.map((r) => r.floorRtf.p50)),
            rtfOverFloor: median(rows.map((r) => r.rtf.p50 / r.floorRtf.p50)),
            ttfaMs: median(rows.map((r) => r.ttfaEngineMs.p50)),
          },
        ];
      }),
    ),
  ]),
);
process.stdout.write(`${JSON.stringify({ configs: Object.fromEntries(configs), summary }, null, 2)}\n`);
