// Runs in the CLI: writes mono 16-bit PCM WAV files chunk by chunk, so a long text never holds
// its whole audio in memory. The header's sizes are rewritten after every chunk, once its samples
// are on disk, so a run killed part-way leaves a valid WAV of the audio written so far (at worst
// one chunk shorter than the file), never one whose header says it holds nothing.

import { promises as fsp } from 'node:fs';

/** Bytes of the canonical RIFF/WAVE header with one `fmt ` and one `data` chunk. */
export const WAV_HEADER_BYTES = 44;

/** Bits per sample written: 16-bit integer PCM plays everywhere. */
const BITS_PER_SAMPLE = 16;
const BYTES_PER_SAMPLE = BITS_PER_SAMPLE / 8;
const PCM_FORMAT = 1;
const MONO = 1;
const FMT_CHUNK_BYTES = 16;
/** Largest 16-bit sample value; float samples in [-1, 1] are scaled by it. */
const INT16_MAX = 0x7fff;

/** The 44-byte header of a mono 16-bit WAV holding `samples` samples at `sampleRate`. */
export function wavHeader(samples: number, sampleRate: number): Buffer {
  const dataBytes = samples * BYTES_PER_SAMPLE;
  const header = Buffer.alloc(WAV_HEADER_BYTES);
  header.write('RIFF', 0, 'ascii');
  header.writeUInt32LE(WAV_HEADER_BYTES - 8 + dataBytes, 4);
  header.write('WAVE', 8, 'ascii');
  header.write('fmt ', 12, 'ascii');
  header.writeUInt32LE(FMT_CHUNK_BYTES, 16);
  header.writeUInt16LE(PCM_FORMAT, 20);
  header.writeUInt16LE(MONO, 22);
  header.writeUInt32LE(sampleRate, 24);
  header.writeUInt32LE(sampleRate * MONO * BYTES_PER_SAMPLE, 28);
  header.writeUInt16LE(MONO * BYTES_PER_SAMPLE, 32);
  header.writeUInt16LE(BITS_PER_SAMPLE, 34);
  header.write('data', 36, 'ascii');
  header.writeUInt32LE(dataBytes, 40);
  return header;
}

/** Float samples (clipped to [-1, 1]) as little-endian 16-bit integers. Allocates. */
export function toInt16(pcm: Float32Array): Buffer {
  const out = Buffer.alloc(pcm.length * BYTES_PER_SAMPLE);
  for (let i = 0; i < pcm.length; i++) {
    const x = Math.max(-1, Math.min(1, pcm[i] as number));
    out.writeInt16LE(Math.round(x * INT16_MAX), i * BYTES_PER_SAMPLE);
  }
  return out;
}

/** A WAV file being written. */
export interface WavWriter {
  /** Appends samples and updates the header to count them. */
  write(pcm: Float32Array): Promise<void>;
  /** Fills in the header and closes the file; returns the samples written. */
  close(): Promise<number>;
}

/** Opens `file` for writing a mono WAV at `sampleRate`. */
export async function createWavWriter(file: string, sampleRate: number): Promise<WavWriter> {
  const handle = await fsp.open(file, 'w');
  await handle.write(wavHeader(0, sampleRate), 0, WAV_HEADER_BYTES, 0);
  let samples = 0;
  return {
    async write(pcm) {
      const bytes = toInt16(pcm);
      await handle.write(bytes, 0, bytes.length, WAV_HEADER_BYTES + samples * BYTES_PER_SAMPLE);
      samples += pcm.length;
      await handle.write(wavHeader(samples, sampleRate), 0, WAV_HEADER_BYTES, 0);
    },
    async close() {
      await handle.write(wavHeader(samples, sampleRate), 0, WAV_HEADER_BYTES, 0);
      await handle.close();
      return samples;
    },
  };
}
