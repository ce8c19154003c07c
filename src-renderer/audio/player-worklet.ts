// Runs in the AudioWorkletGlobalScope (the audio rendering thread): plays the utterance's samples
// from a ring buffer, gaplessly, and keeps the counters the main thread polls for.
//
// The render callback (`process`) never allocates, never throws and never posts a message: it
// reads the ring, writes the output arrays and bumps plain number fields. Everything that talks to
// the main thread happens in the port's message handler; see [Note: Worklet-side ring fed by port
// messages] in sample-ring.ts and [Note: Status by polling] below.
//
// [Note: Status by polling]
// The main thread needs the played-sample position (for highlighting), the frame at which the
// first sample of the utterance was rendered (for audible TTFA) and the underrun count. Posting
// them from `process()` would allocate a message on the real-time path, so the main thread asks
// (`status`) every few tens of milliseconds and the message handler answers with a snapshot. The
// start frame is exact whatever the polling rate, because it is recorded in `process()` as
// `currentFrame` when the first sample is copied out; the audible frame likewise, as the frame
// of the first sample at or above AUDIBLE_LEVEL ([Note: Audible level] in audible.ts), which is
// what audible TTFA counts to.

import { AUDIBLE_LEVEL } from '../../src-worker/protocol/audible.ts';
import { SampleRing } from './sample-ring.ts';
import type { ToWorklet, WorkletStatus } from './worklet-messages.ts';
import { PROCESSOR_NAME } from './worklet-messages.ts';

// The AudioWorkletGlobalScope's names are not in TypeScript's DOM lib.
declare const currentFrame: number;
declare const sampleRate: number;
declare class AudioWorkletProcessor {
  readonly port: MessagePort;
  constructor(options?: unknown);
}
declare function registerProcessor(name: string, ctor: unknown): void;

interface ProcessorOptions {
  processorOptions?: { capacity?: number };
}

/** Default ring size when the page passes none: 20 seconds at 48 kHz. */
const DEFAULT_CAPACITY = 48_000 * 20;

class PlayerProcessor extends AudioWorkletProcessor {
  private readonly ring: SampleRing;
  private active = false;
  private paused = false;
  /** No more samples will come for this utterance (its last chunk was pushed). */
  private ended = false;
  private dry = false;
  private utterance = 0;
  private pushed = 0;
  private played = 0;
  private dropped = 0;
  private underruns = 0;
  private startFrame = -1;
  private audibleFrame = -1;
  private peak = 0;
  /** Peak since the last status answer (the level meter). */
  private level = 0;

  constructor(options: ProcessorOptions) {
    super(options);
    this.ring = new SampleRing(options.processorOptions?.capacity ?? DEFAULT_CAPACITY);
    this.port.onmessage = (event: MessageEvent<ToWorklet>) => this.receive(event.data);
  }

  private receive(message: ToWorklet): void {
    switch (message.type) {
      case 'begin':
        this.ring.clear();
        this.active = true;
        this.paused = false;
        this.ended = false;
        this.dry = false;
        this.utterance = message.utterance;
        this.pushed = this.played = this.dropped = this.underruns = this.peak = 0;
        this.startFrame = -1;
        this.audibleFrame = -1;
        break;
      case 'push': {
        if (message.utterance !== this.utterance || !this.active) break;
        const accepted = this.ring.write(message.pcm);
        this.pushed += accepted;
        this.dropped += message.pcm.length - accepted;
        break;
      }
      case 'end':
        if (message.utterance === this.utterance) this.ended = true;
        break;
      case 'pause':
        this.paused = true;
        break;
      case 'resume':
        this.paused = false;
        break;
      case 'stop':
        this.ring.clear();
        this.active = false;
        this.ended = true;
        break;
      case 'status': {
        const status: WorkletStatus = {
          type: 'status',
          seq: message.seq,
          utterance: this.utterance,
          frame: currentFrame,
          sampleRate,
          pushed: this.pushed,
          played: this.played,
          buffered: this.ring.availableRead(),
          dropped: this.dropped,
          underruns: this.underruns,
          startFrame: this.startFrame,
          audibleFrame: this.audibleFrame,
          finished: this.ended && this.ring.availableRead() === 0,
          paused: this.paused,
          peak: this.peak,
          level: this.level,
        };
        this.level = 0;
        this.port.postMessage(status);
        break;
      }
    }
  }

  process(_inputs: Float32Array[][], outputs: Float32Array[][]): boolean {
    const channels = outputs[0];
    if (!channels || channels.length === 0) return true;
    const out = channels[0] as Float32Array;
    let count = 0;
    if (this.active && !this.paused) {
      count = this.ring.read(out, 0, out.length);
      if (count > 0 && this.startFrame < 0) this.startFrame = currentFrame;
      this.played += count;
      if (count < out.length && this.startFrame >= 0 && !this.ended) {
        // [Note: Underrun] ran dry after the first sample and before the last chunk: one
        // underrun per dry spell, not per render quantum.
        if (!this.dry) this.underruns += 1;
        this.dry = true;
      } else if (count === out.length) {
        this.dry = false;
      }
      for (let i = 0; i < count; i += 1) {
        const v = out[i] as number;
        const magnitude = v < 0 ? -v : v;
        if (magnitude > this.peak) this.peak = magnitude;
        if (magnitude >= AUDIBLE_LEVEL && this.audibleFrame < 0) this.audibleFrame = currentFrame + i;
        if (magnitude > this.level) this.level = magnitude;
      }
    }
    out.fill(0, count);
    for (let c = 1; c < channels.length; c += 1) (channels[c] as Float32Array).set(out);
    return true;
  }
}

registerProcessor(PROCESSOR_NAME, PlayerProcessor);
