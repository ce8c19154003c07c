// Runs in the tests: the compute-unit choice → onnxruntime coreMlFlags mapping.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  COREML_UNITS,
  coreMlExecutionProviders,
  coreMlFlags,
  coreMlOptionsOf,
  describeCoreMl,
  type CoreMlOptions,
} from '../../../src-worker/sessions/coreml.ts';

// The bit values are onnxruntime's (coreml_provider_factory.h); written out here, not imported,
// so a wrong constant in coreml.ts fails this table.
const TABLE: [CoreMlOptions, number][] = [
  [{ units: 'all', mlProgram: false }, 0x000],
  [{ units: 'all', mlProgram: true }, 0x010],
  [{ units: 'cpu-gpu', mlProgram: false }, 0x020],
  [{ units: 'cpu-gpu', mlProgram: true }, 0x030],
  [{ units: 'cpu-ane', mlProgram: false }, 0x004],
  [{ units: 'cpu-ane', mlProgram: true }, 0x014],
  [{ units: 'cpu-only', mlProgram: false }, 0x001],
  [{ units: 'cpu-only', mlProgram: true }, 0x011],
  [{ units: 'all', mlProgram: true, subgraphs: true }, 0x012],
  [{ units: 'cpu-gpu', mlProgram: false, staticShapes: true }, 0x028],
  [{ units: 'cpu-ane', mlProgram: true, subgraphs: true, staticShapes: true }, 0x01e],
  [{ units: 'cpu-only', mlProgram: false, subgraphs: false, staticShapes: false }, 0x001],
  // Repeated on purpose: the function must not keep state between calls.
  [{ units: 'all', mlProgram: false }, 0x000],
  [{ units: 'cpu-gpu', mlProgram: true }, 0x030],
];

test('coreMlFlags maps every compute-unit choice to onnxruntime bits', () => {
  for (const [options, flags] of TABLE) {
    assert.equal(coreMlFlags(options), flags, JSON.stringify(options));
  }
});

test('at most one device bit is ever set (onnxruntime throws on more)', () => {
  const deviceBits = 0x001 | 0x004 | 0x020;
  for (const units of COREML_UNITS) {
    for (const mlProgram of [false, true]) {
      const device = coreMlFlags({ units, mlProgram }) & deviceBits;
      assert.ok((device & (device - 1)) === 0, `${units}: ${device.toString(16)}`);
      assert.equal(device === 0, units === 'all');
    }
  }
});

test('unknown compute units are refused with the valid ones named', () => {
  assert.throws(
    () => coreMlFlags({ units: 'gpu-only' as never, mlProgram: false }),
    /Unknown CoreML compute units "gpu-only"; use one of all, cpu-gpu, cpu-ane, cpu-only/,
  );
});

test('execution providers list CoreML alone, so a missing CoreML fails instead of running on CPU', () => {
  assert.deepEqual(coreMlExecutionProviders({ units: 'cpu-ane', mlProgram: true }), [{ name: 'coreml', coreMlFlags: 0x014 }]);
});

test('a choice without CoreML options gets the defaults; descriptions name units and format', () => {
  assert.deepEqual(coreMlOptionsOf({ provider: 'coreml' }), { units: 'all', mlProgram: true });
  assert.deepEqual(coreMlOptionsOf({ provider: 'coreml', coreml: { units: 'cpu-gpu', mlProgram: false } }), {
    units: 'cpu-gpu',
    mlProgram: false,
  });
  assert.equal(describeCoreMl({ units: 'cpu-gpu', mlProgram: false }), 'CoreML (CPU + GPU, NeuralNetwork)');
  assert.equal(describeCoreMl({ units: 'cpu-ane', mlProgram: true }), 'CoreML (CPU + Neural Engine, ML Program)');
});
