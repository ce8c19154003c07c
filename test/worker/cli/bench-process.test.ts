// Runs in the tests: `kokoro-bar bench` measures the engine's own process, bundled as the app
// runs its worker, not the CLI's (see [Note: Bench in the engine's process] in cli/bench-process.ts).
// The CLI runs here, in this test process under tsx, with a ballast of touched memory larger than
// the engine ever needs: a row whose peak RSS were this process's would be at least the ballast.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { engineProcess } from '../../../src-worker/engine/bench.ts';
import { main } from '../../../src-worker/cli/cli.ts';
import { WORKER_ENV } from '../../../src-worker/protocol/worker-env.ts';
import { memory } from '../../../src-worker/engine/metrics.ts';
import type { BenchResult } from '../../../src-worker/protocol/messages.ts';
import { modelFiles } from '../model-fixture.ts';

const MEGABYTE = 1024 * 1024;
/** Touched memory held by this (the CLI's) process: above any engine peak of the short preset (~330 MB). */
const BALLAST_BYTES = 600 * MEGABYTE;
/** Below this, no model was loaded in the process measured. */
const LEAST_ENGINE_BYTES = 150 * MEGABYTE;

const files = await modelFiles();

async function bench(args: string[]): Promise<{ code: number; result: BenchResult; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const previous = process.env[WORKER_ENV.engine];
  process.env[WORKER_ENV.engine] = JSON.stringify({ assets: files });
  try {
    const code = await main(['bench', '--json', '--preset', 'short', '--runs', '1', ...args], {
      stdout: { write: (t: string) => (stdout += t) },
      stderr: { write: (t: string) => (stderr += t) },
      stdin: process.stdin,
    });
    return { code, result: JSON.parse(stdout) as BenchResult, stderr };
  } finally {
    if (previous === undefined) delete process.env[WORKER_ENV.engine];
    else process.env[WORKER_ENV.engine] = previous;
  }
}

test("bench reports the peak RSS of the engine's bundled process, not the CLI's", async () => {
  const ballast = Buffer.alloc(BALLAST_BYTES);
  ballast.fill(1); // touched, so resident
  const { code, result, stderr } = await bench([]);
  assert.equal(code, 0, stderr);
  assert.ok(ballast[BALLAST_BYTES - 1] === 1);
  const cli = memory().peakRssBytes;
  assert.ok(cli > BALLAST_BYTES, `the CLI holds its ballast (${Math.round(cli / MEGABYTE)} MB)`);
  const engine = result.engineProcess;
  assert.ok(engine, 'the result names the engine process');
  assert.notEqual(engine.pid, process.pid);
  assert.equal(engine.bundled, true);
  assert.equal(engine.runtime, `node ${process.version}`);
  assert.equal(result.cliProcess?.pid, process.pid);
  assert.equal(result.cliProcess?.bundled, false);
  assert.ok((result.cliProcess?.peakRssBytes ?? 0) > BALLAST_BYTES);
  const row = result.rows[0];
  assert.ok(row);
  assert.ok(row.peakRssBytes > LEAST_ENGINE_BYTES && row.peakRssBytes < BALLAST_BYTES, `${Math.round(row.peakRssBytes / MEGABYTE)} MB`);
  assert.ok(row.originalFloorMs, 'the original graph was measured in the child too');
});

test('in process (bench --in-process, the dev host), the engine process is this one, unbundled under tsx', () => {
  assert.deepEqual(engineProcess(), { pid: process.pid, runtime: `node ${process.version}`, bundled: false });
});
