// Runs in Node (tests): host facts of an Apple Silicon Mac, so provider logic can be tested
// here as if CoreML could run.

import type { HostFacts } from '../../../src-worker/sessions/providers.ts';

/** An M2 Mac with onnxruntime-node 1.30 and its CoreML backend. */
export const APPLE_M2_FACTS: HostFacts = {
  platform: 'darwin',
  arch: 'arm64',
  cpuModel: 'Apple M2',
  appleSilicon: true,
  translated: false,
  onnxruntimeVersion: '1.30.0',
  shippedBinaries: ['darwin/arm64'],
  backends: { ok: true, names: ['cpu', 'coreml'] },
};
