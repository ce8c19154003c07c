// Runs in the audio worklet (and in Node tests): a single-reader, single-writer ring of float32
// samples with pre-allocated storage; the real-time path never allocates or throws.
//
// [Note: Worklet-side ring fed by port messages]
// ringbuf.js puts its ring in a SharedArrayBuffer so the main thread writes and the audio thread
// reads without messages. That needs cross-origin isolation (COOP/COEP headers), which Electron
// cannot give a page loaded from file:// without a custom protocol, and which would make the dev
// host and the app behave differently. So the ring lives inside the AudioWorkletGlobalScope and
// the main thread feeds it with port messages whose buffers are transferred, not copied. The
// worklet copies each message into this ring in its message handler; `process()` only reads the
// ring and writes to its output arrays. Flow control is done by the main thread (it knows how
// much it wrote and the worklet reports how much it played), so a push never overflows: `write`
// returns how many samples it accepted, and the caller keeps the rest.
// The cost is one structured-clone per chunk on the audio thread's message loop, outside the
// render callback; the render callback itself stays allocation-free as in ringbuf.js.

/** A fixed-capacity FIFO of samples; `write` and `read` return counts and never throw. */
export class SampleRing {
  private readonly storage: Float32Array;
  /** Total samples ever written / read; their difference is the fill level (no ambiguity). */
  private written = 0;
  private consumed = 0;

  /** Allocates the ring (not for the audio thread: call at setup). */
  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity <= 0) {
      throw new RangeError(`SampleRing capacity must be a positive integer, got ${capacity}`);
    }
    this.storage = new Float32Array(capacity);
  }

  /** Samples ready to read. */
  availableRead(): number {
    return this.written - this.consumed;
  }

  /** Space left to write. */
  availableWrite(): number {
    return this.capacity - this.availableRead();
  }

  /**
   * Copies up to `length` samples of `source` starting at `offset` into the ring; returns how
   * many were copied (fewer when the ring is nearly full).
   */
  write(source: Float32Array, offset = 0, length = source.length - offset): number {
    const count = Math.max(0, Math.min(length, source.length - offset, this.availableWrite()));
    if (count === 0) return 0;
    const start = this.written % this.capacity;
    const first = Math.min(count, this.capacity - start);
    copy(source, offset, this.storage, start, first);
    copy(source, offset + first, this.storage, 0, count - first);
    this.written += count;
    return count;
  }

  /**
   * Copies up to `length` samples into `target` from `offset`, oldest first; returns how many
   * were copied (fewer when the ring runs dry). Never touches `target` outside that region.
   */
  read(target: Float32Array, offset = 0, length = target.length - offset): number {
    const count = Math.max(0, Math.min(length, target.length - offset, this.availableRead()));
    if (count === 0) return 0;
    const start = this.consumed % this.capacity;
    const first = Math.min(count, this.capacity - start);
    copy(this.storage, start, target, offset, first);
    copy(this.storage, 0, target, offset + first, count - first);
    this.consumed += count;
    return count;
  }

  /** Drops everything buffered (stop). */
  clear(): void {
    this.consumed = this.written;
  }
}

// A plain loop rather than `set(subarray(...))`: subarray allocates a view object, and this runs
// in the render callback (ringbuf.js copies the same way for the same reason).
function copy(from: Float32Array, fromOffset: number, to: Float32Array, toOffset: number, n: number) {
  for (let i = 0; i < n; i += 1) to[toOffset + i] = from[fromOffset + i] as number;
}
