// Runs in Node (tests), driving Chromium through the dev host with the real engine: the word
// highlight in the Speak view. The highlighted word is the one the played position says (read
// from the store at the same moment), it moves forward through the text, it is scrolled back into
// view when the transcript was scrolled away, clicking a word starts a request from that word, and
// the sentence announcer holds the sentence, not the word.
// Screenshots at 380×520 and 900×700, light and dark, go to test-results/.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startDevHost, type DevHost } from '../../src-main/dev-host/server.ts';
import { CHROMIUM, CHROMIUM_ARGS, CHROMIUM_SKIP } from './chromium.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const RESULTS = path.join(ROOT, 'test-results');
const SPEAK_TIMEOUT_MS = 180_000;
const TEXT =
  'The old library closed its doors at six. Nobody knew where the keeper had gone, and the lamps stayed dark. ' +
  // More than a screen of text after them, so the transcript scrolls (only the first chunks are ever synthesised).
  'Snow fell on the roof, and the windows were white with frost. '.repeat(24).trim();
const skip = CHROMIUM_SKIP;

let host: DevHost;
let browser: Browser;
let page: Page;
let dataDir: string;

// The word the DOM highlights and the word the store's played position says, read together.
const highlight = () =>
  page.evaluate(() => {
    const s = (window as any).__kokoroStore.getState();
    const lit = document.querySelector('.transcript .word.current');
    const sample =
      (s.playback.samplesPlayed * 24_000) / (s.playback.position > 0 ? s.playback.samplesPlayed / s.playback.position : 48_000);
    let expected = -1;
    s.words.list.forEach((w: { startSample: number }, i: number) => {
      if (w.startSample <= sample) expected = i;
    });
    return {
      lit: lit ? Number(lit.getAttribute('data-word')) : -1,
      litText: lit?.textContent ?? '',
      expected,
      current: s.words.current as number,
      announced: document.querySelector('[data-testid=sentence-announcer]')?.textContent ?? '',
      requestId: s.playback.requestId as string | null,
      // For the failure message: the sample heard and the word starts around it.
      detail: `sample ${Math.round(sample)}, starts ${s.words.list.map((w: { startSample: number }) => w.startSample).join(' ')}`,
    };
  });

describe('word highlight in Chromium via the dev host', { skip }, () => {
  before(async () => {
    execFileSync(process.execPath, [path.join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'warn'], {
      cwd: ROOT,
      stdio: 'inherit',
    });
    mkdirSync(RESULTS, { recursive: true });
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'kokoro-words-e2e-'));
    host = await startDevHost({ rendererDir: path.join(ROOT, 'dist/renderer'), dataDir, port: 0, clipboard: '' });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    page = await (await browser.newContext({ viewport: { width: 380, height: 520 } })).newPage();
    page.on('pageerror', (error) => console.error(`page error: ${error.message}`));
    await page.goto(host.url);
    await page.waitForSelector('[data-testid=worker-state].badge-up', { timeout: SPEAK_TIMEOUT_MS });
  });

  after(async () => {
    await browser?.close();
    await host?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  test('the highlighted word is the one being played, it moves forward, and a click reads from a word', async () => {
    await page.getByLabel('Text to speak').fill(TEXT);
    await page.getByRole('button', { name: 'Speak', exact: true }).click();
    await page.waitForSelector('.transcript .word.current', { timeout: SPEAK_TIMEOUT_MS });
    const seen: number[] = [];
    let shots = 0;
    // Synthesis here can be slower than real time (the highlight then waits with the audio).
    for (const until = Date.now() + SPEAK_TIMEOUT_MS; Date.now() < until;) {
      const h = await highlight();
      if (h.requestId === null) break;
      if (h.lit >= 0) {
        // The DOM follows the store within one poll; the store follows the played position.
        assert.ok(Math.abs(h.lit - h.current) <= 1, `lit ${h.lit} vs store ${h.current}`);
        assert.ok(Math.abs(h.current - h.expected) <= 1, `store ${h.current} vs played position ${h.expected} (${h.detail})`);
        assert.ok(h.announced.length > h.litText.length, 'the announcer holds a sentence, not a word');
        if (seen.at(-1) !== h.lit) seen.push(h.lit);
        if (shots < 4 && h.lit >= 2) {
          const [width, height, scheme] = (
            [
              [380, 520, 'light'],
              [900, 700, 'light'],
              [380, 520, 'dark'],
              [900, 700, 'dark'],
            ] as const
          )[shots] as readonly [number, number, 'light' | 'dark'];
          await page.setViewportSize({ width, height });
          await page.emulateMedia({ colorScheme: scheme });
          await page.screenshot({ path: path.join(RESULTS, `words-${width}x${height}-${scheme}.png`) });
          shots++;
        }
      }
      if (seen.length >= 4 && shots >= 4) break;
      await page.waitForTimeout(150);
    }
    assert.ok(seen.length >= 3, `the highlight moved: ${seen.join(',')}`);
    assert.deepEqual(
      seen,
      [...seen].sort((a, b) => a - b),
      'forward only',
    );
    // Scroll the transcript away from the word heard: the next word lit is scrolled back into view.
    await page.setViewportSize({ width: 380, height: 520 });
    const away = await page.evaluate(() => {
      const box = document.querySelector('.transcript') as HTMLElement;
      box.scrollTop = box.scrollHeight;
      const lit = box.querySelector('.word.current') as HTMLElement;
      const r = lit.getBoundingClientRect();
      const b = box.getBoundingClientRect();
      return {
        overflows: box.scrollHeight > box.clientHeight,
        lit: Number(lit.dataset['word']),
        outOfView: r.bottom <= b.top || r.top >= b.bottom,
      };
    });
    assert.ok(
      away.overflows && away.outOfView,
      `the transcript scrolls and the lit word was scrolled out of view (${JSON.stringify(away)})`,
    );
    await page.waitForFunction(
      (was) => Number(document.querySelector<HTMLElement>('.transcript .word.current')?.dataset['word'] ?? was) !== was,
      away.lit,
      { timeout: SPEAK_TIMEOUT_MS },
    );
    const back = await page.evaluate(() => {
      const box = document.querySelector('.transcript') as HTMLElement;
      const lit = box.querySelector('.word.current') as HTMLElement;
      const r = lit.getBoundingClientRect();
      const b = box.getBoundingClientRect();
      return { word: lit.textContent, top: r.top, bottom: r.bottom, boxTop: b.top, boxBottom: b.bottom };
    });
    assert.ok(back.top >= back.boxTop && back.bottom <= back.boxBottom, `the next word lit is in view: ${JSON.stringify(back)}`);
    // Click a word of the second sentence (once its chunk is in): a new request starts there.
    const before = (await highlight()).requestId;
    const target = page.locator('.transcript .word', { hasText: 'keeper' }).first();
    await target.waitFor({ timeout: SPEAK_TIMEOUT_MS });
    await target.click();
    await page.waitForFunction((id) => (window as any).__kokoroStore.getState().playback.requestId !== id, before, {
      timeout: SPEAK_TIMEOUT_MS,
    });
    const base = await page.evaluate(() => (window as any).__kokoroStore.getState().playback.textBase as number);
    assert.ok(TEXT.slice(base).startsWith('keeper'), `read from "${TEXT.slice(base, base + 12)}"`);
    await page.getByRole('button', { name: 'Stop' }).click();
  });
});
