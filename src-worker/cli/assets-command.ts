// Runs in the CLI (`kokoro-bar fetch`, `npm run fetch-assets`, `npm test`'s pretest): parses the
// fetch command's arguments and shows the fetcher's progress, as a bar on a terminal and as
// plain lines in logs (CI), where a redrawn bar would be noise.

import path from 'node:path';
import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import { KokoroError } from '../engine/errors.ts';
import { parseVariant } from '../assets/manifest.ts';
import { DEFAULT_VARIANT, MODEL_VARIANTS } from '../protocol/messages.ts';
import { type FetchProgress, fetchAssets } from '../assets/fetch.ts';
import { CACHE_ENV } from '../protocol/cache-dir.ts';

const MEGABYTE = 1_000_000;

/** Files smaller than this many MB get no "verifying" bar of their own (the voices, the config). */
const VERIFY_BAR_MIN_MB = 10;

/** In log mode, a transfer prints a line each time it passes another of these fractions. */
const LOG_STEP = 0.25;

/** The command's usage text. */
export const FETCH_USAGE = `Usage: kokoro-bar fetch [--variant ${MODEL_VARIANTS.join('|')}] [--from DIR] [--cache DIR] [--offline] [--quiet]

Downloads the Kokoro model, its config and the 54 voices into the cache directory and checks
each file's sha256. Safe to re-run: verified files are kept and interrupted downloads resume.

  --variant V   model precision (default ${DEFAULT_VARIANT})
  --from DIR    take files from DIR first (laid out like the cache: the .onnx file,
                config.json, voices/NAME.bin)
  --cache DIR   cache directory (default: $${CACHE_ENV} or the platform cache folder)
  --offline     use only --from and the local mirrors; never the network
  --quiet       print only errors and the final line`;

/** Where the command writes: process.stdout/stderr, or a capture in tests. */
export interface Output {
  write(text: string): unknown;
  /** A terminal gets a redrawn progress bar; anything else gets plain lines. */
  isTTY?: boolean;
}

/** Runs `kokoro-bar fetch ARGS`; returns the process exit code (0 ok, 1 failed, 2 bad usage). */
export async function runFetchCommand(argv: string[], out: Output = process.stdout, err: Output = process.stderr): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        variant: { type: 'string' },
        from: { type: 'string' },
        cache: { type: 'string' },
        offline: { type: 'boolean' },
        quiet: { type: 'boolean', short: 'q' },
        help: { type: 'boolean', short: 'h' },
      },
      allowPositionals: false,
      strict: true,
    }));
  } catch (error) {
    err.write(`${error instanceof Error ? error.message : String(error)}\n\n${FETCH_USAGE}\n`);
    return 2;
  }
  if (values.help) {
    out.write(`${FETCH_USAGE}\n`);
    return 0;
  }
  let variant;
  try {
    variant = parseVariant(values.variant ?? DEFAULT_VARIANT);
  } catch (error) {
    err.write(`${(error as Error).message}\n`);
    return 2;
  }

  const reporter = out.isTTY && !values.quiet ? new BarReporter(out as NodeJS.WriteStream) : new LineReporter(out, values.quiet ?? false);
  try {
    const result = await fetchAssets({
      variant,
      ...(values.cache === undefined ? {} : { cacheDir: path.resolve(values.cache) }),
      ...(values.from === undefined ? {} : { from: path.resolve(values.from) }),
      ...(values.offline ? { network: false } : {}),
      onProgress: (event) => reporter.on(event),
    });
    reporter.stop();
    const sources = [...new Set(result.installed.map((i) => i.source))];
    const how =
      result.installed.length === 0
        ? 'all already verified'
        : `${result.installed.length} installed from ${sources.join(', ')}; ${result.cached} already verified`;
    out.write(`Kokoro ${variant} assets ready in ${result.paths.cacheDir} (${how}; ${result.seconds.toFixed(1)} s).\n`);
    return 0;
  } catch (error) {
    reporter.stop();
    if (error instanceof KokoroError) {
      err.write(`Fetch failed: ${error.message}\n${error.action}\n`);
    } else {
      err.write(`Fetch failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    }
    return 1;
  }
}

interface Reporter {
  on(event: FetchProgress): void;
  stop(): void;
}

// A terminal: one bar for the current transfer, with the file count beside it.
class BarReporter implements Reporter {
  private readonly bar: cliProgress.SingleBar;
  private label = '';
  private files = { done: 0, of: 0 };
  private active = false;

  constructor(private readonly out: NodeJS.WriteStream) {
    this.bar = new cliProgress.SingleBar(
      {
        stream: out,
        format: '{label} [{bar}] {percentage}% {value}/{total} MB | files {done}/{of}',
        hideCursor: true,
        clearOnComplete: false,
      },
      cliProgress.Presets.shades_classic,
    );
  }

  on(event: FetchProgress): void {
    switch (event.type) {
      case 'plan':
        this.files = { done: 0, of: event.files };
        if (event.files > 0) this.out.write(`Fetching ${event.files} file(s) into ${event.cacheDir} (${event.cached} already verified)\n`);
        return;
      case 'transfer': {
        const payload = { label: event.label, ...this.files };
        const total = Math.max(1, Math.round(event.total / MEGABYTE));
        const value = Math.round(event.bytes / MEGABYTE);
        if (!this.active || event.label !== this.label) {
          if (this.active) this.bar.stop();
          this.bar.start(total, value, payload);
          this.active = true;
          this.label = event.label;
        } else {
          this.bar.update(value, payload);
        }
        return;
      }
      case 'installed':
        this.files = { done: event.done, of: event.of };
        if (this.active) this.bar.update(this.files);
        return;
      case 'verify': {
        // A verification gets its own bar only when it is long enough to be seen (the model).
        if (event.total < MEGABYTE * VERIFY_BAR_MIN_MB) return;
        const label = `verifying ${event.label}`;
        const payload = { label, ...this.files };
        const total = Math.max(1, Math.round(event.total / MEGABYTE));
        const value = Math.round(event.bytes / MEGABYTE);
        if (!this.active || label !== this.label) {
          if (this.active) this.bar.stop();
          this.bar.start(total, value, payload);
          this.active = true;
          this.label = label;
        } else {
          this.bar.update(value, payload);
        }
        return;
      }
      case 'source-failed':
        return; // the final error lists every source that failed
    }
  }

  stop(): void {
    if (this.active) this.bar.stop();
    this.active = false;
  }
}

// Logs: a line per file (voices summarised) and a few lines per large transfer.
class LineReporter implements Reporter {
  private readonly logged = new Map<string, number>();
  private voicesDone = 0;

  constructor(
    private readonly out: Output,
    private readonly quiet: boolean,
  ) {}

  on(event: FetchProgress): void {
    if (this.quiet) return;
    switch (event.type) {
      case 'plan':
        if (event.files > 0) this.out.write(`Fetching ${event.files} file(s) into ${event.cacheDir} (${event.cached} already verified)\n`);
        return;
      case 'transfer': {
        const fraction = event.total > 0 ? event.bytes / event.total : 0;
        const step = Math.floor(fraction / LOG_STEP);
        const last = this.logged.get(event.label) ?? -1;
        if (step > last && event.total >= MEGABYTE) {
          this.logged.set(event.label, step);
          this.out.write(`  ${event.label}: ${(event.bytes / MEGABYTE).toFixed(1)} of ${(event.total / MEGABYTE).toFixed(1)} MB\n`);
        }
        return;
      }
      case 'installed':
        if (event.asset.startsWith('voices/')) {
          this.voicesDone += 1;
          return;
        }
        this.out.write(`  installed ${event.asset} from ${event.source} (${event.done}/${event.of})\n`);
        return;
      case 'verify':
        return; // logs say "installed" once the check has passed
      case 'source-failed':
        if (!event.asset.startsWith('voices/'))
          this.out.write(`  ${event.asset}: ${event.source} failed (${event.reason}); trying the next source\n`);
        return;
    }
  }

  stop(): void {
    if (!this.quiet && this.voicesDone > 0) this.out.write(`  installed ${this.voicesDone} voice(s)\n`);
    this.voicesDone = 0;
  }
}
