// Runs as a plain Node process (`npm run dev`): the browser dev host. Serves the built renderer on
// 127.0.0.1 with the real engine behind it, and prints the URL to open (see [Note: Dev host
// stands in for main and preload] in dev-host/server.ts).

import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { TEST_TOKEN_HEADER } from './dev-host/guards.ts';
import { DEFAULT_HOST, startDevHost } from './dev-host/server.ts';

/** Port tried when none is given (Vite's default plus one, to stay out of its way). */
const DEFAULT_PORT = 5174;

const USAGE = `Usage: npm run dev -- [--port N] [--data-dir DIR] [--clipboard TEXT] [--renderer DIR] [--test-endpoints]
  --port       port on ${DEFAULT_HOST} (default ${DEFAULT_PORT}; 0 picks a free one)
  --data-dir   folder for settings.json and bench-history.json (default: a folder in the temp dir)
  --clipboard  the text "Speak clipboard" reads (default: a sample sentence)
  --renderer   built renderer folder (default: dist/renderer)
  --test-endpoints  serve POST /__test/clipboard and /__test/command for scripts, behind a
               token printed at start (send it as the ${TEST_TOKEN_HEADER} header)`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string' },
      'data-dir': { type: 'string' },
      clipboard: { type: 'string' },
      renderer: { type: 'string' },
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
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  const host = await startDevHost({
    port,
    rendererDir: values.renderer ?? path.join(root, 'dist', 'renderer'),
    dataDir: values['data-dir'] ?? path.join(os.tmpdir(), 'kokoro-bar-dev'),
    ...(values.clipboard === undefined ? {} : { clipboard: values.clipboard }),
    testEndpoints: values['test-endpoints'] === true,
  });
  console.log(`Kokoro Bar dev host: ${host.url}`);
  if (host.testToken !== null) console.log(`Test endpoints on; send the header "${TEST_TOKEN_HEADER}: ${host.testToken}"`);
  const shutdown = () => void host.close().then(() => process.exit(0));
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}

main().catch((error: unknown) => {
  console.error(`dev host: ${(error as Error).message}\n${USAGE}`);
  process.exit(1);
});
