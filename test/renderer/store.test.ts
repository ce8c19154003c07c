// Runs in Node (tests): the renderer store through getState() without React, driven by worker
// events, app commands and bridge answers from an in-memory bridge that records what the store
// sends. (Speaking itself needs an AudioContext: the Chromium tests and test/renderer/views cover
// it.) Each test starts from the stores' initial state and a fresh bridge, so none depends on
// another having run before it.

import assert from 'node:assert/strict';
import { beforeEach, test } from 'node:test';
import { defaultSettings } from '../../src-main/settings/settings.ts';
import {
  PROTOCOL_VERSION,
  type AppCommand,
  type BenchResult,
  type ProviderState,
  type WorkerEvent,
  type WorkerRequest,
} from '../../src-worker/protocol/messages.ts';
import {
  cancelBenchmark,
  chooseProvider,
  modelBlocker,
  preview,
  runBenchmark,
  skipSentence,
  speak,
  speakBlocker,
  start,
  stop,
  toggleFavourite,
  updateSettings,
} from '../../src-renderer/store/actions.ts';
import { useReadiness } from '../../src-renderer/first-run/readiness-store.ts';
import { connectMediaSession, MEDIA_ACTIONS, type MediaSessionLike, type NowPlaying } from '../../src-renderer/media-session.ts';
import { useStore } from '../../src-renderer/store/store.ts';
import { fakeBridge, type FakeBridge } from './bridge/fake-bridge.ts';
import { resetStores } from './store/reset-stores.ts';

let fake: FakeBridge;
let sent: WorkerRequest[];
let emit: (event: WorkerEvent) => void;
let command: (c: AppCommand) => void;
let workerState: (s: 'up' | 'down') => void;

const state = () => useStore.getState();
const flush = () => new Promise((resolve) => setTimeout(resolve, 0));
/** The worker says hello: the engine is up (the precondition of every way to speak). */
const up = () => emit({ type: 'hello', id: '', version: PROTOCOL_VERSION, pid: 1 });

beforeEach(async () => {
  stop();
  resetStores();
  fake = fakeBridge({ clipboard: 'from the clipboard' });
  ({ sent, emit, command, workerState } = fake);
  await start(fake.bridge, 'unused-in-node');
});

test('start loads settings, fills the text box from the clipboard, asks the worker for voices, status and bench history', () => {
  assert.equal(state().settings.value?.voice, 'af_heart');
  assert.equal(state().playback.draft, 'from the clipboard');
  assert.deepEqual(
    sent.map((r) => r.type),
    ['list-voices', 'status', 'bench-history'],
  );
});

test('worker events land in their slices', () => {
  emit({ type: 'hello', id: '', version: PROTOCOL_VERSION, pid: 1 });
  assert.equal(state().metrics.worker, 'up');
  emit({
    type: 'voices',
    id: 'v',
    voices: [{ id: 'af_heart', name: 'Heart', language: 'American English', lang: 'en-us', gender: 'female' }],
  });
  assert.equal(state().voices.list.length, 1);
  const provider: ProviderState = {
    requested: { provider: 'auto' },
    active: 'cpu',
    options: [{ provider: 'coreml', available: false, reason: 'macOS only' }],
    model: 'kokoro-v1.0.int8.onnx',
    threads: 2,
  };
  emit({ type: 'provider', id: 'p', state: provider });
  assert.equal(state().metrics.provider?.model, 'kokoro-v1.0.int8.onnx');
  // Events for requests the store did not make are ignored.
  emit({
    type: 'metrics',
    id: 'stranger',
    ttfaEngineMs: 1,
    rtf: 1,
    audioSeconds: 1,
    synthSeconds: 1,
    rssBytes: 1,
    peakRssBytes: 1,
    provider: 'cpu',
    droppedSymbols: 0,
    final: true,
  });
  assert.equal(state().metrics.current, null);
});

test('settings writes show at once, are kept when main accepts them and rolled back when it refuses', async () => {
  const ok = updateSettings({ speed: 1.5 });
  assert.equal(state().settings.value?.speed, 1.5, 'optimistic');
  assert.equal(await ok, null);
  assert.equal(fake.settings.speed, 1.5);
  const refused = await updateSettings({ speed: 7 });
  assert.match(refused ?? '', /speed/);
  assert.equal(state().settings.value?.speed, 1.5, 'rolled back');
  assert.match(state().settings.problem ?? '', /speed/);
  await toggleFavourite('af_bella');
  await toggleFavourite('af_sky');
  await toggleFavourite('af_bella');
  assert.deepEqual(state().settings.value?.favourites, ['af_sky']);
  await chooseProvider({ provider: 'cpu' });
  assert.equal(sent[sent.length - 1]?.type, 'set-provider');
  assert.deepEqual(fake.settings.provider, { provider: 'cpu' });
});

test('a benchmark run tracks progress, shows its result and asks the worker for the history again', async () => {
  up();
  useStore.getState().setBenchOptions({ presets: ['long', 'short'], runs: 2 });
  runBenchmark();
  const request = sent[sent.length - 1];
  assert.equal(request?.type, 'benchmark');
  if (request?.type !== 'benchmark') return;
  assert.deepEqual(request.presets, ['short', 'long'], 'presets run in their fixed order');
  assert.equal(request.runs, 2);
  emit({ type: 'bench-progress', id: request.id, completed: 1, total: 4, label: 'short · cpu' });
  assert.deepEqual(state().bench.progress, { completed: 1, total: 4, label: 'short · cpu' });
  const result: BenchResult = {
    startedAt: '2026-11-22T00:00:00.000Z',
    machine: { cpu: 'c', cores: 2, memoryBytes: 1, platform: 'linux', arch: 'x64', node: 'v20', onnxruntime: '1.30.0', model: 'm' },
    rows: [],
  };
  const older: BenchResult = { ...result, startedAt: '2026-11-21T00:00:00.000Z' };
  emit({ type: 'bench-result', id: request.id, result });
  emit({ type: 'done', id: request.id, stopped: false });
  assert.equal(state().bench.requestId, null);
  assert.deepEqual(state().bench.result, result);
  // The worker stored the run before posting it; the store asks for the history and shows it.
  const ask = sent[sent.length - 1];
  assert.equal(ask?.type, 'bench-history');
  emit({ type: 'bench-history', id: 'someone-else', results: [] });
  emit({ type: 'bench-history', id: ask?.id ?? '', results: [result, older] });
  emit({ type: 'done', id: ask?.id ?? '', stopped: false });
  assert.deepEqual(state().bench.history, [result, older], 'newest first, as the worker sends it');
  emit({ type: 'bench-history', id: 'someone-else', results: [] });
  assert.deepEqual(state().bench.history, [result, older], 'an answer to another request is ignored');
  cancelBenchmark();
  assert.notEqual(sent[sent.length - 1]?.type, 'stop', 'nothing to cancel once done');
});

test('app commands switch views and show notices; a worker crash is a state, not a hang', () => {
  command({ type: 'show-view', view: 'benchmark' });
  assert.equal(state().ui.view, 'benchmark');
  command({ type: 'notice', level: 'warning', message: 'Heads up' });
  assert.deepEqual(state().ui.notice, { level: 'warning', message: 'Heads up' });
  // The settings' owner changed them (tray menu, a voice that is not installed): the store follows.
  const changed = { ...defaultSettings(), voice: 'bm_george', speed: 1.5 };
  command({ type: 'settings-changed', settings: changed });
  assert.deepEqual(state().settings.value, changed);
  workerState('down');
  assert.equal(state().metrics.worker, 'down');
  const before = sent.length;
  workerState('up');
  assert.deepEqual(
    sent.slice(before).map((r) => r.type),
    ['list-voices', 'status', 'bench-history'],
    'asks again after a restart',
  );
  stop();
  assert.equal(state().playback.status, 'idle');
});

// --- readiness, previous/next sentence, media session (issue 10, "The popover is the app") ---

const speakRequests = () => sent.filter((r): r is Extract<WorkerRequest, { type: 'speak' }> => r.type === 'speak');
/** speak() ends by waking the AudioContext, which Node lacks: only what it did before counts. */
const quietly = (p: Promise<void>) => p.catch(() => undefined);

test('a request made while the engine is offline or starting fails at once with a message, and sends nothing', async () => {
  for (const worker of ['down', 'connecting'] as const) {
    useStore.setState((s) => ({ metrics: { ...s.metrics, worker }, playback: { ...s.playback, problem: null } }));
    const before = speakRequests().length;
    await quietly(speak('Hello there.'));
    assert.equal(speakRequests().length, before, `nothing is sent while ${worker}`);
    assert.equal(state().playback.status, 'idle', `no "Starting…" that never ends while ${worker}`);
    assert.match(state().playback.problem?.message ?? '', worker === 'down' ? /offline/ : /starting/);
    assert.ok(speakBlocker(state()), 'the Speak button and ⌘↩ read the same rule');
    // The hotkey path (an app command) obeys the same rule.
    command({ type: 'speak-text', text: 'From a hotkey.', source: 'clipboard', actionAt: Date.now() });
    await flush();
    assert.equal(speakRequests().length, before);
    runBenchmark();
    assert.match(state().bench.problem?.message ?? '', /offline|starting/);
    preview('af_bella');
    assert.equal(state().voices.previewing, null, 'a refused preview does not show as playing');
    assert.equal(speakRequests().length, before);
  }
  workerState('up');
  assert.equal(speakBlocker(state()), null);
});

test('after an outage the settings are read again (the host may be a new one)', async () => {
  fake.settings = { ...fake.settings, speed: 1.25 };
  workerState('down');
  workerState('up');
  await flush();
  assert.equal(state().settings.value?.speed, 1.25);
});

test('previous/next sentence restart from that sentence; the transcript keeps the whole text and its spans', async () => {
  up();
  const text = 'One. Two two. Three three three. Four.';
  const spans = [
    { start: 0, end: 4 },
    { start: 5, end: 13 },
    { start: 14, end: 32 },
    { start: 33, end: 38 },
  ];
  await quietly(speak(text));
  const first = speakRequests().at(-1);
  assert.equal(first?.text, text);
  emit({ type: 'started', id: first?.id ?? '', sentences: spans, provider: 'cpu', voice: 'af_heart' });
  useStore.setState((s) => ({ playback: { ...s.playback, sentenceIndex: 1 } }));

  await quietly(skipSentence(1));
  const second = speakRequests().at(-1);
  assert.notEqual(second?.id, first?.id, 'a new request');
  assert.equal(second?.text, 'Three three three. Four.', 'the worker gets the text from sentence 3');
  assert.equal(state().playback.spokenText, text, 'the transcript shows the whole text');
  assert.equal(state().playback.sentenceIndex, 2, 'the highlight moves at once');
  // The worker's spans are relative to what it was sent; the store shifts them back.
  emit({
    type: 'started',
    id: second?.id ?? '',
    sentences: [
      { start: 0, end: 18 },
      { start: 19, end: 24 },
    ],
    provider: 'cpu',
    voice: 'af_heart',
  });
  assert.deepEqual(state().playback.sentences, spans);

  await quietly(skipSentence(-1));
  const third = speakRequests().at(-1);
  assert.equal(third?.text, 'Two two. Three three three. Four.');
  emit({
    type: 'started',
    id: third?.id ?? '',
    sentences: [
      { start: 0, end: 8 },
      { start: 9, end: 27 },
      { start: 28, end: 33 },
    ],
    provider: 'cpu',
    voice: 'af_heart',
  });
  assert.deepEqual(state().playback.sentences, spans, 'going back keeps the spans consistent');

  // Previous at the first sentence starts it again; next at the last does nothing.
  useStore.setState((s) => ({ playback: { ...s.playback, sentenceIndex: 0 } }));
  await quietly(skipSentence(-1));
  assert.equal(speakRequests().at(-1)?.text, text);
  emit({ type: 'started', id: speakRequests().at(-1)?.id ?? '', sentences: spans, provider: 'cpu', voice: 'af_heart' });
  useStore.setState((s) => ({ playback: { ...s.playback, sentenceIndex: 3 } }));
  const count = speakRequests().length;
  await quietly(skipSentence(1));
  assert.equal(speakRequests().length, count);
  stop();
  await quietly(skipSentence(1));
  assert.equal(speakRequests().length, count, 'nothing to skip when idle');
});

test('media session: play/pause/stop/previous/next handlers drive playback; state and metadata follow it', async () => {
  up();
  emit({
    type: 'voices',
    id: 'v',
    voices: [{ id: 'af_heart', name: 'Heart', language: 'American English', lang: 'en-us', gender: 'female' }],
  });
  const handlers = new Map<string, MediaSessionActionHandler | null>();
  // Every playback state Now Playing is told, in order.
  const told: MediaSessionPlaybackState[] = [];
  let playbackState: MediaSessionPlaybackState = 'none';
  const session: MediaSessionLike = {
    metadata: null,
    get playbackState() {
      return playbackState;
    },
    set playbackState(value) {
      told.push(value);
      playbackState = value;
    },
    setActionHandler: (action, handler) => void handlers.set(action, handler),
  };
  // The silent <audio> anchor Chromium needs before it routes media keys to the page.
  const anchor = { playing: false };
  const disconnect = connectMediaSession(session, (info) => info as unknown as MediaMetadata, {
    play: () => void (anchor.playing = true),
    pause: () => void (anchor.playing = false),
  });
  assert.deepEqual([...handlers.keys()].sort(), [...MEDIA_ACTIONS].sort());
  const press = (action: MediaSessionAction) => handlers.get(action)?.({ action });
  const text = 'First sentence here. Second one.';
  await quietly(speak(text));
  const id = speakRequests().at(-1)?.id ?? '';
  emit({
    type: 'started',
    id,
    sentences: [
      { start: 0, end: 20 },
      { start: 21, end: 32 },
    ],
    provider: 'cpu',
    voice: 'af_heart',
  });
  useStore.setState((s) => ({ playback: { ...s.playback, status: 'playing', sentenceIndex: 0 } }));
  assert.equal(session.playbackState, 'playing');
  assert.equal(anchor.playing, true, 'the anchor plays while speech does');
  assert.deepEqual(session.metadata, { title: 'First sentence here.', artist: 'Heart', album: 'Kokoro Bar' });
  press('pause');
  assert.equal(state().playback.status, 'paused');
  assert.equal(session.playbackState, 'paused');
  assert.equal(anchor.playing, false, 'and pauses with it');
  assert.equal(sent.at(-1)?.type, 'pause');
  press('play');
  assert.equal(state().playback.status, 'playing');
  assert.equal(sent.at(-1)?.type, 'resume');
  told.length = 0;
  press('nexttrack');
  await flush();
  assert.equal(speakRequests().at(-1)?.text, 'Second one.');
  assert.deepEqual(told, [], 'next sentence keeps Now Playing playing (no flicker through none)');
  assert.equal(anchor.playing, true);
  assert.equal(session.metadata && (session.metadata as unknown as NowPlaying).title, 'Second one.');
  useStore.setState((s) => ({ playback: { ...s.playback, status: 'playing', sentenceIndex: 1 } }));
  press('previoustrack');
  await flush();
  assert.equal(speakRequests().at(-1)?.text, text, 'previous track reads from the first sentence again');
  assert.equal(session.metadata && (session.metadata as unknown as NowPlaying).title, 'First sentence here.');
  press('stop');
  assert.equal(state().playback.status, 'idle');
  assert.equal(session.playbackState, 'none');
  assert.equal(session.metadata, null);
  assert.equal(anchor.playing, false, 'the anchor stops with the speech');
  // Play on the keyboard or headphones while nothing is being read speaks the text box.
  useStore.setState((s) => ({ playback: { ...s.playback, draft: 'From the media key.' } }));
  press('play');
  await flush();
  assert.equal(speakRequests().at(-1)?.text, 'From the media key.');
  stop();
  disconnect();
});

test('a started event that skipped unreadable text shows its message as a warning', async () => {
  up();
  useStore.setState((s) => ({ ui: { ...s.ui, notice: null } }));
  await quietly(speak('Hi مرحبا there.'));
  const id = speakRequests().at(-1)?.id ?? '';
  assert.notEqual(id, '');
  const message = 'Skipped 5 characters in Arabic script: the voices read English only.';
  emit({
    type: 'started',
    id,
    sentences: [{ start: 0, end: 10 }],
    provider: 'cpu',
    voice: 'af_heart',
    skipped: { message, scripts: ['Arabic'], chars: 5, spans: [{ start: 3, end: 8 }] },
  });
  assert.deepEqual(state().ui.notice, { level: 'warning', message });
  stop();
});

test('while the model is downloading or failed, speaking is refused at once with the reason', () => {
  up();
  const ready = { status: 'ready' as const, variant: 'int8' as const, firstRun: false, variants: [] };
  assert.equal(modelBlocker(null), null, 'unknown readiness does not block (older workers, tests)');
  assert.equal(modelBlocker({ ...ready }), null);
  assert.equal(modelBlocker({ ...ready, status: 'checking' }), null, 'a warm-up in progress: the request waits for it');
  assert.match(modelBlocker({ ...ready, status: 'fetching', firstRun: true })?.message ?? '', /being downloaded/);
  assert.match(modelBlocker({ ...ready, status: 'needs-fetch' }, true)?.message ?? '', /being downloaded/, 'missing, fetch running');
  // Missing with no fetch running (one failed and was dismissed): the worker's reason, not "downloading".
  assert.deepEqual(
    modelBlocker({ ...ready, status: 'needs-fetch', reason: 'kokoro-v1.0.int8.onnx is missing.', action: 'Press “Fetch model”.' }),
    { message: 'kokoro-v1.0.int8.onnx is missing.', action: 'Press “Fetch model”.' },
  );
  assert.deepEqual(modelBlocker({ ...ready, status: 'failed', reason: 'The model file is damaged.', action: 'Fetch it again.' }), {
    message: 'The model file is damaged.',
    action: 'Fetch it again.',
  });
  useReadiness.setState({ engine: { ...ready, status: 'fetching' } });
  assert.match(speakBlocker(state())?.message ?? '', /being downloaded/, 'every way to speak reads the same rule');
  useReadiness.setState({ engine: null });
  assert.equal(speakBlocker(state()), null);
});

test('a worker of another protocol version: the engine counts as down, the notice and every way to speak name both versions', () => {
  emit({ type: 'hello', id: '', version: PROTOCOL_VERSION + 1, pid: 2 });
  assert.equal(state().metrics.worker, 'down');
  assert.equal(state().ui.notice?.level, 'error');
  assert.match(
    state().ui.notice?.message ?? '',
    new RegExp(`version ${PROTOCOL_VERSION + 1}; this window speaks version ${PROTOCOL_VERSION}`),
  );
  workerState('up');
  assert.equal(state().metrics.worker, 'down', 'its connection coming up does not make it usable');
  assert.match(speakBlocker(state())?.message ?? '', /protocol version/);
  emit({ type: 'hello', id: '', version: PROTOCOL_VERSION, pid: 3 });
  assert.equal(state().metrics.worker, 'up');
  assert.equal(speakBlocker(state()), null, 'a worker of this version is spoken to again');
});
