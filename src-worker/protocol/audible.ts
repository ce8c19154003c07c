// Runs everywhere audio is measured (worker, CLI, benchmark, the renderer's audio worklet): what
// "audible" means, defined once. Dependency-free on purpose, so the worklet bundle can import it.
//
// [Note: Audible level]
// Every TTFA we report counts to the first AUDIBLE sample, not the first sample: Kokoro renders
// ~0.3 s of silence before speech, and a metric that starts the clock there hides it. A sample is
// audible when its magnitude reaches AUDIBLE_LEVEL, −50 dBFS. Measured on Kokoro's output here:
// the rendered pad silence sits at −130…−160 dBFS, the breathy lead-in before a first phoneme at
// −60…−80, and every speech onset crosses −50 within 10–20 ms of becoming audible at all (speech
// peaks are −6…−10). So −50 separates "nothing you would hear" from "the voice has started"
// with margin on both sides. The same level finds the edges of speech when trimming (joins.ts).

/** Magnitude from which a sample counts as audible: −50 dBFS (see [Note: Audible level]). */
export const AUDIBLE_LEVEL = 10 ** (-50 / 20);

/** Index of the first sample of `pcm[from, to)` with |x| ≥ `level`, or -1 if there is none. */
export function firstAudibleSample(pcm: Float32Array, level = AUDIBLE_LEVEL, from = 0, to = pcm.length): number {
  for (let i = Math.max(0, from); i < Math.min(to, pcm.length); i++) {
    const v = pcm[i] as number;
    if (v >= level || v <= -level) return i;
  }
  return -1;
}

/** Index of the last sample of `pcm[from, to)` with |x| ≥ `level`, or -1 if there is none. */
export function lastAudibleSample(pcm: Float32Array, level = AUDIBLE_LEVEL, from = 0, to = pcm.length): number {
  for (let i = Math.min(to, pcm.length) - 1; i >= Math.max(0, from); i--) {
    const v = pcm[i] as number;
    if (v >= level || v <= -level) return i;
  }
  return -1;
}
