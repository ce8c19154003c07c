// Runs in the user's shell (`npx kokoro-bar …`, through kokoro-bar.js): the command-line face of the
// engine: say, voices, doctor, bench and fetch. The engine runs in this process, as in the tests.
//
// [Note: CLI output]
// Results go to stdout (the voice table, bench JSON), everything about the run to stderr (TTFA,
// RTF, where the WAV went, progress), so `kokoro-bar bench --json > result.json` stays clean.
// `say` without --out writes a temporary WAV, says where, and plays it with the first player
// found on PATH (afplay on macOS; paplay, aplay or ffplay elsewhere) unless --no-play is given.
// Engine options may come from KOKORO_BAR_ENGINE (JSON, as for entry-node.ts), so the tests and
// a developer without the verified cache can point the CLI at other model files.

import { spawn, spawnSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { parseArgs, type ParseArgsOptionsConfig } from 'node:util';
import { assetPaths, checkAssets, defaultCacheDir } from '../assets/cache.ts';
import { loadManifest } from '../assets/manifest.ts';
import { runFetchCommand } from './assets-command.ts';
import { describeAuto, recordBenchmark } from '../sessions/auto-provider.ts';
import { ALL_PRESETS, engineProcess, runBenchSweep, type BenchSweepOptions } from '../engine/bench.ts';
import { buildBenchChild, runBenchInChild } from './bench-process.ts';
import { timingsJson, toSrt, toVtt } from './captions.ts';
import { createEngine, type Engine, type EngineOptions } from '../engine/engine.ts';
import { KokoroError, noSpeakableText } from '../engine/errors.ts';
import { WORKER_ENV } from '../protocol/worker-env.ts';
import { engineOptionsFromEnv } from '../serve/boot.ts';
import { createMeter, memory } from '../engine/metrics.ts';
import { parseVoiceSpec } from '../engine/voices.ts';
import { checkText } from '../text/readable.ts';
import { mayHaveSpeech } from '../text/normalize.ts';
import {
  DEFAULT_SPEED,
  DEFAULT_VOICE,
  MAX_SPEED,
  MIN_SPEED,
  SAMPLE_RATE,
  type BenchPreset,
  type BenchResult,
  type WordTiming,
} from '../protocol/messages.ts';
import { resolveGraph, type GraphResolution } from '../sessions/graph-derive.ts';
import { detectProviders, formatProviderReport } from '../sessions/providers.ts';
import { resolveThreads } from '../sessions/threads.ts';
import { createWavWriter } from './wav.ts';

/** What to do about empty text, in command-line terms (the engine's wording is the app's). */
const CLI_EMPTY_TEXT_ACTION = 'Give the text as an argument (kokoro-bar say "Hello") or on standard input (echo Hello | kokoro-bar say -).';

/** Signals that stop `say` with its WAV closed (see [Note: A stopped say closes its WAV]). */
const STOP_SIGNALS = ['SIGINT', 'SIGTERM'] as const;
type StopSignal = (typeof STOP_SIGNALS)[number];
/** A process ended by signal n exits with 128 + n, as the shell reports it. */
const SIGNAL_EXIT_BASE = 128;

/** Runs the benchmark this many times per preset unless told otherwise. */
const DEFAULT_BENCH_RUNS = 3;
/** The most intra-op threads `bench --threads` accepts. */
const MAX_BENCH_THREADS = 256;
const MEGABYTE = 1024 * 1024;

const USAGE = `Usage: kokoro-bar <command> [options]

Commands:
  say [--voice V] [--speed S] [--out FILE.wav] [--timings FILE.json] [--subtitles FILE.vtt|FILE.srt] [--no-play] [TEXT | -]
        Speak TEXT (or standard input with "-" or when piped) to a 24 kHz mono WAV.
        --timings writes each word's start and end (seconds into the WAV) and its characters in TEXT
        (charStart/charEnd count UTF-16 code units, as JavaScript strings do: an emoji counts 2);
        --subtitles writes sentence captions (WebVTT with word timestamps, or SRT).
        V is a voice id or a blend like "af_heart:0.7,af_bella:0.3" (default ${DEFAULT_VOICE});
        S is ${MIN_SPEED}..${MAX_SPEED} (default ${DEFAULT_SPEED}). Without --out the WAV goes to a temporary
        file and is played if a player is found. TTFA (to the first audible sample) and RTF go to stderr.
  voices                 List the voices.
  doctor                 Check the model files, providers, threads and versions.
  bench [--json] [--preset short|medium|long|all] [--runs N] [--voice V]
        [--threads N[,N…]] [--graph derived|original] [--in-process]
        Benchmark the engine (TTFA, RTF, memory, and the bare-model floor of the graph it
        runs, beside the bare run of the original graph). --threads sweeps intra-op thread
        counts (Auto then uses the best); --graph runs the engine on that graph. The engine
        runs in a child process, bundled as the app's worker is, and the RSS is that
        process's; --in-process runs it in this one instead (its RSS then includes the CLI).
  fetch [options]        Download and verify the model files (see: kokoro-bar fetch --help).
`;

/** Where the CLI writes; the tests pass their own. */
export interface CliIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown; isTTY?: boolean };
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
}

class UsageError extends Error {}

/** Runs one CLI command; resolves to the process exit code. */
export async function main(argv: string[], io: CliIo = process): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'say':
        return await say(rest, io);
      case 'voices':
        return await withEngine((engine) => voices(engine, io));
      case 'doctor':
        return await doctor(io);
      case 'bench':
        return await bench(rest, io);
      case 'fetch':
        return await runFetchCommand(rest);
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        io.stdout.write(USAGE);
        return command === undefined ? 2 : 0;
      default:
        throw new UsageError(`Unknown command "${command}".`);
    }
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(`kokoro-bar: ${error.message}\n\n${USAGE}`);
      return 2;
    }
    if (error instanceof KokoroError) {
      io.stderr.write(`kokoro-bar: ${error.message}\n${error.action}\n`);
      return 1;
    }
    throw error;
  }
}

function engineOptions(): EngineOptions {
  return engineOptionsFromEnv(process.env) ?? {};
}

async function withEngine(run: (engine: Engine) => Promise<number>): Promise<number> {
  const engine = await createEngine(engineOptions());
  try {
    return await run(engine);
  } finally {
    await engine.dispose();
  }
}

function parse<O extends ParseArgsOptionsConfig>(args: string[], options: O, allowPositionals: boolean) {
  try {
    return parseArgs({ args, options, allowPositionals, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

async function say(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(
    args,
    {
      voice: { type: 'string', short: 'v' },
      speed: { type: 'string', short: 's' },
      out: { type: 'string', short: 'o' },
      timings: { type: 'string' },
      subtitles: { type: 'string' },
      'no-play': { type: 'boolean' },
    },
    true,
  );
  const speed = values['speed'] === undefined ? DEFAULT_SPEED : Number(values['speed']);
  // Checked here, before the model loads, like the text below (the engine checks again).
  if (values['speed'] !== undefined && (String(values['speed']).trim() === '' || !(speed >= MIN_SPEED && speed <= MAX_SPEED))) {
    throw new UsageError(`--speed must be a number from ${MIN_SPEED} to ${MAX_SPEED}, not "${String(values['speed'])}".`);
  }
  let text: string;
  if (positionals.length === 0 || (positionals.length === 1 && positionals[0] === '-')) {
    if (positionals.length === 0 && io.stdin.isTTY) throw new UsageError('say needs TEXT, or "-" to read standard input.');
    text = await readAll(io.stdin);
  } else {
    text = positionals.join(' ');
  }
  // The text is checked before anything is loaded: empty or unreadable input fails at once.
  const { skipped } = checkText(text, { emptyAction: CLI_EMPTY_TEXT_ACTION });
  if (!mayHaveSpeech(text)) throw noSpeakableText();
  if (skipped) io.stderr.write(`Note: ${skipped.message}\n`);
  const voice = typeof values['voice'] === 'string' ? values['voice'] : DEFAULT_VOICE;
  const outArg = values['out'];
  const out = typeof outArg === 'string' ? outArg : path.join(os.tmpdir(), `kokoro-bar-${Date.now()}.wav`);
  if (!out.toLowerCase().endsWith('.wav')) throw new UsageError(`--out must name a .wav file, not "${out}".`);
  const timingsOut = typeof values['timings'] === 'string' ? values['timings'] : undefined;
  const subtitlesOut = typeof values['subtitles'] === 'string' ? values['subtitles'] : undefined;
  if (subtitlesOut !== undefined && !/\.(vtt|srt)$/i.test(subtitlesOut)) {
    throw new UsageError(`--subtitles must name a .vtt or .srt file, not "${subtitlesOut}".`);
  }

  return withEngine(async (engine) => {
    // The voice is checked against the voice files before the model loads, as the text was above.
    parseVoiceSpec(voice, new Set(engine.voices().map((v) => v.id)));
    await engine.warmUp();
    const meter = createMeter(performance.now());
    let waitFrom = performance.now();
    let chunks = 0;
    const words: WordTiming[] = [];
    let wav: Awaited<ReturnType<typeof createWavWriter>> | undefined;
    const stop = stopOnSignals();
    try {
      for await (const chunk of engine.speak(text, { voice, speed, signal: stop.signal })) {
        meter.chunk(chunk.pcm, performance.now() - waitFrom, chunk.dropped);
        meter.posted();
        wav ??= await createWavWriter(out, SAMPLE_RATE);
        await wav.write(chunk.pcm);
        words.push(...chunk.words);
        chunks++;
        if (io.stderr.isTTY) io.stderr.write(progressLine(meter.audioSeconds, chunk.span.end, text.length));
        waitFrom = performance.now();
      }
    } finally {
      stop.dispose();
      await wav?.close();
      if (io.stderr.isTTY && chunks > 0) io.stderr.write(CLEAR_LINE);
    }
    if (stop.stoppedBy !== undefined) {
      io.stderr.write(`Stopped (${stop.stoppedBy}): ${out} holds the ${meter.audioSeconds.toFixed(2)} s spoken so far.\n`);
      return SIGNAL_EXIT_BASE + os.constants.signals[stop.stoppedBy];
    }
    if ((timingsOut !== undefined || subtitlesOut !== undefined) && words.length === 0) {
      // No words: turned off for a measurement, or a graph without durations.
      const off = engineOptions().wordTimings === false;
      const why = off ? `${WORKER_ENV.engine} turns word timings off` : 'the model gave no word durations (the original graph is running)';
      io.stderr.write(
        `kokoro-bar: ${why}, so no timings were written; ${out} was.\n` +
          (off ? '' : 'Run `npx kokoro-bar doctor` to see why the derived graph is not used.\n'),
      );
      return 1;
    }
    const written = await writeTimings(text, words, timingsOut, subtitlesOut);
    const { peakRssBytes } = memory();
    io.stderr.write(
      `TTFA (engine) ${Math.round(meter.ttfaMs ?? Number.NaN)} ms · RTF ${meter.rtf.toFixed(2)} · ` +
        `${meter.audioSeconds.toFixed(2)} s of audio in ${chunks} chunk(s) · peak RSS ${Math.round(peakRssBytes / MEGABYTE)} MB` +
        (meter.dropped > 0 ? ` · ${meter.dropped} unknown symbol(s) dropped` : '') +
        `\nWrote ${[out, ...written].join(', ')}\n`,
    );
    if (outArg === undefined && !values['no-play']) await play(out, io);
    return 0;
  });
}

/** Carriage return and erase-line: the progress line is redrawn in place on a terminal. */
const CLEAR_LINE = '\r\x1b[K';

/** The terminal's progress line after a chunk: audio written and how far through the text it is. */
export function progressLine(audioSeconds: number, spokenTo: number, textLength: number): string {
  const percent = Math.min(100, Math.floor((100 * spokenTo) / Math.max(1, textLength)));
  return `${CLEAR_LINE}Speaking… ${audioSeconds.toFixed(1)} s of audio, ${percent} % of the text (Ctrl-C stops and keeps what is written)`;
}

/**
 * [Note: A stopped say closes its WAV]
 * Ctrl-C (SIGINT) or SIGTERM during `say` stops the speech instead of killing the process: the
 * chunk being written is finished and the header rewritten to count it, so the WAV's header
 * matches its data exactly (a kill between a chunk's samples and its header update would leave
 * the header one chunk short). A second signal exits at once. The exit code is the shell's for
 * the signal (130, 143). Handlers are set only while speech runs: a signal while the model loads
 * ends the process at once, before any WAV exists.
 */
function stopOnSignals(): { signal: AbortSignal; readonly stoppedBy: StopSignal | undefined; dispose(): void } {
  const controller = new AbortController();
  let stoppedBy: StopSignal | undefined;
  const onSignal = (signal: StopSignal): void => {
    if (stoppedBy !== undefined) process.exit(SIGNAL_EXIT_BASE + os.constants.signals[signal]);
    stoppedBy = signal;
    controller.abort();
  };
  for (const name of STOP_SIGNALS) process.on(name, onSignal);
  return {
    signal: controller.signal,
    get stoppedBy() {
      return stoppedBy;
    },
    dispose: () => {
      for (const name of STOP_SIGNALS) process.off(name, onSignal);
    },
  };
}

// Writes the --timings and --subtitles files (see captions.ts); returns the paths written.
async function writeTimings(
  text: string,
  words: readonly WordTiming[],
  timingsOut: string | undefined,
  subtitlesOut: string | undefined,
): Promise<string[]> {
  const written: string[] = [];
  if (timingsOut !== undefined) {
    await writeFile(timingsOut, `${JSON.stringify(timingsJson(text, words), null, 2)}\n`);
    written.push(timingsOut);
  }
  if (subtitlesOut !== undefined) {
    await writeFile(subtitlesOut, subtitlesOut.toLowerCase().endsWith('.vtt') ? toVtt(text, words) : toSrt(text, words));
    written.push(subtitlesOut);
  }
  return written;
}

async function play(file: string, io: CliIo): Promise<void> {
  const players: [string, string[]][] =
    process.platform === 'darwin'
      ? [['afplay', [file]]]
      : [
          ['paplay', [file]],
          ['aplay', ['-q', file]],
          ['ffplay', ['-autoexit', '-nodisp', '-loglevel', 'quiet', file]],
        ];
  const found = players.find(([name]) => spawnSync('which', [name], { stdio: 'ignore' }).status === 0);
  if (!found) {
    io.stderr.write('No audio player found (afplay, paplay, aplay or ffplay); open the file above to listen.\n');
    return;
  }
  await new Promise<void>((resolve) =>
    spawn(found[0], found[1], { stdio: 'ignore' })
      .on('close', () => resolve())
      .on('error', () => resolve()),
  );
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const parts: Buffer[] = [];
  for await (const part of stream) parts.push(typeof part === 'string' ? Buffer.from(part) : part);
  return Buffer.concat(parts).toString('utf8');
}

async function voices(engine: Engine, io: CliIo): Promise<number> {
  const rows = engine.voices().map((v) => `${v.id.padEnd(14)} ${v.name.padEnd(12)} ${v.gender.padEnd(7)} ${v.language} (G2P ${v.lang})`);
  io.stdout.write(`${rows.join('\n')}\n`);
  return 0;
}

async function doctor(io: CliIo): Promise<number> {
  const fromEnv = engineOptions().assets;
  const paths = assetPaths();
  const manifest = loadManifest();
  const check = await checkAssets(paths, manifest);
  const lines = [
    `Model files (${paths.variant}) in ${paths.cacheDir}:`,
    check.ok
      ? `  all ${check.checked} files present and verified (model sha256 ${manifest.models[paths.variant].sha256 ?? 'unknown'})`
      : check.problems.map((p) => `  ✗ ${p.message}`).join('\n') + `\n  Fix: run \`npx kokoro-bar fetch\`.`,
    ...(fromEnv ? [`  (${WORKER_ENV.engine} overrides them: model ${fromEnv.model})`] : []),
    'Providers:',
    ...formatProviderReport(detectProviders()).map((line) => `  ${line}`),
    `  ${await describeAuto(defaultCacheDir(), detectProviders())}`,
    `Graph: ${describeGraph(await resolveGraph(fromEnv?.model ?? paths.model))}`,
    `Threads: ${describeThreads(engineOptions())} (onnxruntime intra-op threads of the CPU session)`,
    `CPU: ${os.cpus()[0]?.model.trim() ?? 'unknown'}, ${Math.round(os.totalmem() / MEGABYTE)} MB memory`,
    `Versions: node ${process.version}, onnxruntime-node ${onnxruntimeVersion()}, ${process.platform}/${process.arch}`,
  ];
  io.stdout.write(`${lines.join('\n')}\n`);
  return check.ok || fromEnv ? 0 : 1;
}

/** The doctor line about the graph: the derived one (made now if needed) or the original and why. */
function describeGraph(resolution: GraphResolution): string {
  const { state } = resolution;
  if (state.kind === 'original') return `original ${path.basename(resolution.modelPath)}${state.reason ? `: ${state.reason}` : ''}`;
  const how = state.fromCache ? 'cached and verified' : `derived now in ${Math.round(state.deriveMs ?? 0)} ms and verified`;
  return `derived ${path.basename(resolution.modelPath)} (1-D ConvInteger lifted to 2-D, durations output; ${how})`;
}

function describeThreads(fromEnv: EngineOptions | undefined): string {
  const given = fromEnv?.session?.threads;
  if (given !== undefined) return `${given} (set by ${WORKER_ENV.engine})`;
  const choice = resolveThreads();
  return `${choice.reason}`;
}

function onnxruntimeVersion(): string {
  try {
    return (createRequire(import.meta.url)('onnxruntime-node/package.json') as { version: string }).version;
  } catch {
    return 'missing';
  }
}

async function bench(args: string[], io: CliIo): Promise<number> {
  const { values } = parse(
    args,
    {
      json: { type: 'boolean' },
      preset: { type: 'string', short: 'p' },
      runs: { type: 'string', short: 'n' },
      voice: { type: 'string', short: 'v' },
      threads: { type: 'string', short: 't' },
      graph: { type: 'string', short: 'g' },
      'in-process': { type: 'boolean' },
    },
    false,
  );
  const threads = parseThreads(values['threads']);
  const graph = values['graph'] ?? 'derived';
  if (graph !== 'derived' && graph !== 'original') throw new UsageError(`--graph must be derived or original, not "${String(graph)}".`);
  const preset = typeof values['preset'] === 'string' ? values['preset'] : 'all';
  let presets: BenchPreset[];
  if (preset === 'all') presets = [...ALL_PRESETS];
  else if ((ALL_PRESETS as readonly string[]).includes(preset)) presets = [preset as BenchPreset];
  else throw new UsageError(`--preset must be short, medium, long or all, not "${preset}".`);
  const runs = values['runs'] === undefined ? DEFAULT_BENCH_RUNS : Number(values['runs']);
  if (!Number.isInteger(runs) || runs < 1 || runs > 100)
    throw new UsageError(`--runs must be a whole number from 1 to 100, not "${String(values['runs'])}".`);

  const base = engineOptions();
  const originalModel = base.assets?.model ?? assetPaths().model;
  const inProcess = values['in-process'] === true;
  const sweep: BenchSweepOptions = {
    presets,
    runs,
    engine: base,
    graph,
    originalModel,
    ...(threads === undefined ? {} : { threads }),
    ...(typeof values['voice'] === 'string' ? { voice: values['voice'] } : {}),
    onProgress: (p, count) =>
      io.stderr.write(`[${p.completed}/${p.total}] ${count === undefined ? '' : `${count} thread(s): `}${p.label}\n`),
  };
  // In the engine's own process, bundled as the app runs it (see [Note: Bench in the engine's process]).
  let bundle: string | undefined;
  if (!inProcess) {
    try {
      bundle = await buildBenchChild();
    } catch (error) {
      // No esbuild or a read-only package folder: measured here instead, and said so.
      io.stderr.write(
        `kokoro-bar: the engine runs in this process (its bundle could not be built: ${(error as Error).message.split('\n')[0]}); the RSS includes this command's own.\n`,
      );
    }
  }
  const result = bundle === undefined ? await runBenchSweep(sweep) : await runBenchInChild(sweep, { bundle });
  if (!result) return 1;
  if (bundle !== undefined) {
    const self = engineProcess();
    result.cliProcess = { pid: self.pid, peakRssBytes: memory().peakRssBytes, bundled: self.bundled };
  }
  io.stdout.write(values['json'] ? `${JSON.stringify(result, null, 2)}\n` : formatBench(result));
  // Measured on this machine: Auto may choose from it (see auto-provider.ts, threads.ts).
  await recordBenchmark(result, defaultCacheDir()).catch(() => undefined);
  return 0;
}

/** `--threads 1,2,4` → [1, 2, 4]; undefined when not given. */
function parseThreads(value: string | boolean | undefined): number[] | undefined {
  if (value === undefined) return undefined;
  const counts = String(value)
    .split(',')
    .map((part) => Number(part.trim()));
  if (counts.length === 0 || counts.some((n) => !Number.isInteger(n) || n < 1 || n > MAX_BENCH_THREADS)) {
    throw new UsageError(`--threads must be whole numbers from 1 to ${MAX_BENCH_THREADS} separated by commas, not "${String(value)}".`);
  }
  return [...new Set(counts)];
}

/** A human-readable table of a benchmark result. */
export function formatBench(result: BenchResult): string {
  const { machine } = result;
  const ms = (x: number): string => `${Math.round(x)}`.padStart(6);
  const rows = result.rows.map(
    (r) =>
      `${r.preset.padEnd(7)} ${r.provider.padEnd(7)} ${ms(r.ttfaEngineMs.p50)} ${ms(r.ttfaEngineMs.p95)} ${ms(r.floorMs.p50)}   ` +
      `${r.rtf.p50.toFixed(3)} ${r.rtf.p95.toFixed(3)} ${r.floorRtf.p50.toFixed(3)}  ${r.audioSeconds.toFixed(1).padStart(6)} ${String(Math.round(r.peakRssBytes / MEGABYTE)).padStart(6)}` +
      `  ${String(r.threads ?? '?').padStart(3)}  ${(r.graph?.kind ?? '?').padEnd(8)} ${r.originalFloorRtf ? r.originalFloorRtf.p50.toFixed(3) : '  —  '} ${r.originalFloorMs ? ms(r.originalFloorMs.p50) : '     —'}`,
  );
  const reasons = [...new Set(result.rows.map((r) => r.graph?.reason).filter((x): x is string => x !== undefined))];
  return [
    `${machine.cpu}, ${machine.cores} cores, node ${machine.node}, onnxruntime ${machine.onnxruntime}, ${machine.model}`,
    'preset  provider TTFA p50/p95 (ms) floor  RTF p50/p95  floor  audio s  RSS MB  thr  graph    original: RTF floor (ms)',
    ...rows,
    ...reasons.map((reason) => `original graph used: ${reason}`),
    ...(result.engineProcess
      ? [
          `RSS is that of the engine's process: pid ${result.engineProcess.pid}, ${result.engineProcess.runtime}, ${result.engineProcess.bundled ? 'bundled' : 'TypeScript loader'}`,
        ]
      : []),
    ...(result.cliProcess
      ? [`(this command's own process, not counted above: peak RSS ${Math.round(result.cliProcess.peakRssBytes / MEGABYTE)} MB)`]
      : []),
    '',
  ].join('\n');
}
