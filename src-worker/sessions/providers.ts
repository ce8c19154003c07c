// Runs in the worker (and `kokoro-bar doctor`, tests): finds out which execution providers can
// work on this machine with the installed onnxruntime-node, and says in plain words why the
// others cannot.
//
// [Note: Provider detection]
// Three facts decide what we offer. (1) The platform: CoreML exists only on macOS. (2) The
// onnxruntime-node package: it ships prebuilt binaries per platform/arch under
// bin/napi-v*/<platform>/<arch>, and its `listSupportedBackends()` names the execution providers
// compiled into the binary that loaded ("coreml" only in the macOS builds; 1.30 ships macOS for
// arm64 only). (3) The chip: every Apple Silicon Mac has a Neural Engine, no Intel Mac has one,
// and onnxruntime refuses the CPU+Neural-Engine units without one (see [Note: CoreML flags]). An
// app running as Intel code under Rosetta on Apple Silicon sees arch "x64" but the chip is Apple's;
// we detect that with sysctl so the reason can tell the user to install the Apple Silicon build.
// The facts are gathered once (`gatherHostFacts`) and judged by a pure function
// (`assessProviders`) so every branch can be tested here, on Linux, with facts of a Mac.

import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { COREML_UNITS, COREML_UNIT_LABELS, type CoreMlUnits, type ProviderOption } from '../protocol/messages.ts';

/** What we know about this machine and its onnxruntime-node, before judging. */
export interface HostFacts {
  platform: NodeJS.Platform;
  /** `process.arch` of this process (x64 under Rosetta). */
  arch: string;
  /** CPU model string, e.g. "Apple M2 Pro" or "Intel(R) Core(TM) i7-9750H". */
  cpuModel: string;
  /** True when the chip is Apple Silicon, even if this process runs translated. */
  appleSilicon: boolean;
  /** True when this process is Intel code translated by Rosetta 2. */
  translated: boolean;
  /** onnxruntime-node version, or undefined when the package is missing. */
  onnxruntimeVersion: string | undefined;
  /** platform/arch pairs the package ships binaries for, e.g. ["darwin/arm64", "linux/x64"]. */
  shippedBinaries: string[];
  /** Execution providers compiled into the loaded binary, or why it did not load. */
  backends: { ok: true; names: string[] } | { ok: false; error: string };
}

/** One CoreML compute-unit choice and whether it can work here. */
export interface CoreMlUnitOption {
  units: CoreMlUnits;
  label: string;
  available: boolean;
  reason?: string;
}

/** The judgement: what to offer, what not, and why. */
export interface ProviderReport {
  /** cpu, coreml and auto, as ProviderState.options carries them. */
  options: ProviderOption[];
  /** The CoreML compute units, each available or not with its reason. */
  coremlUnits: CoreMlUnitOption[];
  /** Whether this machine has an Apple Neural Engine. */
  neuralEngine: boolean;
  /** The sentence ProviderState.fallbackReason carries when CoreML is asked for but cannot run. */
  coremlFallbackReason: string | undefined;
  facts: HostFacts;
}

/** Reads the facts of this machine (cheap; runs `sysctl` on macOS only). */
export function gatherHostFacts(): HostFacts {
  const platform = process.platform;
  const cpuModel = os.cpus()[0]?.model.trim() ?? 'unknown CPU';
  const onMac = platform === 'darwin';
  const appleSilicon = onMac && (process.arch === 'arm64' || cpuModel.startsWith('Apple') || sysctlFlag('hw.optional.arm64'));
  const translated = onMac && sysctlFlag('sysctl.proc_translated');
  const { version, shipped } = inspectOnnxruntimePackage();
  return {
    platform,
    arch: process.arch,
    cpuModel,
    appleSilicon,
    translated,
    onnxruntimeVersion: version,
    shippedBinaries: shipped,
    backends: loadBackends(),
  };
}

/** Detects what can run here: `assessProviders(gatherHostFacts())`, computed once per process. */
export function detectProviders(): ProviderReport {
  cached ??= assessProviders(gatherHostFacts());
  return cached;
}
let cached: ProviderReport | undefined;

/** Judges the facts (pure; see [Note: Provider detection]). */
export function assessProviders(facts: HostFacts): ProviderReport {
  const here = `${facts.platform}/${facts.arch}`;
  const cpuReason = cpuUnavailableReason(facts, here);
  const coremlReason = cpuReason ?? coremlUnavailableReason(facts, here);
  const neuralEngine = facts.platform === 'darwin' && facts.appleSilicon;

  const coremlUnits = COREML_UNITS.map((units): CoreMlUnitOption => {
    const label = COREML_UNIT_LABELS[units];
    if (coremlReason !== undefined) return { units, label, available: false, reason: coremlReason };
    if (units === 'cpu-ane' && !neuralEngine) {
      return {
        units,
        label,
        available: false,
        reason: 'This Mac has an Intel processor, which has no Neural Engine.',
      };
    }
    return { units, label, available: true };
  });

  const options: ProviderOption[] = [
    option('cpu', cpuReason),
    option('coreml', coremlReason),
    // Auto always works: without stored benchmark results it runs on CPU (see auto-provider.ts).
    option('auto', cpuReason),
  ];
  return {
    options,
    coremlUnits,
    neuralEngine,
    coremlFallbackReason: coremlReason === undefined ? undefined : usingCpu(coremlReason),
    facts,
  };
}

/** Turns "CoreML is only available on macOS." into "CoreML is only available on macOS; using CPU." */
export function usingCpu(reason: string): string {
  return `${reason.replace(/[.\s]+$/, '')}; using CPU.`;
}

/** Lines for `kokoro-bar doctor`: the host, then each provider and compute unit with its reason. */
export function formatProviderReport(report: ProviderReport): string[] {
  const { facts } = report;
  const chip = facts.appleSilicon ? 'Apple Silicon' : facts.platform === 'darwin' ? 'Intel' : facts.arch;
  const lines = [
    `machine: ${facts.platform}/${facts.arch}, ${facts.cpuModel} (${chip}${facts.translated ? ', running under Rosetta' : ''})`,
    `onnxruntime-node: ${facts.onnxruntimeVersion ?? 'not installed'}; binaries for ${facts.shippedBinaries.join(', ') || 'no platform'}`,
    `execution providers in the loaded binary: ${facts.backends.ok ? facts.backends.names.join(', ') : `none (${facts.backends.error})`}`,
    `neural engine: ${report.neuralEngine ? 'yes' : 'no'}`,
  ];
  for (const o of report.options) {
    lines.push(`provider ${o.provider}: ${o.available ? 'available' : `unavailable: ${o.reason ?? ''}`}`);
  }
  for (const u of report.coremlUnits) {
    lines.push(`  coreml units ${u.units} (${u.label}): ${u.available ? 'available' : `unavailable: ${u.reason ?? ''}`}`);
  }
  return lines;
}

function option(provider: ProviderOption['provider'], reason: string | undefined): ProviderOption {
  return reason === undefined ? { provider, available: true } : { provider, available: false, reason };
}

function cpuUnavailableReason(facts: HostFacts, here: string): string | undefined {
  if (facts.onnxruntimeVersion === undefined) {
    return 'The onnxruntime-node package is missing, so speech cannot be synthesised; reinstall Kokoro Bar.';
  }
  if (!facts.backends.ok) {
    if (!facts.shippedBinaries.includes(here)) {
      if (facts.translated) {
        return `Kokoro Bar is running as Intel code under Rosetta and onnxruntime-node ${facts.onnxruntimeVersion} has no Intel Mac build; install the Apple Silicon version.`;
      }
      return `onnxruntime-node ${facts.onnxruntimeVersion} has no build for ${describeHost(facts)}, so speech cannot be synthesised on this machine.`;
    }
    return `onnxruntime-node could not be loaded (${facts.backends.error}); reinstall Kokoro Bar.`;
  }
  return undefined;
}

function coremlUnavailableReason(facts: HostFacts, here: string): string | undefined {
  if (facts.platform !== 'darwin') return 'CoreML is only available on macOS.';
  if (facts.translated) {
    return 'Kokoro Bar is running as Intel code under Rosetta, where CoreML is not available; install the Apple Silicon version.';
  }
  if (facts.backends.ok && !facts.backends.names.includes('coreml')) {
    return `This build of onnxruntime-node (${facts.onnxruntimeVersion ?? '?'}, ${here}) was compiled without CoreML.`;
  }
  return undefined;
}

function describeHost(facts: HostFacts): string {
  if (facts.platform === 'darwin') return facts.arch === 'arm64' ? 'Apple Silicon Macs' : 'Intel Macs';
  return `${facts.platform} on ${facts.arch}`;
}

// Reads a 0/1 sysctl on macOS; false when it does not exist (e.g. proc_translated on Intel).
function sysctlFlag(name: string): boolean {
  try {
    return execFileSync('sysctl', ['-n', name], { encoding: 'utf8', timeout: 2_000 }).trim() === '1';
  } catch {
    return false;
  }
}

function inspectOnnxruntimePackage(): { version: string | undefined; shipped: string[] } {
  let packageJson: string;
  try {
    packageJson = createRequire(import.meta.url).resolve('onnxruntime-node/package.json');
  } catch {
    return { version: undefined, shipped: [] };
  }
  const require = createRequire(import.meta.url);
  const { version } = require(packageJson) as { version: string };
  const bin = path.join(path.dirname(packageJson), 'bin');
  const shipped = new Set<string>();
  for (const napi of listDir(bin)) {
    for (const platform of listDir(path.join(bin, napi))) {
      for (const arch of listDir(path.join(bin, napi, platform))) {
        if (existsSync(path.join(bin, napi, platform, arch, 'onnxruntime_binding.node'))) {
          shipped.add(`${platform}/${arch}`);
        }
      }
    }
  }
  return { version, shipped: [...shipped].sort() };
}

function listDir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

function loadBackends(): HostFacts['backends'] {
  try {
    const ort = createRequire(import.meta.url)('onnxruntime-node') as {
      listSupportedBackends?: () => { name: string }[];
    };
    if (typeof ort.listSupportedBackends !== 'function') {
      // Versions before listSupportedBackends: the CPU provider is always there.
      return { ok: true, names: ['cpu'] };
    }
    return { ok: true, names: ort.listSupportedBackends().map((b) => b.name) };
  } catch (error) {
    return { ok: false, error: error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error) };
  }
}
