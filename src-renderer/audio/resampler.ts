// Runs in the renderer's main thread (and Node tests): converts Kokoro's 24 kHz stream to the
// AudioContext's rate when the context could not be created at 24 kHz.
//
// [Note: Streaming resampler keeps its phase across chunks]
// Chunks are resampled one by one as they arrive, but they are one continuous signal: resampling
// each chunk on its own would restart the interpolation phase and drop or repeat a sample at every
// join (an audible click). So the resampler keeps the last input sample and the fractional read
// position between calls, and its output for a stream cut into any pieces equals its output for
// the whole stream. Linear interpolation is enough for speech played as a fallback; the normal
// path creates the context at 24 kHz and never resamples.

/** A linear-interpolation resampler whose state carries across `process` calls. */
export class StreamResampler {
  private readonly step: number;
  /** Read position relative to the first sample of the next input, in input samples (>= -1). */
  private position = 0;
  /** The input sample before the next input (index -1); only meaningful after the first call. */
  private previous = 0;

  /** A resampler from `fromRate` to `toRate` (both positive sample rates). */
  constructor(
    readonly fromRate: number,
    readonly toRate: number,
  ) {
    if (!(fromRate > 0) || !(toRate > 0)) {
      throw new RangeError(`Sample rates must be positive, got ${fromRate} → ${toRate}`);
    }
    this.step = fromRate / toRate;
  }

  /** Resamples the next piece of the stream (allocates the output: not for the audio thread). */
  process(input: Float32Array): Float32Array {
    if (input.length === 0) return new Float32Array(0);
    if (this.fromRate === this.toRate) return input.slice();
    const out: number[] = [];
    let position = this.position;
    // Output sample at `position` interpolates between input[floor] and input[floor + 1]; index
    // -1 is the last sample of the previous piece. Stop when floor + 1 is beyond this piece.
    while (Math.floor(position) + 1 < input.length) {
      const base = Math.floor(position);
      const frac = position - base;
      const a = base < 0 ? this.previous : (input[base] as number);
      const b = input[base + 1] as number;
      out.push(a + (b - a) * frac);
      position += this.step;
    }
    this.previous = input[input.length - 1] as number;
    this.position = position - input.length;
    return Float32Array.from(out);
  }

  /** Forgets the stream (a new utterance starts from silence). */
  reset(): void {
    this.position = 0;
    this.previous = 0;
  }
}
