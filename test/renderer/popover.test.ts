// Runs in Node (tests): the renderer at the tray popover's real size (380×520, src-main/windows/windows.ts)
// and at a larger window size, light and dark, in Debian's Chromium through the browser dev host
// with the real engine: layout facts (what is inside the viewport and not covered), 200 KB of
// text, the keyboard, previous/next sentence, the media session, the voice sheet, WCAG contrast
// measured from the computed styles, and the reconnecting bridge. Screenshots of every view go
// to test-results/popover-*.png (issue 10, "The popover is the app").

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { startDevHost, type DevHost } from '../../src-main/dev-host/server.ts';
import type { BenchResult } from '../../src-worker/protocol/messages.ts';
import { CHROMIUM, CHROMIUM_ARGS, CHROMIUM_SKIP } from './chromium.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const RESULTS = path.join(ROOT, 'test-results');
/** The popover's size (POPOVER_SIZE in src-main/windows/windows.ts) and a larger window. */
const POPOVER = { width: 380, height: 520 };
const LARGE = { width: 900, height: 700 };
const SIZES = [POPOVER, LARGE];
const SCHEMES = ['light', 'dark'] as const;
/** Synthesis is slow on the CI machines (RTF above 1), so waits are generous. */
const SPEAK_TIMEOUT_MS = 180_000;
/** WCAG 2.x AA for normal text. */
const AA_CONTRAST = 4.5;
/** The text box must be wide enough for a line of words, not one word per line. */
const MIN_TEXT_WIDTH_PX = 300;
/** About 200 KB of text, in numbered sentences so each highlight is distinct. */
const LONG_TEXT = Array.from({ length: 4_000 }, (_, i) => `This is sentence ${i + 1} of a long text.`)
  .join(' ')
  .slice(0, 200_000);

const skip = CHROMIUM_SKIP;

let host: DevHost;
let browser: Browser;
let page: Page;
let dataDir: string;
const rendererDir = path.join(ROOT, 'dist/renderer');

type Size = { width: number; height: number };
const sizeName = (s: Size) => `${s.width}x${s.height}`;

async function shoot(name: string, size: Size, scheme: (typeof SCHEMES)[number]): Promise<void> {
  await page.setViewportSize(size);
  await page.emulateMedia({ colorScheme: scheme });
  await page.waitForTimeout(150);
  await page.screenshot({ path: path.join(RESULTS, `popover-${name}-${sizeName(size)}-${scheme}.png`) });
}

/** Takes `name` at both sizes in both schemes; leaves the popover size, light. */
async function shootAll(name: string): Promise<void> {
  for (const size of SIZES) for (const scheme of SCHEMES) await shoot(name, size, scheme);
  await page.setViewportSize(POPOVER);
  await page.emulateMedia({ colorScheme: 'light' });
}

const store = <T>(fn: string): Promise<T> => page.evaluate(`(() => { const s = window.__kokoroStore.getState(); return (${fn})(s); })()`);
const setState = (patch: string) => page.evaluate(`(() => { const st = window.__kokoroStore; st.setState((s) => (${patch})(s)); })()`);
const setReadiness = (value: unknown) => page.evaluate((v) => (window as any).__kokoroReadiness.setState(v), value);

/** A fetch-progress event half way through the first download. */
const DOWNLOADING = {
  phase: 'downloading',
  label: 'kokoro-v1.0.int8.onnx',
  bytes: 41_200_000,
  total: 92_400_000,
  filesDone: 3,
  files: 56,
  totalBytes: 120_600_000,
};
const FETCH = { id: 'f', variant: undefined, samples: [], stepKey: 'k', thenSwitch: false, firstRun: true };
const ENGINE = { variant: 'int8', firstRun: true, variants: [] };
/**
 * The engine's states the badge and the first-run panel show (first-run-view.tsx), each as a
 * patch of the app store's worker state and the readiness store: every badge colour and label.
 */
const READINESS_STATES: { name: string; worker: 'up' | 'down' | 'connecting'; readiness: unknown }[] = [
  { name: 'connecting', worker: 'connecting', readiness: { engine: null, fetch: null } },
  {
    name: 'downloading',
    worker: 'up',
    readiness: { engine: { ...ENGINE, status: 'fetching' }, fetch: { ...FETCH, events: [DOWNLOADING], error: null } },
  },
  {
    name: 'download-failed',
    worker: 'up',
    readiness: {
      engine: { ...ENGINE, status: 'needs-fetch' },
      fetch: {
        ...FETCH,
        events: [DOWNLOADING],
        error: {
          message: 'No source had the file. Tried the official host and two registries.',
          action: 'Check the network and try again.',
        },
      },
    },
  },
  {
    name: 'model-missing',
    worker: 'up',
    readiness: {
      engine: { ...ENGINE, status: 'needs-fetch', reason: 'The model files are not there yet.', action: 'Fetch them (92 MB, once).' },
      fetch: null,
    },
  },
  { name: 'offline', worker: 'down', readiness: { engine: null, fetch: null } },
];

/** Where an element is, whether it is inside the viewport, and whether a click at its centre reaches it. */
async function reach(locator: Locator) {
  return locator.evaluate((el) => {
    const r = el.getBoundingClientRect();
    const top = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
    return {
      inside: r.width > 0 && r.height > 0 && r.left >= 0 && r.top >= 0 && r.right <= innerWidth + 0.5 && r.bottom <= innerHeight + 0.5,
      hit: !!top && (top === el || el.contains(top)),
      covering: top && top !== el && !el.contains(top) ? (top as HTMLElement).className || top.tagName : null,
      rect: { x: Math.round(r.left), y: Math.round(r.top), w: Math.round(r.width), h: Math.round(r.height) },
    };
  });
}

async function assertReachable(locator: Locator, what: string): Promise<void> {
  const r = await reach(locator);
  assert.ok(
    r.inside,
    `${what} is inside the ${page.viewportSize()?.width}×${page.viewportSize()?.height} viewport (${JSON.stringify(r.rect)})`,
  );
  assert.ok(r.hit, `${what} is not covered (covered by ${r.covering})`);
}

/** Nothing sticks out sideways: no horizontal scroll, every control and heading within the width. */
async function assertNoSidewaysOverflow(what: string): Promise<void> {
  const facts = await page.evaluate(() => {
    const view = document.querySelector('.view') as HTMLElement;
    const out = [...document.querySelectorAll('button, input, select, textarea, label, h2, .badge, .tab, .tile, .chart, .notice, th, td')]
      .filter((el) => !el.closest('.table-scroll') && el.getClientRects().length > 0)
      .map((el) => ({ el, r: el.getBoundingClientRect() }))
      .filter(({ r }) => r.width > 0 && (r.left < -0.5 || r.right > innerWidth + 0.5))
      .map(
        ({ el, r }) =>
          `${el.tagName.toLowerCase()}.${(el as HTMLElement).className} "${el.textContent?.trim().slice(0, 30)}" ${Math.round(r.left)}–${Math.round(r.right)}`,
      );
    const clipped = [...document.querySelectorAll('.badge, .tab, .tabs')]
      .filter((el) => el.scrollWidth > el.clientWidth + 1)
      .map((el) => el.textContent || el.getAttribute('data-short'));
    // The toolbar's parts side by side, none over another (a long badge once ran into Settings).
    const parts = [...document.querySelectorAll('.toolbar .tabs, .toolbar .readiness > *')].filter((el) => el.getClientRects().length > 0);
    for (const [i, a] of parts.entries()) {
      for (const b of parts.slice(i + 1)) {
        const [ra, rb] = [a.getBoundingClientRect(), b.getBoundingClientRect()];
        if (ra.right > rb.left + 0.5 && rb.right > ra.left + 0.5) clipped.push(`${a.className} overlaps ${b.className}`);
      }
    }
    return { pageWidth: document.documentElement.scrollWidth, viewWidth: view.scrollWidth, viewClient: view.clientWidth, out, clipped };
  });
  assert.ok(
    facts.pageWidth <= POPOVER.width || facts.pageWidth <= (page.viewportSize()?.width ?? 0),
    `${what}: the page does not scroll sideways`,
  );
  assert.ok(
    facts.viewWidth <= facts.viewClient + 1,
    `${what}: the view does not scroll sideways (${facts.viewWidth} > ${facts.viewClient})`,
  );
  assert.deepEqual(facts.out, [], `${what}: everything is within the width`);
  assert.deepEqual(facts.clipped, [], `${what}: the badge and tabs are not clipped and do not overlap`);
}

/**
 * Every visible text against the background it is drawn on, from the computed styles:
 * backgrounds composited from the root down, text alpha and opacity applied. Disabled controls
 * are exempt (WCAG 1.4.3 "incidental").
 */
function contrastFailures(min: number): Promise<string[]> {
  return page.evaluate((min) => {
    type Rgba = [number, number, number, number];
    const parse = (css: string): Rgba | null => {
      const m = /rgba?\(([^)]+)\)/.exec(css);
      if (!m) return null;
      const p = (m[1] as string)
        .split(/[\s,/]+/)
        .filter(Boolean)
        .map(Number);
      return [p[0] ?? 0, p[1] ?? 0, p[2] ?? 0, p[3] ?? 1];
    };
    const over = (top: Rgba, bottom: Rgba): Rgba => {
      const a = top[3];
      return [top[0] * a + bottom[0] * (1 - a), top[1] * a + bottom[1] * (1 - a), top[2] * a + bottom[2] * (1 - a), 1];
    };
    const lum = (c: Rgba) => {
      const f = (v: number) => {
        const s = v / 255;
        return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
      };
      return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]);
    };
    const ratio = (a: Rgba, b: Rgba) => {
      const [hi, lo] = [lum(a), lum(b)].sort((x, y) => y - x) as [number, number];
      return (hi + 0.05) / (lo + 0.05);
    };
    const background = (el: Element): { bg: Rgba; opacity: number } => {
      const chain: Element[] = [];
      for (let e: Element | null = el; e; e = e.parentElement) chain.unshift(e);
      let bg: Rgba = [255, 255, 255, 1];
      let opacity = 1;
      for (const e of chain) {
        const style = getComputedStyle(e);
        const c = parse(style.backgroundColor);
        if (c && c[3] > 0) bg = over(c, bg);
        opacity *= Number(style.opacity);
      }
      return { bg, opacity };
    };
    const disabled = (el: Element) =>
      !!el.closest(':disabled, .disabled, [aria-disabled="true"]') || !!el.querySelector(':scope > input:disabled');
    const failures: string[] = [];
    const check = (el: Element, colour: string, text: string, pseudo = '') => {
      const fg = parse(colour);
      if (!fg) return;
      const { bg, opacity } = background(el);
      const shown = over([fg[0], fg[1], fg[2], fg[3] * opacity], bg);
      const r = ratio(shown, bg);
      if (r < min) {
        const name = `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}${typeof (el as HTMLElement).className === 'string' && (el as HTMLElement).className ? `.${(el as HTMLElement).className.trim().split(/\s+/).join('.')}` : ''}${pseudo}`;
        failures.push(`${r.toFixed(2)}:1 ${name} "${text.slice(0, 30)}" ${colour} on rgb(${bg.slice(0, 3).map(Math.round).join(', ')})`);
      }
    };
    for (const el of document.querySelectorAll('body *')) {
      if (el.getClientRects().length === 0 || disabled(el)) continue;
      const style = getComputedStyle(el);
      if (style.visibility !== 'visible') continue;
      const own = [...el.childNodes]
        .filter((n) => n.nodeType === Node.TEXT_NODE)
        .map((n) => n.textContent ?? '')
        .join('')
        .trim();
      if (el instanceof SVGTextElement) {
        if (own) check(el, style.fill, own);
      } else if (own) {
        check(el, style.color, own);
      }
      if (el instanceof HTMLInputElement || el instanceof HTMLTextAreaElement) {
        if (el.value && el.type !== 'range' && el.type !== 'checkbox' && el.type !== 'radio') check(el, style.color, el.value);
        else if (!el.value && el.placeholder) check(el, getComputedStyle(el, '::placeholder').color, el.placeholder, '::placeholder');
      }
      if (el instanceof HTMLSelectElement) check(el, style.color, el.selectedOptions[0]?.textContent ?? '');
      // Text drawn by CSS: the popover's badge shows its short label as ::after { content: attr(data-short) }.
      for (const pseudo of ['::before', '::after']) {
        const ps = getComputedStyle(el, pseudo);
        if (ps.display === 'none' || ps.content === 'none' || ps.content === 'normal') continue;
        const attr = /^attr\(([\w-]+)\)$/.exec(ps.content);
        const text = attr ? (el.getAttribute(attr[1] as string) ?? '') : ps.content.replace(/^"(.*)"$/, '$1');
        if (text.trim()) check(el, ps.color, text, pseudo);
      }
    }
    return failures;
  }, min);
}

const BENCH_RESULT: BenchResult = {
  startedAt: '2026-11-22T03:00:00.000Z',
  machine: {
    cpu: 'Test CPU',
    cores: 2,
    memoryBytes: 8e9,
    platform: 'linux',
    arch: 'x64',
    node: '20',
    onnxruntime: '1.30.0',
    model: 'kokoro-v1.0.int8.onnx',
  },
  rows: [
    {
      preset: 'short',
      provider: 'cpu',
      runs: 3,
      ttfaEngineMs: { p50: 420, p95: 610 },
      rtf: { p50: 0.41, p95: 0.52 },
      floorMs: { p50: 380, p95: 540 },
      floorRtf: { p50: 0.36, p95: 0.44 },
      audioSeconds: 2.5,
      peakRssBytes: 400e6,
    },
    {
      preset: 'long',
      provider: 'cpu',
      runs: 3,
      ttfaEngineMs: { p50: 450, p95: 700 },
      rtf: { p50: 0.45, p95: 0.6 },
      floorMs: { p50: 390, p95: 560 },
      floorRtf: { p50: 0.4, p95: 0.5 },
      audioSeconds: 30,
      peakRssBytes: 520e6,
    },
  ],
};

async function openApp(): Promise<void> {
  await page.goto(host.url);
  await page.waitForSelector('[data-testid=worker-state].badge-up', { timeout: SPEAK_TIMEOUT_MS });
  await page.waitForFunction(() => (window as any).__kokoroStore.getState().voices.list.length > 0, undefined, {
    timeout: SPEAK_TIMEOUT_MS,
  });
}

describe('the popover at 380×520 and a larger window, light and dark', { skip }, () => {
  before(async () => {
    execFileSync(process.execPath, [path.join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'warn'], {
      cwd: ROOT,
      stdio: 'inherit',
    });
    mkdirSync(RESULTS, { recursive: true });
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'kokoro-popover-'));
    host = await startDevHost({ rendererDir, dataDir, port: 0 });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    const context = await browser.newContext({ viewport: POPOVER });
    await context.addInitScript(() => {
      (window as unknown as { __kokoroTap: unknown[] }).__kokoroTap = [];
      // tsx compiles this file keeping function names, through a helper that page.evaluate's
      // serialised functions then call inside the page.
      (window as unknown as { __name: (f: unknown) => unknown }).__name = (f) => f;
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

  test('Speak at 380×520: a wide text box, the transport, voice, speed and provider in view and not covered', async () => {
    const box = page.getByLabel('Text to speak');
    const width = await box.evaluate((el) => el.getBoundingClientRect().width);
    assert.ok(width >= MIN_TEXT_WIDTH_PX, `the text box is ${Math.round(width)} px wide`);
    await assertReachable(page.getByRole('button', { name: 'Speak', exact: true }), 'Speak');
    for (const name of ['Previous sentence', 'Pause', 'Stop', 'Next sentence']) {
      await assertReachable(page.getByRole('button', { name, exact: true }), name);
    }
    await assertReachable(page.getByRole('button', { name: /^Voice: / }), 'the voice button');
    await assertReachable(page.getByRole('slider', { name: /Speed/ }), 'the speed slider');
    await assertReachable(page.getByRole('radio', { name: 'CPU' }).locator('..'), 'the provider toggle');
    for (const tab of ['Speak', 'Dashboard', 'Benchmark', 'Settings'])
      await assertReachable(page.getByRole('tab', { name: tab }), `the ${tab} tab`);
    await assertReachable(page.getByTestId('worker-state'), 'the status badge');
    await assertNoSidewaysOverflow('Speak');
    await shootAll('speak-idle');
  });

  test('a blend at 380×520: the voice button shows its whole name and the transport stays in view', async (t) => {
    const voice = await store<string>('(s) => s.settings.value.voice');
    t.after(() => setState(`(s) => ({ settings: { ...s.settings, value: { ...s.settings.value, voice: '${voice}' } } })`));
    for (const blend of ['af_heart:0.7,af_bella:0.3', 'am_michael:0.6,af_jessica:0.4']) {
      await setState(`(s) => ({ settings: { ...s.settings, value: { ...s.settings.value, voice: '${blend}' } } })`);
      const name = page.locator('.voice-button-name');
      const shown = await name.evaluate((el) => ({ text: el.textContent, cut: el.scrollWidth > el.clientWidth + 1 }));
      assert.equal(shown.cut, false, `the voice button shows "${shown.text}" whole`);
      await assertReachable(page.getByRole('button', { name: /^Voice: / }), `the voice button with ${blend}`);
      await assertReachable(page.getByRole('slider', { name: /Speed/ }), `the speed slider with ${blend}`);
      for (const control of ['Speak', 'Stop']) {
        await assertReachable(page.getByRole('button', { name: control, exact: true }), `${control} with ${blend}`);
      }
      await assertNoSidewaysOverflow(`Speak with ${blend}`);
    }
    await shootAll('speak-blend');
  });

  test(
    '200 KB of text: the view does not grow, the transcript scrolls, the transport never does',
    { timeout: SPEAK_TIMEOUT_MS * 2 },
    async () => {
      await page.evaluate((text) => (window as any).__kokoroStore.getState().setDraft(text), LONG_TEXT);
      const viewHeight = () => page.locator('main.view').evaluate((el) => ({ scroll: el.scrollHeight, client: el.clientHeight }));
      let h = await viewHeight();
      assert.ok(h.scroll <= h.client + 1, `the view holds the text box without growing (${h.scroll} > ${h.client})`);
      await assertReachable(page.getByRole('button', { name: 'Speak', exact: true }), 'Speak with 200 KB of text');
      await page.getByRole('button', { name: 'Speak', exact: true }).click();
      await page.waitForSelector('mark.current', { timeout: SPEAK_TIMEOUT_MS });
      h = await viewHeight();
      assert.ok(h.scroll <= h.client + 1, `the view does not grow while speaking (${h.scroll} > ${h.client})`);
      const transcript = await page.getByTestId('transcript').evaluate((el) => ({ scroll: el.scrollHeight, client: el.clientHeight }));
      assert.ok(transcript.scroll > transcript.client * 10, 'the transcript scrolls inside itself');
      for (const name of ['Pause', 'Stop', 'Next sentence', 'Previous sentence']) {
        await assertReachable(page.getByRole('button', { name, exact: true }), `${name} while reading 200 KB`);
      }
      await assertReachable(page.locator('mark.current'), 'the sentence being read');
      await shootAll('speak-long');
    },
  );

  test('Space pauses and resumes even with focus left on Speak (it used to restart the utterance)', async () => {
    await page.getByRole('button', { name: 'Speak', exact: true }).focus();
    const before = await store<{ id: string; status: string }>('(s) => ({ id: s.playback.requestId, status: s.playback.status })');
    assert.notEqual(before.status, 'idle');
    await page.keyboard.press(' ');
    const paused = await store<{ id: string; status: string }>('(s) => ({ id: s.playback.requestId, status: s.playback.status })');
    assert.deepEqual(paused, { id: before.id, status: 'paused' }, 'paused, same utterance');
    assert.equal(await page.evaluate(() => navigator.mediaSession.playbackState), 'paused');
    await page.keyboard.press(' ');
    const resumed = await store<{ id: string; status: string }>('(s) => ({ id: s.playback.requestId, status: s.playback.status })');
    assert.deepEqual(resumed, { id: before.id, status: 'playing' }, 'resumed, same utterance');
  });

  test('next and previous sentence, and Now Playing through navigator.mediaSession', { timeout: SPEAK_TIMEOUT_MS * 2 }, async () => {
    const at = await store<number>('(s) => s.playback.sentenceIndex');
    await page.getByRole('button', { name: 'Next sentence', exact: true }).click();
    const next = await store<{ index: number; base: number; text: string }>(
      '(s) => ({ index: s.playback.sentenceIndex, base: s.playback.textBase, text: s.playback.spokenText.slice(s.playback.sentences[s.playback.sentenceIndex]?.start, s.playback.sentences[s.playback.sentenceIndex]?.end) })',
    );
    assert.equal(next.index, at + 1, 'the highlight moved to the next sentence');
    assert.equal(next.text, `This is sentence ${at + 2} of a long text.`);
    assert.equal(LONG_TEXT.slice(next.base, next.base + next.text.length), next.text, 'the new request starts at that sentence');
    await page.waitForFunction(() => (window as any).__kokoroStore.getState().playback.samplesPlayed > 0, undefined, {
      timeout: SPEAK_TIMEOUT_MS,
      polling: 50,
    });
    const media = await page.evaluate(() => ({
      state: navigator.mediaSession.playbackState,
      title: navigator.mediaSession.metadata?.title,
      artist: navigator.mediaSession.metadata?.artist,
    }));
    const heard = await store<string>(
      '(s) => s.playback.spokenText.slice(s.playback.sentences[s.playback.sentenceIndex].start, s.playback.sentences[s.playback.sentenceIndex].end)',
    );
    assert.deepEqual(media, { state: 'playing', title: heard, artist: 'Heart' });
    await page.getByRole('button', { name: 'Previous sentence', exact: true }).click();
    assert.equal(await store<number>('(s) => s.playback.sentenceIndex'), next.index - 1, 'back one sentence');
    await page.getByRole('button', { name: 'Stop', exact: true }).click();
    assert.equal(await store<string>('(s) => s.playback.status'), 'idle');
    assert.equal(await page.evaluate(() => navigator.mediaSession.playbackState), 'none');
    await page.evaluate(() =>
      (window as any).__kokoroStore
        .getState()
        .setDraft('Kokoro Bar reads text aloud on your own machine. Copy something, press the hotkey, and listen.'),
    );
  });

  test('the voice sheet at 380×520: opens over the view, searches, and F twice stars and unstars one voice', async () => {
    const button = page.getByRole('button', { name: /^Voice: / });
    await button.click();
    const sheet = page.locator('#voice-sheet');
    await assertReachable(page.getByLabel('Search voices'), 'the search field');
    await assertReachable(page.getByRole('button', { name: 'Done' }), 'Done');
    const box = await sheet.evaluate((el) => el.getBoundingClientRect().height);
    assert.ok(box > 400, 'the sheet uses the height of the view');
    await shootAll('voices');
    await page.getByRole('listbox').focus();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    const cursor = await page
      .getByRole('listbox')
      .evaluate((el) => document.getElementById(el.getAttribute('aria-activedescendant') ?? '')?.getAttribute('data-voice'));
    await page.keyboard.press('f');
    await page.waitForFunction(() => (window as any).__kokoroStore.getState().settings.value.favourites.length === 1);
    assert.deepEqual(await store<string[]>('(s) => s.settings.value.favourites'), [cursor]);
    await page.keyboard.press('f');
    await page.waitForFunction(() => (window as any).__kokoroStore.getState().settings.value.favourites.length !== 1);
    assert.deepEqual(await store<string[]>('(s) => s.settings.value.favourites'), [], 'the second F unstarred the same voice');
    await page.keyboard.press('Enter');
    await page.waitForFunction((id) => (window as any).__kokoroStore.getState().settings.value.voice === id, cursor);
    assert.equal(await sheet.isVisible(), false, 'Enter picks and closes the sheet');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'voice-button', 'focus returns to the voice button');
    // Esc closes the sheet without stopping anything.
    await button.click();
    await page.keyboard.press('Escape');
    assert.equal(await sheet.isVisible(), false);
    await page.evaluate(() => (window as any).__kokoroStore.getState().setVoiceQuery(''));
  });

  test('Dashboard, Benchmark and Settings fit the popover: nothing clipped or sideways', async () => {
    await setState(
      `(s) => ({ bench: { ...s.bench, result: ${JSON.stringify(BENCH_RESULT)}, history: [${JSON.stringify(BENCH_RESULT)}] } })`,
    );
    for (const [key, name] of [
      ['2', 'dashboard'],
      ['3', 'benchmark'],
      ['4', 'settings'],
    ] as const) {
      await page.keyboard.press(`Control+${key}`);
      await assertNoSidewaysOverflow(name);
      // Tables too: no column left out of view to the right (they used to scroll sideways, 919 px wide).
      const tables = await page
        .locator('.table-scroll')
        .evaluateAll((els) =>
          els.map((el) => ({ scroll: el.scrollWidth, client: el.clientWidth, rows: el.querySelectorAll('tbody tr').length })),
        );
      if (name !== 'settings')
        assert.ok(
          tables.some((t) => t.rows > 0),
          `${name} shows a table with rows`,
        );
      for (const t of tables) assert.ok(t.scroll <= t.client + 1, `${name}: a table fits the popover (${t.scroll} > ${t.client})`);
      await shootAll(name);
    }
    await page.keyboard.press('Control+1');
  });

  test('the engine starting, downloading, failing, missing or offline at 380×520: the panel, the badge and the transport fit', async (t) => {
    const saved = await page.evaluate(() => {
      const { engine, fetch } = (window as any).__kokoroReadiness.getState();
      return { engine, fetch };
    });
    t.after(async () => {
      await setReadiness(saved);
      await setState(`(s) => ({ metrics: { ...s.metrics, worker: 'up' } })`);
      await page.setViewportSize(POPOVER);
      await page.emulateMedia({ colorScheme: 'light' });
    });
    for (const state of READINESS_STATES) {
      await setState(`(s) => ({ metrics: { ...s.metrics, worker: '${state.worker}' } })`);
      await setReadiness(state.readiness);
      await page.keyboard.press('Control+1');
      const what = `Speak while ${state.name}`;
      await assertReachable(page.getByRole('button', { name: 'Speak', exact: true }), `Speak (${state.name})`);
      await assertReachable(page.getByRole('button', { name: /^Voice: / }), `the voice button (${state.name})`);
      await assertReachable(page.getByTestId('worker-state'), `the badge (${state.name})`);
      const panel = page.getByTestId('first-run');
      if (await panel.isVisible()) {
        await assertReachable(panel.locator('strong').first(), `the model panel's headline (${state.name})`);
        for (const name of ['Fetch model', 'Try again']) {
          const action = panel.getByRole('button', { name, exact: true });
          if (await action.isVisible()) await assertReachable(action, `${name} (${state.name})`);
        }
      }
      await assertNoSidewaysOverflow(what);
      await shootAll(`engine-${state.name}`);
    }
  });

  test('every text meets WCAG AA 4.5:1 in light and dark, measured from the computed styles', async () => {
    // States that show colours idle does not: speaking and paused labels, the transcript, a
    // warning and an error, a provider fallback, a blend, a favourite, benchmark results.
    const voice = await store<string>('(s) => s.settings.value.voice');
    const provider = await store<unknown>('(s) => s.metrics.provider');
    const readiness = await page.evaluate(() => {
      const { engine, fetch } = (window as any).__kokoroReadiness.getState();
      return { engine, fetch };
    });
    const states = [
      // Playing, with the word "Two" lit inside its sentence (white on the accent fill).
      `(s) => ({ playback: { ...s.playback, status: 'playing', requestId: 'contrast', spokenText: 'One. Two. Three.', sentences: [{ start: 0, end: 4 }, { start: 5, end: 9 }, { start: 10, end: 16 }], sentenceIndex: 1 }, words: { requestId: 'contrast', list: [{ span: { start: 5, end: 8 }, startSample: 0, endSample: 2400 }], current: 0 } })`,
      `(s) => ({ playback: { ...s.playback, status: 'paused', problem: { message: 'A problem.', action: 'Do this.' } } })`,
      `(s) => ({ playback: { ...s.playback, status: 'idle', problem: null }, ui: { ...s.ui, notice: { level: 'warning', message: 'A warning.' } }, metrics: { ...s.metrics, provider: s.metrics.provider && { ...s.metrics.provider, fallbackReason: 'CoreML failed here.' } }, settings: { ...s.settings, value: { ...s.settings.value, voice: 'af_heart:0.7,af_bella:0.3', favourites: ['af_heart', 'af_alloy'] } } })`,
    ];
    const failures: string[] = [];
    const voiceButton = page.getByRole('button', { name: /^Voice: / });
    for (const scheme of SCHEMES) {
      await page.emulateMedia({ colorScheme: scheme });
      for (const size of SIZES) {
        await page.setViewportSize(size);
        for (const [i, patch] of states.entries()) {
          await setState(patch);
          await page.keyboard.press('Control+1');
          if (i === 0) assert.equal(await page.locator('.transcript .word.current').count(), 1, 'the lit word is among the texts checked');
          // The last state also opens the popover's voice sheet, where there is one.
          const sheet = size === POPOVER && i === states.length - 1 && (await voiceButton.isVisible());
          if (sheet) await voiceButton.click();
          for (const f of await contrastFailures(AA_CONTRAST)) failures.push(`${scheme} ${sizeName(size)} speak#${i}: ${f}`);
          if (sheet) await page.getByRole('button', { name: 'Done' }).click();
        }
        for (const key of ['2', '3', '4']) {
          await page.keyboard.press(`Control+${key}`);
          for (const f of await contrastFailures(AA_CONTRAST)) failures.push(`${scheme} ${sizeName(size)} view ${key}: ${f}`);
        }
        // The badge (long label, or the popover's short one drawn by CSS) and the model panel in
        // every engine state, and "Starting…" while a request waits for its first audio.
        await page.keyboard.press('Control+1');
        for (const state of READINESS_STATES) {
          await setState(
            `(s) => ({ metrics: { ...s.metrics, worker: '${state.worker}' }, playback: { ...s.playback, status: 'starting', problem: null } })`,
          );
          await setReadiness(state.readiness);
          for (const f of await contrastFailures(AA_CONTRAST)) failures.push(`${scheme} ${sizeName(size)} ${state.name}: ${f}`);
        }
        await setReadiness(readiness);
        await setState(`(s) => ({ metrics: { ...s.metrics, worker: 'up' }, playback: { ...s.playback, status: 'idle' } })`);
      }
    }
    await setState(
      `(s) => ({ ui: { ...s.ui, notice: null }, metrics: { ...s.metrics, provider: ${JSON.stringify(provider)} }, settings: { ...s.settings, value: { ...s.settings.value, voice: '${voice}', favourites: [] } } })`,
    );
    await page.emulateMedia({ colorScheme: 'light' });
    await page.setViewportSize(POPOVER);
    await page.keyboard.press('Control+1');
    assert.deepEqual([...new Set(failures)], []);
  });

  test(
    '⌘↩ respects readiness; offline, a request fails at once with a message; the page reconnects when the host is back',
    { timeout: SPEAK_TIMEOUT_MS * 2 },
    async () => {
      if ((await store<string>('(s) => s.playback.status')) !== 'idle')
        await page.getByRole('button', { name: 'Stop', exact: true }).click();
      const speaks = () =>
        page.evaluate(() => (window as any).__kokoroTap.filter((e: { type: string }) => e.type === 'started').length as number);
      const before = await speaks();
      await setState(`(s) => ({ metrics: { ...s.metrics, worker: 'connecting' } })`);
      assert.equal(await page.getByRole('button', { name: 'Speak', exact: true }).isDisabled(), true);
      await page.keyboard.press('Control+Enter');
      assert.equal(await store<string>('(s) => s.playback.status'), 'idle', 'no "Starting…" that never ends');
      assert.match((await page.getByRole('alert').textContent()) ?? '', /still starting/);
      await setState(`(s) => ({ metrics: { ...s.metrics, worker: 'up' }, playback: { ...s.playback, problem: null } })`);

      // The real thing: the dev host goes away, then comes back on the same port.
      const port = host.port;
      await host.close();
      await page.waitForSelector('[data-testid=worker-state].badge-down', { timeout: 10_000 });
      const started = Date.now();
      await page.keyboard.press('Control+Enter');
      await page.waitForFunction(() => /offline/.test(document.querySelector('[role=alert]')?.textContent ?? ''), undefined, {
        timeout: 1_000,
      });
      assert.ok(Date.now() - started < 1_000, 'the message came at once');
      assert.equal(await store<string>('(s) => s.playback.status'), 'idle');
      const offline: string[] = [];
      for (const scheme of SCHEMES) {
        await shoot('offline', POPOVER, scheme);
        offline.push(...(await contrastFailures(AA_CONTRAST)).map((f) => `${scheme}: ${f}`));
      }
      assert.deepEqual(offline, [], 'the offline badge and message are readable too');
      await page.emulateMedia({ colorScheme: 'light' });
      host = await startDevHost({ rendererDir, dataDir, port });
      await page.waitForSelector('[data-testid=worker-state].badge-up', { timeout: SPEAK_TIMEOUT_MS });
      assert.equal(
        await page.getByRole('button', { name: 'Speak', exact: true }).isDisabled(),
        false,
        'Speak works again without a reload',
      );
      assert.equal(await speaks(), before, 'nothing sent while offline was replayed');
    },
  );
});
