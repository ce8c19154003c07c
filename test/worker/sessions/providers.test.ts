// Runs in the tests: provider detection, for real on this machine and judged from facts of Macs.
//
// With KOKORO_BAR_TEST_COREML=1 (macOS CI on Apple Silicon) the real detection must offer CoreML.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { APPLE_M2_FACTS } from './host-facts.ts';
import {
  assessProviders,
  detectProviders,
  formatProviderReport,
  gatherHostFacts,
  usingCpu,
  type HostFacts,
} from '../../../src-worker/sessions/providers.ts';

const REQUIRE_COREML = process.env['KOKORO_BAR_TEST_COREML'] === '1';

/** The shared M2 facts, with a package that ships more platforms and one more backend. */
const APPLE_M2: HostFacts = {
  ...APPLE_M2_FACTS,
  shippedBinaries: ['darwin/arm64', 'linux/x64'],
  backends: { ok: true, names: ['cpu', 'coreml', 'webgpu'] },
};

function availability(facts: HostFacts) {
  const report = assessProviders(facts);
  return {
    providers: Object.fromEntries(report.options.map((o) => [o.provider, o.available])),
    units: Object.fromEntries(report.coremlUnits.map((u) => [u.units, u.available])),
    report,
  };
}

test('real detection here: CPU available; CoreML only where it can run, with a reason otherwise', () => {
  const report = detectProviders();
  const cpu = report.options.find((o) => o.provider === 'cpu');
  const coreml = report.options.find((o) => o.provider === 'coreml');
  assert.equal(cpu?.available, true, cpu?.reason ?? '');
  assert.equal(report.facts.backends.ok && report.facts.backends.names.includes('cpu'), true);
  if (process.platform !== 'darwin') {
    assert.equal(coreml?.available, false);
    assert.equal(coreml?.reason, 'CoreML is only available on macOS.');
    assert.equal(report.coremlFallbackReason, 'CoreML is only available on macOS; using CPU.');
    assert.ok(report.coremlUnits.every((u) => !u.available && u.reason === 'CoreML is only available on macOS.'));
    assert.equal(report.neuralEngine, false);
  }
  if (REQUIRE_COREML) {
    assert.equal(coreml?.available, true, coreml?.reason ?? '');
    assert.equal(report.neuralEngine, true);
    assert.ok(
      report.coremlUnits.every((u) => u.available),
      JSON.stringify(report.coremlUnits),
    );
  }
  // The installed package ships a binary for this very platform/arch, found by inspecting bin/.
  assert.ok(report.facts.shippedBinaries.includes(`${process.platform}/${process.arch}`));
  assert.ok(report.facts.shippedBinaries.includes('darwin/arm64'), 'onnxruntime-node ships the macOS arm64 build');
  assert.equal(report.facts.onnxruntimeVersion, '1.30.0');
});

test('gatherHostFacts reads this process', () => {
  const facts = gatherHostFacts();
  assert.equal(facts.platform, process.platform);
  assert.equal(facts.arch, process.arch);
  assert.ok(facts.cpuModel.length > 0);
  if (process.platform !== 'darwin') assert.equal(facts.appleSilicon, false);
});

test('Apple Silicon with the CoreML build: everything offered', () => {
  const { providers, units, report } = availability(APPLE_M2);
  assert.deepEqual(providers, { cpu: true, coreml: true, auto: true });
  assert.deepEqual(units, { all: true, 'cpu-gpu': true, 'cpu-ane': true, 'cpu-only': true });
  assert.equal(report.neuralEngine, true);
  assert.equal(report.coremlFallbackReason, undefined);
});

test('an Intel Mac with a self-built binary: CoreML yes, Neural Engine no', () => {
  const { providers, units, report } = availability({
    ...APPLE_M2,
    arch: 'x64',
    cpuModel: 'Intel(R) Core(TM) i7-9750H CPU @ 2.60GHz',
    appleSilicon: false,
    shippedBinaries: ['darwin/x64'],
  });
  assert.deepEqual(providers, { cpu: true, coreml: true, auto: true });
  assert.deepEqual(units, { all: true, 'cpu-gpu': true, 'cpu-ane': false, 'cpu-only': true });
  assert.equal(
    report.coremlUnits.find((u) => u.units === 'cpu-ane')?.reason,
    'This Mac has an Intel processor, which has no Neural Engine.',
  );
});

test('an Intel Mac with the stock package: nothing runs, and the reason says why', () => {
  const { providers, report } = availability({
    ...APPLE_M2,
    arch: 'x64',
    cpuModel: 'Intel(R) Core(TM) i5',
    appleSilicon: false,
    backends: { ok: false, error: 'Cannot find module ../bin/napi-v6/darwin/x64/onnxruntime_binding.node' },
  });
  assert.deepEqual(providers, { cpu: false, coreml: false, auto: false });
  assert.equal(
    report.options[0]?.reason,
    'onnxruntime-node 1.30.0 has no build for Intel Macs, so speech cannot be synthesised on this machine.',
  );
});

test('Rosetta: the reason says to install the Apple Silicon version', () => {
  const { providers, report } = availability({
    ...APPLE_M2,
    arch: 'x64',
    translated: true,
    backends: { ok: false, error: 'Cannot find module' },
  });
  assert.equal(providers['coreml'], false);
  assert.match(report.options[1]?.reason ?? '', /Rosetta.*install the Apple Silicon version/);
});

test('a macOS binary built without CoreML: CPU yes, CoreML no, named version', () => {
  const { providers, report } = availability({ ...APPLE_M2, backends: { ok: true, names: ['cpu'] } });
  assert.deepEqual(providers, { cpu: true, coreml: false, auto: true });
  assert.equal(report.options[1]?.reason, 'This build of onnxruntime-node (1.30.0, darwin/arm64) was compiled without CoreML.');
  assert.equal(
    report.coremlFallbackReason,
    'This build of onnxruntime-node (1.30.0, darwin/arm64) was compiled without CoreML; using CPU.',
  );
});

test('Linux and Windows: CoreML is macOS-only', () => {
  for (const platform of ['linux', 'win32'] as const) {
    const { providers } = availability({
      ...APPLE_M2,
      platform,
      arch: 'x64',
      appleSilicon: false,
      shippedBinaries: [`${platform}/x64`],
      backends: { ok: true, names: ['cpu', 'webgpu'] },
    });
    assert.deepEqual(providers, { cpu: true, coreml: false, auto: true }, platform);
  }
});

test('usingCpu turns a reason into a fallback sentence', () => {
  assert.equal(usingCpu('CoreML is only available on macOS.'), 'CoreML is only available on macOS; using CPU.');
  assert.equal(usingCpu('no dot'), 'no dot; using CPU.');
});

test('the doctor lines name every provider and compute unit', () => {
  const lines = formatProviderReport(assessProviders(APPLE_M2));
  assert.ok(lines.some((l) => l.startsWith('machine: darwin/arm64, Apple M2 (Apple Silicon')));
  assert.ok(lines.includes('provider coreml: available'));
  assert.ok(lines.includes('  coreml units cpu-ane (CPU + Neural Engine): available'));
  const here = formatProviderReport(detectProviders());
  assert.ok(here.some((l) => l.startsWith('provider cpu: available')));
});
