// Runs in the browser dev host (Node) and in the renderer when it is served by it: the frames
// that carry the KokoroBridge over one WebSocket.
//
// [Note: Dev host wire format]
// Control traffic is JSON in text frames. Chunk PCM goes in binary frames so that Float32 samples
// are never JSON-encoded: a little-endian u32 header length, the chunk event without `pcm` as
// UTF-8 JSON, zero padding to a multiple of 4 bytes, then the raw float32 samples (both ends are
// little-endian: x86-64, arm64). The padding lets the receiver view the samples in place.

import type { AppCommand, ChunkEvent, PlatformInfo, WorkerEvent, WorkerRequest } from './messages.ts';

/** Path of the dev host's WebSocket endpoint, which serves these frames. */
export const BRIDGE_PATH = '/bridge';

/** Bridge methods that are calls with one reply (not worker traffic). */
export type BridgeMethod = 'getSettings' | 'updateSettings' | 'readClipboard';

/** Browser → dev host (text frames). */
export type ClientFrame = { t: 'req'; request: WorkerRequest } | { t: 'call'; n: number; method: BridgeMethod; arg?: unknown };

/** Dev host → browser (text frames); chunk events travel as binary frames instead. */
export type ServerFrame =
  | { t: 'hello'; platform: PlatformInfo }
  | { t: 'event'; event: Exclude<WorkerEvent, ChunkEvent> }
  | { t: 'reply'; n: number; ok: true; value: unknown }
  | { t: 'reply'; n: number; ok: false; message: string }
  | { t: 'worker'; state: 'up' | 'down' }
  | { t: 'command'; command: AppCommand };

const HEADER_LENGTH_BYTES = 4;
const FLOAT_BYTES = 4;

/** Packs a chunk event into one binary frame. */
export function encodeChunk(event: ChunkEvent): Uint8Array {
  const { pcm, ...rest } = event;
  const header = new TextEncoder().encode(JSON.stringify(rest));
  const pcmOffset = alignUp(HEADER_LENGTH_BYTES + header.length, FLOAT_BYTES);
  const frame = new Uint8Array(pcmOffset + pcm.length * FLOAT_BYTES);
  new DataView(frame.buffer).setUint32(0, header.length, true);
  frame.set(header, HEADER_LENGTH_BYTES);
  frame.set(new Uint8Array(pcm.buffer, pcm.byteOffset, pcm.byteLength), pcmOffset);
  return frame;
}

/** Unpacks a binary frame made by `encodeChunk`; throws on a malformed frame. */
export function decodeChunk(frame: ArrayBuffer): ChunkEvent {
  if (frame.byteLength < HEADER_LENGTH_BYTES) throw new Error('Chunk frame too short for its header');
  const headerLength = new DataView(frame).getUint32(0, true);
  const pcmOffset = alignUp(HEADER_LENGTH_BYTES + headerLength, FLOAT_BYTES);
  if (pcmOffset > frame.byteLength || (frame.byteLength - pcmOffset) % FLOAT_BYTES !== 0) {
    throw new Error(`Chunk frame of ${frame.byteLength} bytes does not fit its header`);
  }
  const headerBytes = new Uint8Array(frame, HEADER_LENGTH_BYTES, headerLength);
  const header = JSON.parse(new TextDecoder().decode(headerBytes)) as Omit<ChunkEvent, 'pcm'>;
  if (header.type !== 'chunk') throw new Error(`Binary frame carries "${header.type}", not a chunk`);
  return { ...header, pcm: new Float32Array(frame, pcmOffset) };
}

function alignUp(value: number, to: number): number {
  return Math.ceil(value / to) * to;
}
