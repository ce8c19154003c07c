// Runs under Node (`npm start`): makes sure the model assets are there first (a first run
// downloads and verifies them with the fetcher's progress bar, so even where Electron cannot run
// `npm run dev` then starts at once), builds the app (main, preload and worker with esbuild, the
// renderer with Vite), and launches Electron on the checkout. Where no Electron binary is installed it says so and
// points at the browser dev host instead of failing with a stack trace.

import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildMain } from './build-main.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Where Electron's binary is, or why there is none. */
export function findElectron(
  load: (id: string) => unknown = createRequire(import.meta.url),
  exists: (file: string) => boolean = existsSync,
): { ok: true; binary: string } | { ok: false; reason: string } {
  let binary: unknown;
  try {
    // The electron package's main export is the binary's path; it throws when the binary was
    // never downloaded (its install step skipped or blocked).
    binary = load('electron');
  } catch (error) {
    return { ok: false, reason: (error as Error).message.split('\n')[0] ?? 'electron could not be loaded' };
  }
  if (typeof binary !== 'string') return { ok: false, reason: 'the electron package did not name a binary' };
  if (!exists(binary)) return { ok: false, reason: `the Electron binary is missing (${binary})` };
  return { ok: true, binary };
}

/** What `npm start` prints when Electron cannot run here. */
export function noElectronMessage(reason: string): string {
  return [
    '',
    'Kokoro Bar cannot start: no Electron binary is installed on this machine.',
    `  (${reason})`,
    '',
    'npm start tried to download it and could not. To run the desktop app, fetch the binary',
    "for this platform where Electron's release host is reachable:",
    '  node node_modules/electron/install.js',
    '',
    'To try the same interface without Electron, use the browser dev host, which runs the real',
    'speech engine in Node and serves the UI to your browser:',
    '  npm run dev',
    '',
  ].join('\n');
}

function run(command: string, args: string[]): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: ROOT, stdio: 'inherit' });
    child.on('exit', (code, signal) => resolve(code ?? (signal === null ? 0 : 1)));
    child.on('error', (error) => {
      console.error(`Could not run ${command}: ${error.message}`);
      resolve(1);
    });
  });
}

/** Time allowed for the one-off Electron binary download (about 100 MB). */
const ELECTRON_DOWNLOAD_TIMEOUT_MS = 10 * 60_000;

/**
 * Downloads Electron's binary with the package's own install script, which `npm install` skips
 * here (.npmrc, allowScripts) because our CI cannot reach its host; a newcomer's Mac can.
 * Resolves to why it failed, or undefined on success.
 */
function installElectron(): Promise<string | undefined> {
  const env = { ...process.env };
  delete env.ELECTRON_SKIP_BINARY_DOWNLOAD;
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'node_modules', 'electron', 'install.js')], {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'inherit', 'pipe'],
      timeout: ELECTRON_DOWNLOAD_TIMEOUT_MS,
    });
    let stderr = '';
    child.stderr.on('data', (data: Buffer) => (stderr += data.toString()));
    child.on('error', (error) => resolve(error.message));
    child.on('exit', (code) => {
      if (code === 0) return resolve(undefined);
      const line = stderr.split('\n').find((l) => /error/i.test(l)) ?? stderr.split('\n')[0];
      resolve((line ?? '').trim() || `the install script exited with ${code}`);
    });
  });
}

async function main(): Promise<number> {
  console.log('Checking the model files (a first run downloads and verifies them once)…');
  if ((await run('npm', ['run', '--silent', 'fetch-assets'])) !== 0) return 1;
  let electron = findElectron();
  if (!electron.ok) {
    console.log('Downloading the Electron binary (once)…');
    const failure = await installElectron();
    electron = failure === undefined ? findElectron() : { ok: false, reason: `download failed: ${failure}` };
  }
  if (!electron.ok) {
    console.error(noElectronMessage(electron.reason));
    return 1;
  }
  console.log('Building main, preload and worker…');
  await buildMain();
  console.log('Building the renderer…');
  if ((await run('npx', ['vite', 'build'])) !== 0) return 1;
  console.log('Starting Kokoro Bar (look for its icon in the menu bar)…');
  return run(electron.binary, ['.']);
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    process.exitCode = await main();
  } catch (error) {
    console.error(`npm start failed: ${(error as Error).message}`);
    process.exitCode = 1;
  }
}
