// Runs in the renderer's main thread and in the audio worklet: the messages between the player
// and its worklet processor (one contract, both sides type-checked against it).

/** Name the worklet registers its processor under. */
export const PROCESSOR_NAME = 'kokoro-player';

/** Samples per render quantum in the Web Audio API. */
export const RENDER_QUANTUM = 128;

/** Page → worklet. `utterance` numbers let the worklet drop pushes that arrive after a stop. */
export type ToWorklet =
  | { type: 'begin'; utterance: number }
  | { type: 'push'; utterance: number; pcm: Float32Array }
  | { type: 'end'; utterance: number }
  | { type: 'pause' }
  | { type: 'resume' }
  | { type: 'stop' }
  | { type: 'status'; seq: number };

/** Worklet → page: a snapshot of the processor's counters (see [Note: Status by polling]). */
export interface WorkletStatus {
  type: 'status';
  seq: number;
  utterance: number;
  /** `currentFrame` when the snapshot was taken. */
  frame: number;
  sampleRate: number;
  /** Samples of this utterance accepted into the ring. */
  pushed: number;
  /** Samples of this utterance rendered to the output. */
  played: number;
  buffered: number;
  /** Samples refused because the ring was full (the page's flow control should keep this 0). */
  dropped: number;
  underruns: number;
  /** Context frame at which the first sample of this utterance was rendered; -1 before. */
  startFrame: number;
  /** Context frame of the first audible sample (≥ AUDIBLE_LEVEL) of this utterance; -1 before. */
  audibleFrame: number;
  /** The last chunk was pushed and everything has been played. */
  finished: boolean;
  paused: boolean;
  /** Largest absolute sample value rendered in this utterance. */
  peak: number;
  /** Largest absolute sample value since the previous status (a level meter's reading). */
  level: number;
}
