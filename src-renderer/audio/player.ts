// Runs in the renderer's main thread: owns the AudioContext and the worklet node, feeds chunks
// into the worklet's ring with flow control, and turns the worklet's counters into playback
// position and audible TTFA (to the first audible sample played, not the first sample).

import { SAMPLE_RATE, type TextSpan } from '../../src-worker/protocol/messages.ts';
import { StreamResampler } from './resampler.ts';
import { PROCESSOR_NAME, type ToWorklet, type WorkletStatus } from './worklet-messages.ts';

/** Ring size in the worklet, seconds of audio; the page holds the rest until there is room. */
const RING_SECONDS = 20;
/** How often the page asks the worklet for its counters while an utterance is live. */
const POLL_MS = 25;

/** One chunk's place in the played stream (context-rate samples) and the text it speaks. */
interface PlacedChunk {
  start: number;
  length: number;
  span: TextSpan;
}

/** What the player tells its owner after each status poll. */
export interface PlaybackReport {
  utterance: number;
  /** Samples played so far (context rate) and the total queued. */
  played: number;
  queued: number;
  /** Text offset being spoken now, estimated within the current chunk; -1 before audio. */
  textOffset: number;
  underruns: number;
  /** Epoch ms at which the first sample was rendered, once it has been. */
  firstSampleAt?: number;
  /** Epoch ms at which the first audible sample (audible.ts) was rendered: audible TTFA ends here. */
  firstAudibleAt?: number;
  /** Everything queued for this utterance was played and its last chunk had arrived. */
  finished: boolean;
  /** Largest absolute sample value played (a silent stream has 0). */
  peak: number;
  /** Largest absolute sample value since the previous report. */
  level: number;
  /** Samples the worklet received. */
  pushed: number;
  dropped: number;
  contextRate: number;
}

/** Plays streamed chunks gaplessly through an AudioWorklet; one utterance at a time. */
export class Player {
  private context: AudioContext | undefined;
  private node: AudioWorkletNode | undefined;
  private resampler: StreamResampler | undefined;
  private ready: Promise<void> | undefined;
  private capacity = 0;
  private utterance = 0;
  private queue: Float32Array[] = [];
  private written = 0;
  private lastPlayed = 0;
  private chunks: PlacedChunk[] = [];
  private lastChunkIn = false;
  private endSent = false;
  private firstSampleAt: number | undefined;
  private firstAudibleAt: number | undefined;
  private timer: ReturnType<typeof setInterval> | undefined;
  private seq = 0;
  /** An utterance is current (between begin and stop). */
  private live = false;
  /** The worklet has been told about the current utterance; pushes may flow. */
  private begun = false;
  private readonly probes = new Map<number, (status: WorkletStatus) => void>();
  private backlog: { pcm: Float32Array; span: TextSpan; last: boolean }[] = [];

  /**
   * `onReport` receives a report after every poll while an utterance is live; `workletUrl` gives
   * the URL of the built player-worklet module when the context is first set up.
   */
  constructor(
    private readonly onReport: (report: PlaybackReport) => void,
    private readonly workletUrl: () => string,
  ) {}

  /** Creates the context and loads the worklet (once); call from a user gesture if possible. */
  init(): Promise<void> {
    this.ready ??= this.setup();
    return this.ready;
  }

  private async setup(): Promise<void> {
    let context: AudioContext;
    try {
      // Kokoro speaks at 24 kHz; a context at that rate needs no resampling at all.
      context = new AudioContext({ sampleRate: SAMPLE_RATE, latencyHint: 'interactive' });
    } catch {
      context = new AudioContext({ latencyHint: 'interactive' });
    }
    await context.audioWorklet.addModule(this.workletUrl());
    this.capacity = Math.round(context.sampleRate * RING_SECONDS);
    const node = new AudioWorkletNode(context, PROCESSOR_NAME, {
      numberOfInputs: 0,
      numberOfOutputs: 1,
      outputChannelCount: [1],
      processorOptions: { capacity: this.capacity },
    });
    node.port.onmessage = (event: MessageEvent<WorkletStatus>) => this.receive(event.data);
    node.connect(context.destination);
    this.context = context;
    this.node = node;
    if (context.sampleRate !== SAMPLE_RATE) {
      this.resampler = new StreamResampler(SAMPLE_RATE, context.sampleRate);
    }
  }

  /** The context's sample rate (0 before init). */
  get contextRate(): number {
    return this.context?.sampleRate ?? 0;
  }

  /**
   * Starts a new utterance, dropping whatever was playing. Chunks may be pushed at once: they
   * wait in the page's queue until the context and worklet are ready.
   */
  async begin(): Promise<void> {
    this.utterance += 1;
    const utterance = this.utterance;
    this.live = true;
    this.begun = false;
    this.queue = [];
    this.backlog = [];
    this.written = 0;
    this.lastPlayed = 0;
    this.chunks = [];
    this.lastChunkIn = false;
    this.endSent = false;
    this.firstSampleAt = undefined;
    this.firstAudibleAt = undefined;
    this.resampler?.reset();
    await this.init();
    for (const held of this.backlog.splice(0)) this.push(held.pcm, held.span, held.last);
    if (this.context?.state === 'suspended') await this.context.resume();
    if (!this.live || utterance !== this.utterance) return;
    this.post({ type: 'begin', utterance });
    this.begun = true;
    this.startPolling();
    this.pump();
  }

  /** Queues the next chunk of the current utterance (24 kHz PCM). */
  push(pcm: Float32Array, span: TextSpan, last: boolean): void {
    if (!this.live) return;
    if (!this.context) {
      // The context (and so its rate) is not known yet: keep the chunk until setup is done.
      this.backlog.push({ pcm, span, last });
      return;
    }
    const samples = this.resampler ? this.resampler.process(pcm) : pcm;
    const start = this.chunks.reduce((sum, c) => sum + c.length, 0);
    this.chunks.push({ start, length: samples.length, span });
    if (samples.length > 0) this.queue.push(samples);
    if (last) this.lastChunkIn = true;
    this.pump();
  }

  /** Marks the utterance complete without another chunk (e.g. the worker ended it early). */
  finish(): void {
    if (this.backlog.length > 0) {
      const tail = this.backlog[this.backlog.length - 1] as (typeof this.backlog)[number];
      tail.last = true;
      return;
    }
    this.lastChunkIn = true;
    this.pump();
  }

  /** Holds playback where it is. */
  pause(): void {
    this.post({ type: 'pause' });
  }

  /** Continues from where playback was held. */
  resume(): void {
    this.post({ type: 'resume' });
  }

  /** Silences at once and forgets everything queued. */
  stop(): void {
    this.queue = [];
    this.lastChunkIn = true;
    this.live = false;
    this.begun = false;
    this.post({ type: 'stop' });
    this.stopPolling();
  }

  // Sends queued samples while the worklet's ring has room; the room is known conservatively
  // from what we wrote minus what the worklet last said it played (played only grows).
  private pump(): void {
    if (!this.begun) return;
    let room = this.capacity - (this.written - this.lastPlayed);
    while (room > 0 && this.queue.length > 0) {
      const head = this.queue[0] as Float32Array;
      const piece = head.length <= room ? head : head.slice(0, room);
      if (piece === head) this.queue.shift();
      else this.queue[0] = head.slice(room);
      // Transfer, not copy; a view into a larger buffer is copied out first so that transferring
      // it cannot detach samples that still belong to someone else. The length is read before
      // the post: transferring detaches the buffer at once, and a detached array has length 0.
      const length = piece.length;
      const own = piece.byteOffset === 0 && piece.byteLength === piece.buffer.byteLength ? piece : piece.slice();
      this.post({ type: 'push', utterance: this.utterance, pcm: own }, [own.buffer as ArrayBuffer]);
      this.written += length;
      room -= length;
    }
    if (this.lastChunkIn && this.queue.length === 0 && !this.endSent) {
      this.endSent = true;
      this.post({ type: 'end', utterance: this.utterance });
    }
  }

  /** Asks the worklet for a fresh snapshot (diagnostics and tests; not needed for playback). */
  probe(): Promise<WorkletStatus | null> {
    if (!this.node) return Promise.resolve(null);
    this.seq += 1;
    const seq = this.seq;
    const reply = new Promise<WorkletStatus>((resolve) => this.probes.set(seq, resolve));
    this.post({ type: 'status', seq });
    return reply;
  }

  private receive(status: WorkletStatus): void {
    const waiter = this.probes.get(status.seq);
    if (waiter) {
      this.probes.delete(status.seq);
      waiter(status);
    }
    if (status.utterance !== this.utterance) return;
    this.lastPlayed = status.played;
    if (status.startFrame >= 0 && this.firstSampleAt === undefined) {
      this.firstSampleAt = this.frameToEpochMs(status.startFrame, status);
    }
    if (status.audibleFrame >= 0 && this.firstAudibleAt === undefined) {
      this.firstAudibleAt = this.frameToEpochMs(status.audibleFrame, status);
    }
    this.pump();
    const report: PlaybackReport = {
      utterance: status.utterance,
      played: status.played,
      queued: this.written + this.queue.reduce((sum, q) => sum + q.length, 0),
      textOffset: this.textOffsetAt(status.played),
      underruns: status.underruns,
      finished: status.finished && this.endSent,
      peak: status.peak,
      level: status.level,
      pushed: status.pushed,
      dropped: status.dropped,
      contextRate: status.sampleRate,
    };
    if (this.firstSampleAt !== undefined) report.firstSampleAt = this.firstSampleAt;
    if (this.firstAudibleAt !== undefined) report.firstAudibleAt = this.firstAudibleAt;
    this.onReport(report);
    if (report.finished) this.stopPolling();
  }

  // [Note: Audible TTFA clock]
  // The worklet records the context frame at which it rendered the first sample. When the context
  // reports an output timestamp (context time ↔ performance time at the speaker), the frame is
  // mapped through it, so output latency counts, as the user hears it. Where the platform gives
  // no timestamp (performanceTime 0, e.g. some headless sinks), it falls back to the snapshot: the
  // worklet was at `status.frame` when it answered, so the first sample was rendered
  // (frame - startFrame) / rate seconds before the answer arrived. Both are converted to epoch
  // milliseconds to compare with the request's `actionAt`.
  private frameToEpochMs(startFrame: number, status: WorkletStatus): number {
    const context = this.context;
    const rate = status.sampleRate;
    const stamp = context?.getOutputTimestamp?.();
    if (stamp && stamp.performanceTime && stamp.contextTime !== undefined && stamp.performanceTime > 0) {
      const perf = stamp.performanceTime + (startFrame / rate - stamp.contextTime) * 1000;
      return performance.timeOrigin + perf;
    }
    const perf = performance.now() - ((status.frame - startFrame) / rate) * 1000;
    return performance.timeOrigin + perf;
  }

  private textOffsetAt(played: number): number {
    if (played <= 0) return -1;
    for (const chunk of this.chunks) {
      if (played < chunk.start + chunk.length) {
        const fraction = chunk.length === 0 ? 0 : (played - chunk.start) / chunk.length;
        return Math.floor(chunk.span.start + fraction * (chunk.span.end - chunk.span.start));
      }
    }
    const tail = this.chunks[this.chunks.length - 1];
    return tail ? tail.span.end : -1;
  }

  private startPolling(): void {
    this.stopPolling();
    this.timer = setInterval(() => {
      this.seq += 1;
      this.post({ type: 'status', seq: this.seq });
    }, POLL_MS);
  }

  private stopPolling(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }

  private post(message: ToWorklet, transfer: Transferable[] = []): void {
    this.node?.port.postMessage(message, transfer);
  }
}
