// Runs as a plain Node process (`npm run dev`): the browser dev host. Makes sure the model files
// are there first (a first run downloads and verifies them with a progress bar in the terminal,
// as `npm start` does), then serves the built renderer on 127.0.0.1 with the real engine behind
// it, and prints the URL to open (see [Note: Dev host stands in for main and preload] in
// dev-host/server.ts). A fetch that fails here does not stop the host: the page shows the reason
// in red with "Fetch model" (see [Note: Honest readiness] in src-worker/assets/readiness.ts).

import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DEFAULT_VARIANT } from '../../src-worker/protocol/messages.ts';
import { assetPaths, checkAssets, describeProblems } from '../../src-worker/assets/cache.ts';
import { runFetchCommand } from '../../src-worker/cli/assets-command.ts';
import type { ModelVariant } from '../../src-worker/protocol/messages.ts';
import { TEST_TOKEN_HEADER } from './guards.ts';
import { DEFAULT_HOST, startDevHost } from './server.ts';
import { loadSettings } from '../settings/settings.ts';

/** Port tried when none is given (Vite's default plus one, to stay out of its way). */
const DEFAULT_PORT = 5174;

const USAGE = `Usage: npm run dev -- [--port N] [--data-dir DIR] [--clipboard TEXT] [--renderer DIR] [--no-fetch] [--test-endpoints]
  --port       port on ${DEFAULT_HOST} (default ${DEFAULT_PORT}; 0 picks a free one)
  --data-dir   folder for settings.json (default: a folder in the temp dir)
  --clipboard  the text "Speak clipboard" reads (default: a sample sentence)
  --renderer   built renderer folder (default: dist/renderer)
  --no-fetch   start without fetching missing model files (the page offers "Fetch model")
  --test-endpoints  serve POST /__test/clipboard and /__test/command for scripts, behind a
               token printed at start (send it as the ${TEST_TOKEN_HEADER} header)`;

/**
 * Checks the model files of `variant` and, when some are missing or damaged, fetches them with
 * the fetch command's progress bar; resolves once they are there or the fetch has failed.
 */
export async function fetchIfNeeded(variant: ModelVariant, log: (line: string) => void = console.log): Promise<boolean> {
  const paths = assetPaths({ variant });
  const check = await checkAssets(paths);
  const fix = describeProblems(check, paths);
  if (!fix) return true;
  log(
    fix.firstRun
      ? `First run: downloading and verifying the Kokoro model files (${variant}) once.`
      : `Model files need fixing: ${fix.message}`,
  );
  const code = await runFetchCommand(variant === DEFAULT_VARIANT ? [] : ['--variant', variant]);
  if (code !== 0) log('The dev host starts anyway; the page shows what is missing and offers "Fetch model".');
  return code === 0;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string' },
      'data-dir': { type: 'string' },
      clipboard: { type: 'string' },
      renderer: { type: 'string' },
      'no-fetch': { type: 'boolean' },
      'test-endpoints': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const port = values.port === undefined ? DEFAULT_PORT : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new Error(`--port must be a whole number from 0 to 65535, got "${values.port}"`);
  }
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
  const dataDir = values['data-dir'] ?? path.join(os.tmpdir(), 'kokoro-bar-dev');
  // Loaded once, here, and handed to the host: loading again would drop the notices of a file
  // this load has already moved aside or repaired.
  const settings = await loadSettings(dataDir);
  if (!values['no-fetch']) await fetchIfNeeded(settings.settings.modelVariant);
  const host = await startDevHost({
    port,
    settings,
    rendererDir: values.renderer ?? path.join(root, 'dist', 'renderer'),
    dataDir,
    ...(values.clipboard === undefined ? {} : { clipboard: values.clipboard }),
    testEndpoints: values['test-endpoints'] === true,
  });
  console.log(`Kokoro Bar dev host: ${host.url}`);
  if (host.testToken !== null) console.log(`Test endpoints on; send the header "${TEST_TOKEN_HEADER}: ${host.testToken}"`);
  const shutdown = () => void host.close().then(() => process.exit(0));
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error: unknown) => {
    console.error(`dev host: ${(error as Error).message}\n${USAGE}`);
    process.exit(1);
  });
}
