// Runs in Node (tests): the renderer end to end in Debian's Chromium through the browser dev host,
// with the real engine in its worker thread and real audio through the AudioWorklet. Saves a
// screenshot of each view under test-results/.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startDevHost, type DevHost } from '../../src-main/dev-host/server.ts';
import { CSV_COLUMNS } from '../../src-renderer/bench-export.ts';
import type { BenchResult, MetricsEvent, StartedEvent } from '../../src-worker/protocol/messages.ts';
import { CHROMIUM, CHROMIUM_ARGS, CHROMIUM_SKIP } from './chromium.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const RESULTS = path.join(ROOT, 'test-results');
/** Synthesis is slow on the CI machines (RTF above 1), so waits are generous. */
const SPEAK_TIMEOUT_MS = 180_000;
const BENCH_TIMEOUT_MS = 600_000;
const CLIPBOARD = 'Text from the clipboard. It should appear in the box.';
/** Two short sentences: enough for the highlight to move, short enough for this machine. */
const TWO_SENTENCES = 'Hello there. This is a test.';

const skip = CHROMIUM_SKIP;

interface Tapped {
  type: string;
  id: string;
  [key: string]: unknown;
}

let host: DevHost;
let browser: Browser;
let page: Page;
let dataDir: string;

async function openApp(): Promise<void> {
  await page.goto(host.url);
  await page.waitForSelector('[data-testid=worker-state].badge-up', { timeout: SPEAK_TIMEOUT_MS });
  await page.waitForSelector('.voice-row', { timeout: SPEAK_TIMEOUT_MS });
}

const tapped = (): Promise<Tapped[]> => page.evaluate(() => (window as unknown as { __kokoroTap: Tapped[] }).__kokoroTap);

const playback = () =>
  page.evaluate(() => {
    const s = (window as unknown as { __kokoroStore: { getState(): any } }).__kokoroStore.getState();
    return { ...s.playback, current: s.metrics.current };
  });

async function waitIdle(): Promise<void> {
  await page.waitForFunction(() => (window as any).__kokoroStore.getState().playback.status === 'idle', undefined, {
    timeout: SPEAK_TIMEOUT_MS,
    polling: 100,
  });
}

async function lastRequestId(): Promise<string> {
  const events = await tapped();
  const started = events.filter((e) => e.type === 'started');
  return (started[started.length - 1] as Tapped).id;
}

describe('renderer in Chromium via the dev host', { skip }, () => {
  before(async () => {
    execFileSync(process.execPath, [path.join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'warn'], {
      cwd: ROOT,
      stdio: 'inherit',
    });
    mkdirSync(RESULTS, { recursive: true });
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'kokoro-e2e-'));
    host = await startDevHost({ rendererDir: path.join(ROOT, 'dist/renderer'), dataDir, port: 0, clipboard: CLIPBOARD });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    const context = await browser.newContext({ viewport: { width: 900, height: 640 }, acceptDownloads: true });
    await context.addInitScript(() => {
      (window as unknown as { __kokoroTap: unknown[] }).__kokoroTap = [];
    });
    page = await context.newPage();
    page.on('pageerror', (error) => console.error(`page error: ${error.message}`));
    await openApp();
  });

  after(async () => {
    await browser?.close();
    await host?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  test('the text box is pre-filled from the clipboard', async () => {
    assert.equal(await page.getByLabel('Text to speak').inputValue(), CLIPBOARD);
    await page.screenshot({ path: path.join(RESULTS, 'renderer-speak.png') });
  });

  test('Speak plays real samples through the worklet, highlights each sentence, and the dashboard agrees with the worker', async () => {
    await page.getByLabel('Text to speak').fill(TWO_SENTENCES);
    // Record every sentence index the highlight shows, as the DOM shows it.
    await page.evaluate(() => {
      const seen: number[] = [];
      (window as any).__seen = seen;
      new MutationObserver(() => {
        const mark = document.querySelector('mark.current');
        const i = mark ? Number(mark.getAttribute('data-sentence')) : -1;
        if (i >= 0 && seen[seen.length - 1] !== i) seen.push(i);
      }).observe(document.body, { subtree: true, childList: true, attributes: true });
    });
    await page.getByRole('button', { name: 'Speak', exact: true }).click();
    await page.waitForSelector('mark.current', { timeout: SPEAK_TIMEOUT_MS });
    await page.screenshot({ path: path.join(RESULTS, 'renderer-speaking.png') });
    await waitIdle();

    const id = await lastRequestId();
    const events = (await tapped()).filter((e) => e.id === id);
    const started = events.find((e) => e.type === 'started') as unknown as StartedEvent;
    assert.equal(started.sentences.length, 2, 'the worker split the text into two sentences');
    const chunkSamples = events.filter((e) => e.type === 'chunk').reduce((sum, e) => sum + (e.samples as number), 0);
    assert.ok(chunkSamples > 0, 'the worker sent audio');
    assert.ok(
      events.some((e) => e.type === 'done'),
      'the request ended with done',
    );

    const state = await playback();
    assert.equal(state.samplesPushed, chunkSamples, 'every sample the worker sent reached the worklet');
    assert.equal(state.samplesPlayed, chunkSamples, 'and was played');
    assert.ok(state.peak > 0.01, `the played samples are not silence (peak ${state.peak})`);
    const probe = await page.evaluate(() => (window as any).__kokoroProbe());
    assert.equal(probe.dropped, 0, 'the ring never refused a sample');

    const seen: number[] = await page.evaluate(() => (window as any).__seen);
    assert.deepEqual(seen, [0, 1], 'the highlight moved from the first sentence to the second');

    const metrics = events.filter((e) => e.type === 'metrics') as unknown as MetricsEvent[];
    const final = metrics[metrics.length - 1] as MetricsEvent;
    assert.equal(final.final, true);
    await page.keyboard.press('Control+2');
    const value = async (testId: string) => Number(await page.getByTestId(testId).getAttribute('data-value'));
    assert.equal(await value('ttfa-engine'), final.ttfaEngineMs, 'engine TTFA is the worker’s');
    assert.equal(await value('rtf'), final.rtf, 'RTF is the worker’s final figure');
    assert.equal(await value('rss'), final.rssBytes);
    const audible = await value('ttfa-audible');
    assert.ok(audible >= final.ttfaEngineMs, `audible TTFA (${audible}) includes the engine's (${final.ttfaEngineMs})`);
    assert.match((await page.getByTestId('ttfa-audible').textContent()) ?? '', /\d+ ms|\d\.\d\d s/);
    console.log(
      JSON.stringify({
        e2e: 'speak',
        ttfaAudibleMs: audible,
        ttfaEngineMs: final.ttfaEngineMs,
        rtf: final.rtf,
        underruns: state.underruns,
      }),
    );
    await page.screenshot({ path: path.join(RESULTS, 'renderer-dashboard.png') });
    await page.keyboard.press('Control+1');
  });

  test('Pause keeps the position, Resume continues, Stop mid-utterance silences at once and stops the worker', async () => {
    await page.getByLabel('Text to speak').fill('One moment please. This sentence should never finish playing. Nor should this one.');
    await page.getByRole('button', { name: 'Speak', exact: true }).click();
    await page.waitForFunction(() => (window as any).__kokoroStore.getState().playback.samplesPlayed > 0, undefined, {
      timeout: SPEAK_TIMEOUT_MS,
      polling: 50,
    });
    const id = await lastRequestId();
    // Pause holds the position; resume goes on from it.
    await page.getByRole('button', { name: 'Pause' }).click();
    const paused = await page.evaluate(() => (window as any).__kokoroProbe());
    await page.waitForTimeout(300);
    const stillPaused = await page.evaluate(() => (window as any).__kokoroProbe());
    assert.equal(paused.paused, true);
    assert.equal(stillPaused.played, paused.played, 'nothing played while paused');
    await page.screenshot({ path: path.join(RESULTS, 'renderer-paused.png') });
    await page.getByRole('button', { name: 'Resume' }).click();
    await page.waitForFunction((at) => (window as any).__kokoroProbe().then((s: { played: number }) => s.played > at), paused.played, {
      timeout: SPEAK_TIMEOUT_MS,
      polling: 100,
    });
    await page.getByRole('button', { name: 'Stop' }).click();
    const first = await page.evaluate(() => (window as any).__kokoroProbe());
    await page.waitForTimeout(300);
    const second = await page.evaluate(() => (window as any).__kokoroProbe());
    assert.equal(first.buffered, 0, 'the ring was flushed');
    assert.equal(second.played, first.played, 'nothing more was rendered after Stop');
    assert.equal((await playback()).status, 'idle');
    await page.waitForFunction(
      (rid) => (window as any).__kokoroTap.some((e: Tapped) => e.id === rid && (e.type === 'done' || e.type === 'error')),
      id,
      { timeout: SPEAK_TIMEOUT_MS },
    );
    const done = (await tapped()).find((e) => e.id === id && e.type === 'done');
    assert.equal(done?.stopped, true, 'the worker ended the request as stopped');
  });

  test('a newly chosen voice is used for the next utterance', async () => {
    await page.getByLabel('Search voices').fill('george');
    await page.locator('.voice-row[data-voice="bm_george"]').click();
    await page.waitForFunction(() => (window as any).__kokoroStore.getState().settings.value.voice === 'bm_george');
    await page.getByLabel('Search voices').fill('');
    await page.getByLabel('Text to speak').fill('Good day.');
    await page.getByRole('button', { name: 'Speak', exact: true }).click();
    await page.waitForFunction(() => (window as any).__kokoroTap.filter((e: Tapped) => e.type === 'started').length >= 3, undefined, {
      timeout: SPEAK_TIMEOUT_MS,
    });
    const id = await lastRequestId();
    const started = (await tapped()).find((e) => e.id === id && e.type === 'started');
    assert.equal(started?.voice, 'bm_george');
    await waitIdle();
    assert.ok((await playback()).samplesPlayed > 0);
  });

  test('a benchmark run fills the table and exports valid JSON and CSV', { timeout: BENCH_TIMEOUT_MS }, async () => {
    await page.keyboard.press('Control+3');
    const presets = page.getByRole('group', { name: 'Presets' });
    assert.equal(await presets.getByLabel(/Short/).isChecked(), true);
    assert.equal(await page.getByLabel('Runs per preset').inputValue(), '1');
    await page.getByRole('button', { name: 'Run benchmark' }).click();
    await page.waitForSelector('[data-testid=bench-table] tbody tr', { timeout: BENCH_TIMEOUT_MS });
    const cells = await page.locator('[data-testid=bench-table] tbody tr').first().locator('th, td').allTextContents();
    assert.equal(cells[0], 'short');
    assert.equal(cells[1], 'CPU');
    assert.match(cells[3] ?? '', /\d/, 'TTFA p50 has a number');
    assert.match(cells[5] ?? '', /\d/, 'RTF p50 has a number');
    await page.screenshot({ path: path.join(RESULTS, 'renderer-benchmark.png') });

    const [jsonDownload] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export JSON' }).click()]);
    const json = JSON.parse(readFileSync((await jsonDownload.path()) as string, 'utf8')) as BenchResult;
    assert.equal(json.rows.length, 1);
    assert.equal(json.rows[0]?.preset, 'short');
    assert.equal(typeof json.rows[0]?.ttfaEngineMs.p50, 'number');
    const [csvDownload] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()]);
    const lines = readFileSync((await csvDownload.path()) as string, 'utf8')
      .trimEnd()
      .split('\r\n');
    assert.equal(lines[0], CSV_COLUMNS.join(','));
    assert.equal(lines.length, 2);
    assert.ok(lines[1]?.includes(',short,cpu,1,'), lines[1] ?? 'no data row');

    // History is kept across reloads (the worker's store, asked for again on reconnect).
    await openApp();
    await page.keyboard.press('Control+3');
    await page.getByRole('region', { name: 'Earlier runs' }).getByRole('button').first().click();
    await page.waitForSelector('[data-testid=bench-table] tbody tr');
  });

  test('settings survive a reload', async () => {
    await page.keyboard.press('Control+4');
    await page.getByLabel('Open Kokoro Bar at login').check();
    const field = page.getByLabel(/^Speak clipboard shortcut/);
    await field.focus();
    await page.keyboard.press('Control+Alt+K');
    await page.waitForFunction(() => (window as any).__kokoroStore.getState().settings.value.hotkeys.speakClipboard === 'Control+Alt+K');
    await page.screenshot({ path: path.join(RESULTS, 'renderer-settings.png'), fullPage: true });
    await openApp();
    await page.keyboard.press('Control+4');
    assert.equal(await page.getByLabel('Open Kokoro Bar at login').isChecked(), true);
    assert.equal(await page.getByLabel(/^Speak clipboard shortcut/).getAttribute('data-accelerator'), 'Control+Alt+K');
    const stored = JSON.parse(readFileSync(path.join(dataDir, 'settings.json'), 'utf8'));
    assert.equal(stored.launchAtLogin, true);
    assert.equal(stored.voice, 'bm_george', 'the voice chosen earlier was stored too');
  });

  test('keyboard-only use: views, voice choice, speak and stop, and every control is labelled', async () => {
    await openApp();
    // The text box has focus on load; type, pick a voice with arrows, speak and stop by keys.
    await page.keyboard.press('Control+a');
    await page.keyboard.type('Keyboard only. Still speaking.');
    await page.getByLabel('Search voices').focus();
    await page.keyboard.type('bella');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => (window as any).__kokoroStore.getState().settings.value.voice === 'af_bella');
    await page.keyboard.press('Control+Enter');
    await page.waitForFunction(() => (window as any).__kokoroStore.getState().playback.status !== 'idle');
    await page.keyboard.press('Escape');
    assert.equal((await playback()).status, 'idle');
    // Tabs move with arrows, as a tab list should.
    await page.keyboard.press('Control+2');
    await page.getByRole('tab', { name: 'Dashboard' }).focus();
    await page.keyboard.press('ArrowRight');
    assert.equal(await page.getByRole('tab', { name: 'Benchmark' }).getAttribute('aria-selected'), 'true');
    // Every control in every view has an accessible name.
    for (const key of ['1', '2', '3', '4']) {
      await page.keyboard.press(`Control+${key}`);
      const unnamed = await page.evaluate(() =>
        [...document.querySelectorAll('button, input, select, textarea, [role=listbox], [role=tab]')]
          .filter((el) => {
            const e = el as HTMLElement;
            const labelled =
              e.getAttribute('aria-label') ||
              e.getAttribute('aria-labelledby') ||
              (e as HTMLInputElement).labels?.length ||
              e.textContent?.trim();
            return !labelled;
          })
          .map((el) => el.outerHTML.slice(0, 80)),
      );
      assert.deepEqual(unnamed, [], `view ${key} has unlabelled controls`);
    }
  });

  test('dark mode follows the OS', async () => {
    // Which colours the themes use is the stylesheet's business (popover.test.ts checks their
    // contrast); what must hold is that the page turns dark with the OS and back: light text on
    // a dark page, dark text on a light one.
    const luminance = (rgb: string) => {
      const [r, g, b] = (rgb.match(/\d+(\.\d+)?/g) ?? []).map(Number).map((c) => c / 255);
      return 0.2126 * (r ?? 0) + 0.7152 * (g ?? 0) + 0.0722 * (b ?? 0);
    };
    const colours = () =>
      page.evaluate(() => ({ page: getComputedStyle(document.body).backgroundColor, text: getComputedStyle(document.body).color }));
    await page.keyboard.press('Control+1');
    await page.emulateMedia({ colorScheme: 'light' });
    const light = await colours();
    assert.ok(luminance(light.page) > luminance(light.text), `light: ${light.text} on ${light.page}`);
    await page.emulateMedia({ colorScheme: 'dark' });
    const dark = await colours();
    assert.ok(luminance(dark.page) < luminance(dark.text), `dark: ${dark.text} on ${dark.page}`);
    assert.ok(luminance(dark.page) < luminance(light.page), 'the page is darker in dark mode');
    await page.screenshot({ path: path.join(RESULTS, 'renderer-speak-dark.png') });
    await page.keyboard.press('Control+2');
    await page.screenshot({ path: path.join(RESULTS, 'renderer-dashboard-dark.png') });
    await page.emulateMedia({ colorScheme: 'light' });
  });
});
