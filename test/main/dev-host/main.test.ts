// Runs in Node (tests): the dev host as `npm run dev` starts it (src-main/dev-host/main.ts in a
// child process, model check included), with a settings file that is corrupt or needs repair: the
// first page to ask for its settings must get the load notice. Before, main.ts loaded the settings
// once for the model variant (moving the corrupt file aside, rewriting the repaired one) and the
// host loaded them again, finding nothing to say.

import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { assetPaths, checkAssets } from '../../../src-worker/assets/cache.ts';
import type { AppCommand } from '../../../src-worker/protocol/messages.ts';
import type { ServerFrame } from '../../../src-worker/protocol/wire.ts';

const MAIN = fileURLToPath(new URL('../../../src-main/dev-host/main.ts', import.meta.url));
/** Longest wait for the host to listen and for its notice (the worker loads the model first). */
const WAIT_MS = 120_000;
const URL_LINE = /Kokoro Bar dev host: (http:\/\/\S+)/;

// main.ts fetches missing model files; a test must not download, so it needs the verified cache.
const skip = (await checkAssets(assetPaths())).ok ? false : 'the verified model cache is missing (npm run fetch-assets)';

const children: ChildProcess[] = [];
const dirs: string[] = [];
after(() => {
  for (const child of children) child.kill('SIGTERM');
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** Starts `npm run dev`'s host on a free port with `settingsText` as its settings file; resolves to its URL. */
async function startHost(settingsText: string): Promise<{ url: string; dataDir: string }> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'kokoro-devmain-'));
  dirs.push(dataDir);
  writeFileSync(path.join(dataDir, 'settings.json'), settingsText);
  // No renderer is needed: the test is the page, over the bridge.
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, '--port', '0', '--data-dir', dataDir, '--renderer', dataDir], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  let out = '';
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout?.on('data', (part: Buffer) => {
      out += String(part);
      const found = URL_LINE.exec(out);
      if (found?.[1] !== undefined) resolve(found[1]);
    });
    child.on('exit', (code) => reject(new Error(`the dev host exited (${code}) before listening: ${out}`)));
  });
  return { url, dataDir };
}

/** Connects as a page, asks for its settings, and resolves to the first notice the host sends. */
async function firstNotice(url: string): Promise<string> {
  const socket = new WebSocket(`${url.replace(/^http/, 'ws').replace(/\/$/, '')}/bridge`);
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    const notice = new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no notice from the dev host')), WAIT_MS);
      socket.on('message', (data) => {
        const frame = JSON.parse(String(data)) as ServerFrame;
        const command: AppCommand | undefined = frame.t === 'command' ? frame.command : undefined;
        if (command?.type === 'notice') {
          clearTimeout(timer);
          resolve(command.message);
        }
      });
    });
    socket.send(JSON.stringify({ t: 'call', n: 1, method: 'getSettings' }));
    return await notice;
  } finally {
    socket.close();
  }
}

test('npm run dev shows the notice of a corrupt settings file', { skip, timeout: WAIT_MS }, async () => {
  const { url, dataDir } = await startHost('{"version": 1, "voice": ');
  const message = await firstNotice(url);
  assert.match(message, /Your settings file could not be used: it is not valid JSON/);
  assert.ok(
    readdirSync(dataDir).some((name) => name.startsWith('settings.corrupt-')),
    'the corrupt file was kept aside',
  );
});

test('npm run dev shows a repaired file and an unknown voice in one notice', { skip, timeout: WAIT_MS }, async () => {
  const { url } = await startHost(JSON.stringify({ version: 1, voice: 'af_nobody', speed: 9 }));
  const message = await firstNotice(url);
  assert.match(message, /Some settings were reset to defaults: "speed" was invalid/);
  assert.match(message, /The voice "af_nobody" in your settings is not installed, so Kokoro Bar is using af_heart instead/);
});
