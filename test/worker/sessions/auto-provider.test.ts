// Runs in the tests: Auto chooses from benchmark results stored on this machine.

import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import {
  MAX_STORED_RESULTS,
  benchStorePath,
  chooseAuto,
  decideAuto,
  describeAuto,
  readBenchResults,
  saveBenchResult,
  thisMachine,
  type StoredBenchRow,
} from '../../../src-worker/sessions/auto-provider.ts';
import { assessProviders } from '../../../src-worker/sessions/providers.ts';
import { APPLE_M2_FACTS } from './host-facts.ts';
import type { BenchPreset, BenchResult, MachineInfo } from '../../../src-worker/protocol/messages.ts';

/** Facts of an Apple Silicon Mac, so CoreML counts as runnable. */
const M2 = APPLE_M2_FACTS;
const MAC = assessProviders(M2);
const LINUX = assessProviders({
  ...M2,
  platform: 'linux',
  arch: 'x64',
  cpuModel: 'Intel Xeon',
  appleSilicon: false,
  shippedBinaries: ['linux/x64'],
  backends: { ok: true, names: ['cpu'] },
});
const MAC_ID = { cpu: 'Apple M2', platform: 'darwin', arch: 'arm64' };

function machine(id = MAC_ID): MachineInfo {
  return { ...id, cores: 8, memoryBytes: 16e9, node: 'v20', onnxruntime: '1.30.0', model: 'kokoro-v1.0.int8.onnx' };
}

function row(
  provider: 'cpu' | 'coreml',
  ttfa: number,
  rtf: number,
  extra: Partial<StoredBenchRow> = {},
  preset: BenchPreset = 'short',
): StoredBenchRow {
  const stat = (v: number) => ({ p50: v, p95: v * 1.2 });
  return {
    preset,
    provider,
    runs: 5,
    ttfaEngineMs: stat(ttfa),
    rtf: stat(rtf),
    floorMs: stat(ttfa * 0.8),
    floorRtf: stat(rtf * 0.8),
    audioSeconds: 3,
    peakRssBytes: 5e8,
    ...extra,
  };
}

function result(rows: StoredBenchRow[], startedAt = '2026-11-20T10:00:00Z', id = MAC_ID): BenchResult {
  return { startedAt, machine: machine(id), rows };
}

test('no stored results: CPU, with a reason that says to run the benchmark', () => {
  const decision = chooseAuto([], MAC, MAC_ID);
  assert.deepEqual(decision.choice, { provider: 'cpu' });
  assert.match(decision.reason, /until the benchmark has been run on this machine/);
});

test('results from another machine are ignored', () => {
  const other = result([row('coreml', 100, 0.1), row('cpu', 900, 0.9)], undefined, { ...MAC_ID, cpu: 'Apple M3 Max' });
  assert.deepEqual(chooseAuto([other], MAC, MAC_ID).choice, { provider: 'cpu' });
  assert.match(chooseAuto([other], MAC, MAC_ID).reason, /until the benchmark/);
});

test('the faster first audio wins when both keep up', () => {
  const stored = [result([row('cpu', 420, 0.3), row('coreml', 180, 0.15)])];
  const decision = chooseAuto(stored, MAC, MAC_ID);
  assert.deepEqual(decision.choice, { provider: 'coreml', coreml: { units: 'all', mlProgram: true } });
  assert.equal(
    decision.reason,
    'Auto chose CoreML (All compute units, ML Program): first audio 180 ms, RTF 0.15, against CPU first audio 420 ms, RTF 0.30, measured on this machine on 2026-11-20.',
  );
});

test('CPU wins when it measured better', () => {
  const decision = chooseAuto([result([row('cpu', 150, 0.2), row('coreml', 600, 0.4)])], MAC, MAC_ID);
  assert.deepEqual(decision.choice, { provider: 'cpu' });
  assert.match(decision.reason, /^Auto chose CPU: first audio 150 ms/);
});

test('keeping up with playback beats a faster start that falls behind', () => {
  const decision = chooseAuto([result([row('cpu', 500, 0.6), row('coreml', 120, 1.4)])], MAC, MAC_ID);
  assert.deepEqual(decision.choice, { provider: 'cpu' });
});

test('compute units come from the stored choice; the best of several wins', () => {
  const rows = [
    row('cpu', 400, 0.4),
    row('coreml', 300, 0.3, { choice: { provider: 'coreml', coreml: { units: 'cpu-gpu', mlProgram: true } } }),
    row('coreml', 200, 0.2, { choice: { provider: 'coreml', coreml: { units: 'cpu-ane', mlProgram: false } } }),
  ];
  assert.deepEqual(chooseAuto([result(rows)], MAC, MAC_ID).choice, {
    provider: 'coreml',
    coreml: { units: 'cpu-ane', mlProgram: false },
  });
});

test('providers that cannot run now are not candidates', () => {
  const linuxId = { cpu: 'Intel Xeon', platform: 'linux', arch: 'x64' };
  const stored = [result([row('cpu', 900, 1.2), row('coreml', 100, 0.1)], undefined, linuxId)];
  assert.deepEqual(chooseAuto(stored, LINUX, linuxId).choice, { provider: 'cpu' });
});

test('the newest result of each provider counts', () => {
  const stored = [
    result([row('cpu', 400, 0.4), row('coreml', 200, 0.2)], '2026-11-01T00:00:00Z'),
    // macOS update: CoreML got slower; only CoreML re-measured.
    result([row('coreml', 700, 0.5)], '2026-11-21T00:00:00Z'),
  ];
  assert.deepEqual(chooseAuto(stored, MAC, MAC_ID).choice, { provider: 'cpu' });
});

test('only presets both measured are compared', () => {
  const stored = [result([row('cpu', 300, 0.3, {}, 'short'), row('cpu', 9000, 0.3, {}, 'long'), row('coreml', 350, 0.3, {}, 'short')])];
  assert.deepEqual(chooseAuto(stored, MAC, MAC_ID).choice, { provider: 'cpu' });
});

test('the store keeps results across reads, caps them, and survives damage', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'kokoro-auto-'));
  try {
    const file = benchStorePath(dir);
    assert.deepEqual(await readBenchResults(file), []);
    await saveBenchResult(file, result([row('cpu', 400, 0.4)], '2026-11-01T00:00:00Z'));
    await saveBenchResult(file, result([row('coreml', 100, 0.1)], '2026-11-02T00:00:00Z'));
    const back = await readBenchResults(file);
    assert.equal(back.length, 2);
    assert.equal(back[1]?.rows[0]?.provider, 'coreml');
    assert.deepEqual((await decideAuto(file, MAC, MAC_ID)).choice, { provider: 'coreml', coreml: { units: 'all', mlProgram: true } });

    for (let i = 0; i < MAX_STORED_RESULTS + 3; i++) await saveBenchResult(file, result([row('cpu', i, 0.1)]));
    assert.equal((await readBenchResults(file)).length, MAX_STORED_RESULTS);
    assert.equal(JSON.parse(await readFile(file, 'utf8')).version, 1);

    await writeFile(file, '{"version":1,"results":[');
    assert.deepEqual(await readBenchResults(file), []);
    assert.deepEqual((await decideAuto(file, MAC, MAC_ID)).choice, { provider: 'cpu' });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('describeAuto says what Auto would use here and why', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'kokoro-auto-'));
  try {
    assert.match(await describeAuto(dir, LINUX), /^auto would use cpu: Auto uses CPU until the benchmark has been run/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('thisMachine names this process', () => {
  assert.equal(thisMachine().platform, process.platform);
  assert.equal(thisMachine().arch, process.arch);
});
