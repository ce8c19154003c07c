// Runs in Node (tests): in Chromium through the real dev host (real engine), a settings file
// with a bad field and a voice that is not installed: the page must say both, in its notice bar,
// and use the default voice. Saves screenshots of the popover size, light and dark, under
// test-results/.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { startDevHost, type DevHost } from '../../src-main/dev-host/server.ts';
import { CHROMIUM, CHROMIUM_ARGS, CHROMIUM_SKIP } from './chromium.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const RESULTS = path.join(ROOT, 'test-results');
const WAIT_MS = 180_000;
/** The popover's size (src-main/windows/windows.ts POPOVER_SIZE). */
const POPOVER = { width: 380, height: 520 };

const skip = CHROMIUM_SKIP;

describe('settings notices in the page', { skip }, () => {
  let host: DevHost;
  let browser: Browser;
  let dataDir: string;

  before(async () => {
    execFileSync(process.execPath, [path.join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'warn'], {
      cwd: ROOT,
      stdio: 'inherit',
    });
    mkdirSync(RESULTS, { recursive: true });
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'kokoro-notices-'));
    writeFileSync(path.join(dataDir, 'settings.json'), JSON.stringify({ version: 1, voice: 'af_nobody', speed: 9 }));
    host = await startDevHost({ rendererDir: path.join(ROOT, 'dist/renderer'), dataDir, port: 0 });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  });

  after(async () => {
    await browser?.close();
    await host?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  test('a repaired file and an unknown voice are shown, and the default voice is used', { timeout: WAIT_MS }, async () => {
    const context = await browser.newContext({ viewport: POPOVER });
    const page = await context.newPage();
    page.on('pageerror', (error) => console.error(`page error: ${error.message}`));
    await page.goto(host.url);
    const alert = page.getByRole('alert').filter({ hasText: 'not installed' });
    await alert.waitFor({ timeout: WAIT_MS });
    const text = await alert.innerText();
    assert.match(text, /Some settings were reset to defaults: "speed" was invalid/);
    assert.match(text, /The voice "af_nobody" in your settings is not installed, so Kokoro Bar is using af_heart instead/);
    // The notice is taller than its box here: its first line must be reachable, not cut off above
    // the scroll origin (a centred flex item overflows on both sides, and the top half cannot be scrolled to).
    const overflow = await alert.evaluate((box) => {
      box.scrollTop = 0;
      const text = box.querySelector('span');
      return {
        above: box.getBoundingClientRect().top - (text?.getBoundingClientRect().top ?? 0),
        scrolls: box.scrollHeight > box.clientHeight,
      };
    });
    assert.ok(overflow.scrolls, 'the notice is long enough to scroll at this size');
    assert.ok(overflow.above <= 0, `the notice's first line is ${overflow.above} px above its box`);
    const voice = await page.evaluate(() => (window as any).__kokoroStore.getState().settings.value?.voice);
    assert.equal(voice, 'af_heart');
    assert.equal(JSON.parse(readFileSync(path.join(dataDir, 'settings.json'), 'utf8')).voice, 'af_heart');
    await page.screenshot({ path: path.join(RESULTS, 'settings-notice-380x520-light.png') });
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.screenshot({ path: path.join(RESULTS, 'settings-notice-380x520-dark.png') });
    await context.close();
  });
});
