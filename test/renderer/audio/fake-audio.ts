// Runs in Node (tests): stand-ins for the browser's Web Audio objects that the player uses
// (AudioContext, AudioWorkletNode and its port), wired to the REAL worklet processor of
// player-worklet.ts, which the test renders quantum by quantum. They stand in for the browser
// only; nothing here stands in for the model.
//
// [Note: Fake audio's port delivery]
// Page → worklet messages are delivered at once, so a test reads the worklet's state right after
// the player acted; the transfer list is honoured with structuredClone (the sender's buffer is
// detached at once, as in the browser). Worklet → page answers arrive on a later microtask, as a
// real port's do on a later task: the player never sees an answer inside its own postMessage
// call. Timers are the test's: it ticks the player's status poll with node:test's mock timers
// (then `await settle()`), or asks with player.probe().

import type { ToWorklet, WorkletStatus } from '../../../src-renderer/audio/worklet-messages.ts';

/** Samples per render quantum in the Web Audio API. */
export const QUANTUM = 128;

/** What the next AudioContext will be like. */
export interface FakeAudioOptions {
  /** Rates the platform accepts when a page asks for one; others throw, as Chromium does. */
  supportedRates: number[];
  /** The rate a context gets when the page names none (the output device's rate). */
  deviceRate: number;
  /** A new context starts suspended (no user gesture yet) and must be resumed. */
  startSuspended: boolean;
  /** What getOutputTimestamp() answers; undefined: the method is missing (some headless sinks). */
  outputTimestamp: AudioTimestamp | undefined;
}

/** One message the player posted to its worklet, with what it asked to transfer. */
export interface Posted {
  /** The message as the worklet received it (its buffers readable after the transfer). */
  message: ToWorklet;
  /** The object the player posted (a transferred buffer of it is detached now). */
  original: ToWorklet;
  transfer: Transferable[];
}

interface ProcessorPort {
  onmessage: ((event: { data: ToWorklet }) => void) | null;
  postMessage(message: WorkletStatus): void;
}

interface Processor {
  port: ProcessorPort;
  process(inputs: Float32Array[][], outputs: Float32Array[][]): boolean;
}

type ProcessorCtor = new (options: unknown) => Processor;

const scope = globalThis as unknown as Record<string, unknown>;
let processorCtor: ProcessorCtor | undefined;
/** The port the next AudioWorkletProcessor picks up (set by the node that constructs it). */
let pendingPort: ProcessorPort | undefined;

const DEFAULTS: FakeAudioOptions = {
  supportedRates: [24_000, 44_100, 48_000],
  deviceRate: 48_000,
  startSuspended: false,
  outputTimestamp: undefined,
};

/** The fake audio device: the contexts made, what the player posted, and the render loop. */
export class FakeAudio {
  options: FakeAudioOptions = { ...DEFAULTS };
  /** Every message the player posted to a worklet, in order. */
  readonly posted: Posted[] = [];
  /** Every module URL given to audioWorklet.addModule. */
  readonly modules: string[] = [];
  /** Output samples of the current node's first channel, all quanta rendered so far. */
  readonly output: number[] = [];
  context: FakeAudioContext | undefined;
  node: FakeAudioWorkletNode | undefined;

  /** Forgets everything recorded and sets the next context's options. */
  reset(options: Partial<FakeAudioOptions> = {}): void {
    this.options = { ...DEFAULTS, ...options };
    this.posted.length = 0;
    this.modules.length = 0;
    this.output.length = 0;
    this.context = undefined;
    this.node = undefined;
    scope.currentFrame = 0;
  }

  /** Forgets what was recorded but keeps the device (a long-lived player keeps its node). */
  clearLog(): void {
    this.posted.length = 0;
    this.output.length = 0;
  }

  /** Messages of one type the player posted, in order. */
  sent<T extends ToWorklet['type']>(type: T): Extract<ToWorklet, { type: T }>[] {
    return this.posted.map((p) => p.message).filter((m): m is Extract<ToWorklet, { type: T }> => m.type === type);
  }

  /** Runs the worklet's render callback for `quanta` render quanta, advancing currentFrame. */
  render(quanta: number): void {
    const processor = this.node?.processor;
    if (!processor) throw new Error('render() before the player set up its worklet node');
    for (let q = 0; q < quanta; q += 1) {
      const out = new Float32Array(QUANTUM);
      processor.process([], [[out]]);
      for (const v of out) this.output.push(v);
      scope.currentFrame = (scope.currentFrame as number) + QUANTUM;
    }
  }

  /** The worklet's counters right now, asked directly (the player does not see this answer). */
  status(): WorkletStatus {
    const processor = this.node?.processor;
    if (!processor) throw new Error('status() before the player set up its worklet node');
    let answer: WorkletStatus | undefined;
    const port = processor.port;
    const deliver = port.postMessage;
    port.postMessage = (m) => void (answer = m);
    port.onmessage?.({ data: { type: 'status', seq: -1 } });
    port.postMessage = deliver;
    return answer as WorkletStatus;
  }
}

/** Lets answers already posted by the worklet reach the page (see [Note: Fake audio's port delivery]). */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** The one fake device of this test process (installFakeAudio puts its classes on globalThis). */
export const fakeAudio = new FakeAudio();

/** A stand-in for the browser's AudioContext, as far as the player uses it. */
export class FakeAudioContext {
  readonly sampleRate: number;
  state: AudioContextState;
  readonly destination = { kind: 'destination' };
  readonly audioWorklet = {
    addModule: async (url: string): Promise<void> => {
      fakeAudio.modules.push(url);
    },
  };
  getOutputTimestamp?: () => AudioTimestamp;

  constructor(options: { sampleRate?: number; latencyHint?: string } = {}) {
    const { supportedRates, deviceRate, startSuspended, outputTimestamp } = fakeAudio.options;
    if (options.sampleRate !== undefined && !supportedRates.includes(options.sampleRate)) {
      throw new DOMException(`The sample rate ${options.sampleRate} is not supported`, 'NotSupportedError');
    }
    this.sampleRate = options.sampleRate ?? deviceRate;
    this.state = startSuspended ? 'suspended' : 'running';
    if (outputTimestamp) this.getOutputTimestamp = () => outputTimestamp;
    // The worklet scope's sampleRate is its context's.
    scope.sampleRate = this.sampleRate;
    fakeAudio.context = this;
  }

  async resume(): Promise<void> {
    this.state = 'running';
  }
}

/** A stand-in for AudioWorkletNode whose port talks to a real PlayerProcessor. */
export class FakeAudioWorkletNode {
  readonly processor: Processor;
  readonly connections: unknown[] = [];
  readonly options: { processorOptions?: { capacity?: number } };
  readonly port: {
    onmessage: ((event: MessageEvent<WorkletStatus>) => void) | null;
    postMessage(message: ToWorklet, transfer?: Transferable[]): void;
  };

  constructor(_context: FakeAudioContext, name: string, options: { processorOptions?: { capacity?: number } }) {
    if (!processorCtor) throw new Error(`No processor registered under "${name}"`);
    this.options = options;
    this.port = {
      onmessage: null,
      postMessage: (message: ToWorklet, transfer: Transferable[] = []) => {
        const copy = structuredClone(message, { transfer });
        fakeAudio.posted.push({ message: copy, original: message, transfer });
        this.processor.port.onmessage?.({ data: copy });
      },
    };
    pendingPort = {
      onmessage: null,
      postMessage: (status: WorkletStatus) => {
        const copy = structuredClone(status);
        queueMicrotask(() => this.port.onmessage?.({ data: copy } as MessageEvent<WorkletStatus>));
      },
    };
    this.processor = new processorCtor(options);
    fakeAudio.node = this;
  }

  connect(destination: unknown): void {
    this.connections.push(destination);
  }
}

/**
 * Puts the fakes on globalThis (AudioContext, AudioWorkletNode and the worklet scope's names)
 * and loads the real worklet module once; returns the device.
 */
export async function installFakeAudio(): Promise<FakeAudio> {
  scope.AudioContext = FakeAudioContext;
  scope.AudioWorkletNode = FakeAudioWorkletNode;
  if (!processorCtor) {
    scope.currentFrame = 0;
    scope.sampleRate = DEFAULTS.deviceRate;
    scope.AudioWorkletProcessor = class {
      readonly port: ProcessorPort;
      constructor() {
        if (!pendingPort) throw new Error('An AudioWorkletProcessor made outside an AudioWorkletNode');
        this.port = pendingPort;
        pendingPort = undefined;
      }
    };
    scope.registerProcessor = (_name: string, ctor: ProcessorCtor) => {
      processorCtor = ctor;
    };
    await import('../../../src-renderer/audio/player-worklet.ts');
  }
  return fakeAudio;
}
