// Runs in the worker (and the CLI, tests, benchmark): turns the user's CoreML compute-unit choice
// into the execution-provider config onnxruntime-node understands, in one tested function.
//
// [Note: CoreML flags]
// onnxruntime-node takes CoreML options only as one bit field, `coreMlFlags` (the string options
// MLComputeUnits/ModelFormat of the C API are not passed through by the Node binding). The device
// bits are exclusive: onnxruntime throws "Multiple device options selected" when more than one of
// CPU-only, CPU+GPU and Neural-Engine is set, and no device bit means "all compute units". The
// Neural-Engine bit makes session creation throw "The current system does not have Apple Neural
// Engine" on a Mac without one, so providers.ts offers it only on Apple Silicon. MLProgram is the
// newer CoreML model format (macOS 12+); without it onnxruntime builds a NeuralNetwork model.
// Values from onnxruntime's coreml_provider_factory.h.
//
// [Note: No silent CPU]
// onnxruntime-common drops a listed execution provider whose backend is not registered, with only
// a console warning ("removing requested execution provider "coreml" ... backend not found"),
// as long as another listed provider remains. Listing ['coreml', 'cpu'] therefore yields a plain
// CPU session wherever CoreML is missing, and we would report CoreML while running on CPU (seen
// here on Linux). Listing CoreML alone makes that case fail loudly ("no available backend
// found"), and the pool falls back to CPU with the reason. Nodes CoreML cannot take still run:
// the native runtime always adds its CPU provider for them.

import type { InferenceSession } from 'onnxruntime-node';
import { COREML_UNITS, COREML_UNIT_LABELS, DEFAULT_COREML_OPTIONS, type CoreMlUnits, type ProviderChoice } from '../protocol/messages.ts';

/** COREML_FLAG_USE_CPU_ONLY: run the CoreML model on the CPU only. */
export const COREML_FLAG_USE_CPU_ONLY = 0x001;
/** COREML_FLAG_ENABLE_ON_SUBGRAPH: let CoreML take nodes inside control-flow subgraphs too. */
export const COREML_FLAG_ENABLE_ON_SUBGRAPH = 0x002;
/** COREML_FLAG_ONLY_ENABLE_DEVICE_WITH_ANE: CPU + Neural Engine (throws on Macs without one). */
export const COREML_FLAG_ONLY_ENABLE_DEVICE_WITH_ANE = 0x004;
/** COREML_FLAG_ONLY_ALLOW_STATIC_INPUT_SHAPES: CoreML takes only nodes with fixed input shapes. */
export const COREML_FLAG_ONLY_ALLOW_STATIC_INPUT_SHAPES = 0x008;
/** COREML_FLAG_CREATE_MLPROGRAM: build an ML Program instead of a NeuralNetwork model. */
export const COREML_FLAG_CREATE_MLPROGRAM = 0x010;
/** COREML_FLAG_USE_CPU_AND_GPU: CPU + GPU, never the Neural Engine. */
export const COREML_FLAG_USE_CPU_AND_GPU = 0x020;

/** The CoreML options a user (or the benchmark) picks. */
export interface CoreMlOptions {
  units: CoreMlUnits;
  mlProgram: boolean;
  /** Advanced: also hand control-flow subgraphs to CoreML (off by default). */
  subgraphs?: boolean;
  /** Advanced: only give CoreML nodes whose input shapes are static (off by default). */
  staticShapes?: boolean;
}

/** The device bit of each compute-unit choice (`all` sets none, see [Note: CoreML flags]). */
const UNIT_FLAGS: Readonly<Record<CoreMlUnits, number>> = {
  all: 0,
  'cpu-gpu': COREML_FLAG_USE_CPU_AND_GPU,
  'cpu-ane': COREML_FLAG_ONLY_ENABLE_DEVICE_WITH_ANE,
  'cpu-only': COREML_FLAG_USE_CPU_ONLY,
};

/** Maps a CoreML choice to onnxruntime-node's `coreMlFlags` bit field (see [Note: CoreML flags]). */
export function coreMlFlags(options: CoreMlOptions): number {
  const unitFlag = UNIT_FLAGS[options.units] as number | undefined;
  if (unitFlag === undefined) {
    throw new TypeError(`Unknown CoreML compute units "${String(options.units)}"; use one of ${COREML_UNITS.join(', ')}.`);
  }
  let flags = unitFlag;
  if (options.mlProgram) flags |= COREML_FLAG_CREATE_MLPROGRAM;
  if (options.subgraphs === true) flags |= COREML_FLAG_ENABLE_ON_SUBGRAPH;
  if (options.staticShapes === true) flags |= COREML_FLAG_ONLY_ALLOW_STATIC_INPUT_SHAPES;
  return flags;
}

/**
 * The execution-provider list for a CoreML session: CoreML alone. onnxruntime itself runs the
 * nodes CoreML cannot take on its CPU provider; see [Note: No silent CPU] for why 'cpu' is not listed.
 */
export function coreMlExecutionProviders(options: CoreMlOptions): InferenceSession.ExecutionProviderConfig[] {
  return [{ name: 'coreml', coreMlFlags: coreMlFlags(options) }];
}

/** The CoreML options a provider choice implies (the defaults when it names none). */
export function coreMlOptionsOf(choice: ProviderChoice): CoreMlOptions {
  return choice.coreml ? { ...choice.coreml } : { ...DEFAULT_COREML_OPTIONS };
}

/** A short human name for a CoreML choice, e.g. "CoreML (CPU + GPU, ML Program)". */
export function describeCoreMl(options: CoreMlOptions): string {
  const format = options.mlProgram ? 'ML Program' : 'NeuralNetwork';
  return `CoreML (${COREML_UNIT_LABELS[options.units]}, ${format})`;
}
