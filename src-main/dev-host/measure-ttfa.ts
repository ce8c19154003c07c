// Runs as a plain Node process (`npm run measure:ttfa`): measures audible TTFA in Chromium through
// the dev host with the real engine: for each preset text, clicks Speak and waits for the
// worklet's first AUDIBLE played sample (AUDIBLE_LEVEL, audible.ts), lets synthesis finish, then
// stops playback. Prints JSON with the medians and p95s of audible and engine TTFA (both to the
// first audible sample; see DESIGN.md "Metrics, defined once"), of their difference per run, and
// the underruns of each run (counted until the last chunk was queued).

import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { AUDIBLE_LEVEL } from '../../src-worker/protocol/audible.ts';
import { BENCH_PRESETS } from '../../src-worker/engine/bench.ts';
import type { BenchPreset } from '../../src-worker/protocol/messages.ts';
import { startDevHost } from './server.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--autoplay-policy=no-user-gesture-required',
];
const WAIT_MS = 300_000;
const DEFAULT_RUNS = 3;
const P95 = 0.95;
/** Wait after the last chunk before reading the underrun count, so it has reached the worklet. */
const UNDERRUN_SETTLE_MS = 300;

/** Nearest-rank percentile of `values` (fraction 0..1). */
function percentile(values: number[], fraction: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil(fraction * sorted.length));
  return sorted[rank - 1] ?? Number.NaN;
}

const round = (v: number) => Math.round(v * 10) / 10;

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { runs: { type: 'string' }, presets: { type: 'string' } } });
  const runs = values.runs === undefined ? DEFAULT_RUNS : Number(values.runs);
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs must be a whole number ≥ 1, got "${values.runs}"`);
  const presets = (values.presets ?? 'short,long').split(',') as BenchPreset[];
  for (const p of presets) if (!(p in BENCH_PRESETS)) throw new Error(`Unknown preset "${p}"; use short, medium or long`);
  if (!existsSync(CHROMIUM))
    throw new Error(`Chromium not found at ${CHROMIUM}; install it (apt-get install chromium) or set CHROMIUM_PATH`);

  execFileSync(process.execPath, [path.join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'warn'], {
    cwd: ROOT,
    stdio: 'inherit',
  });
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'kokoro-ttfa-'));
  const host = await startDevHost({ rendererDir: path.join(ROOT, 'dist/renderer'), dataDir, port: 0 });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage();
    await page.goto(host.url);
    await page.waitForSelector('[data-testid=worker-state].badge-up', { timeout: WAIT_MS });
    await page.waitForSelector('.voice-row', { timeout: WAIT_MS });

    // One utterance: click Speak, wait for the first played sample and the engine's figure, stop.
    const once = async (text: string) => {
      await page.getByLabel('Text to speak').fill(text);
      await page.getByRole('button', { name: 'Speak', exact: true }).click();
      await page.waitForFunction(
        () => {
          const m = (window as any).__kokoroStore.getState().metrics.current;
          return m && m.ttfaAudibleMs !== null && m.ttfaEngineMs !== null;
        },
        undefined,
        { timeout: WAIT_MS, polling: 20 },
      );
      const m = await page.evaluate(() => (window as any).__kokoroStore.getState().metrics.current);
      // Let synthesis run to its end before the next request: a stopped run's chunk in flight
      // would otherwise delay the next request's first chunk and inflate its TTFA.
      await page.waitForFunction(() => (window as any).__kokoroStore.getState().metrics.current?.final === true, undefined, {
        timeout: WAIT_MS,
        polling: 100,
      });
      // Underruns can only happen before the last chunk is queued; read them once it has played in.
      await page.waitForTimeout(UNDERRUN_SETTLE_MS);
      const underruns = await page.evaluate(() => (window as any).__kokoroStore.getState().playback.underruns as number);
      await page.keyboard.press('Escape');
      return { audible: m.ttfaAudibleMs as number, engine: m.ttfaEngineMs as number, underruns };
    };

    await once(BENCH_PRESETS.short); // warm-up, not counted
    const report: Record<string, unknown> = {};
    for (const preset of presets) {
      const audible: number[] = [];
      const engine: number[] = [];
      const underruns: number[] = [];
      for (let i = 0; i < runs; i += 1) {
        const r = await once(BENCH_PRESETS[preset]);
        audible.push(r.audible);
        engine.push(r.engine);
        underruns.push(r.underruns);
      }
      const gap = audible.map((a, i) => a - (engine[i] as number));
      report[preset] = {
        runs,
        audibleMinusEngineMs: { p50: round(percentile(gap, 0.5)), p95: round(percentile(gap, P95)), values: gap.map(round) },
        underruns,
        ttfaAudibleMs: { p50: round(percentile(audible, 0.5)), p95: round(percentile(audible, P95)), values: audible.map(round) },
        ttfaEngineMs: { p50: round(percentile(engine, 0.5)), p95: round(percentile(engine, P95)), values: engine.map(round) },
      };
    }
    const browserVersion = browser.version();
    console.log(
      JSON.stringify(
        {
          measuredAt: new Date().toISOString(),
          audibleLevel: `${AUDIBLE_LEVEL.toFixed(5)} (−50 dBFS)`,
          loadAverage: os.loadavg().map(round),
          browser: `Chromium ${browserVersion}`,
          cpu: os.cpus()[0]?.model,
          cores: os.cpus().length,
          presets: report,
        },
        null,
        2,
      ),
    );
  } finally {
    await browser.close();
    await host.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(`measure-ttfa: ${(error as Error).message}`);
  process.exit(1);
});
