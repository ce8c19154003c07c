// Runs in the worker (and the CLI, benchmark): the metrics of DESIGN.md "Metrics, defined once",
// computed in one place so the live dashboard, the CLI and the benchmark agree.
//
// [Note: What the engine measures]
// TTFA (engine) runs from the moment the worker received the speak request to the moment its
// first chunk was posted (the CLI and benchmark, which have no port, take "handed to the
// consumer"), counted to that chunk's first audible sample ([Note: Audible level] in
// audible.ts): the silence at its start plays before anything is heard, so it counts as
// waiting. If a whole chunk is silent, the clock runs on to the first chunk that is not, as a
// player playing them back to back would (never earlier than that chunk was posted). RTF is synthesis seconds ÷ audio seconds, where synthesis seconds are the time the
// consumer spent waiting for chunks: from the request to the first chunk, then from asking for
// each next chunk to getting it. Time the consumer itself holds a chunk (posting it, a paused
// player) is not synthesis, so pausing does not inflate the RTF. Memory is this process's
// resident set: current from process.memoryUsage.rss(), peak from the kernel's high-water mark
// (a true peak, not a sample; see [Note: Peak RSS of this process]). A worker_threads worker
// shares its process, so there the figures are those of the whole process.
//
// [Note: Peak RSS of this process]
// getrusage's maxRSS is not this process's own peak on Linux: a child's starts at its parent's
// resident set at fork time and is kept across exec (getrusage(2): "preserved across execve").
// Measured here: a worker forked by a process holding 618 MB reported a maxRSS of 618 MB, its
// own peak being ~330 MB. So on Linux the peak is VmHWM of /proc/self/status, the high-water mark
// of this process's own address space (new at exec); elsewhere (macOS, where the app's worker is
// launched with posix_spawn) maxRSS, which is the process's own there.

import { readFileSync } from 'node:fs';
import { firstAudibleSample } from '../protocol/audible.ts';
import type { Stat } from '../protocol/messages.ts';
import { SAMPLE_RATE } from '../protocol/messages.ts';

/** Bytes in one kibibyte (maxRSS is reported in KiB on Linux and macOS by libuv). */
const KIB = 1024;

/** The p-th percentile (0..100) of `values`, linearly interpolated between ranks; NaN if empty. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (Math.min(Math.max(p, 0), 100) / 100) * (sorted.length - 1);
  const low = Math.floor(rank);
  const high = Math.ceil(rank);
  const a = sorted[low] as number;
  const b = sorted[high] as number;
  return a + (b - a) * (rank - low);
}

/** Median and 95th percentile of a series. */
export function stat(values: readonly number[]): Stat {
  return { p50: percentile(values, 50), p95: percentile(values, 95) };
}

/** Where Linux states this process's own peak resident set (see [Note: Peak RSS of this process]). */
const PROC_STATUS = '/proc/self/status';
const VM_HWM = /^VmHWM:\s+(\d+)\s+kB$/m;

/** This process's own peak resident set in bytes, as the kernel keeps it (see [Note: Peak RSS of this process]). */
export function peakRss(
  platform: NodeJS.Platform = process.platform,
  readStatus: () => string = () => readFileSync(PROC_STATUS, 'utf8'),
): number {
  if (platform === 'linux') {
    try {
      const kib = VM_HWM.exec(readStatus())?.[1];
      if (kib !== undefined) return Number(kib) * KIB;
    } catch {
      // No /proc (a sandbox): maxRSS below, which may include the parent's resident set.
    }
  }
  return process.resourceUsage().maxRSS * KIB;
}

/** This process's resident set now and at its peak, in bytes. */
export function memory(): { rssBytes: number; peakRssBytes: number } {
  const rssBytes = process.memoryUsage.rss();
  return { rssBytes, peakRssBytes: Math.max(rssBytes, peakRss()) };
}

/** The running figures of one utterance (see [Note: What the engine measures]). */
export interface UtteranceMeter {
  /** Records a chunk that took `waitedMs` to arrive (its PCM is only read, to find the first audible sample). */
  chunk(pcm: Float32Array, waitedMs: number, dropped: number): void;
  /** Marks the chunk just recorded as posted now; TTFA is fixed at the first audible one. */
  posted(): void;
  readonly ttfaMs: number | undefined;
  readonly audioSeconds: number;
  readonly synthSeconds: number;
  /** Synthesis seconds ÷ audio seconds (NaN before any audio). */
  readonly rtf: number;
  readonly dropped: number;
}

/** Starts measuring an utterance whose request arrived at `receivedAt` (performance.now()). */
export function createMeter(receivedAt: number): UtteranceMeter {
  let ttfaMs: number | undefined;
  let samples = 0;
  let synthMs = 0;
  let dropped = 0;
  // When the first chunk was posted, and where the latest chunk's first audible sample lies in
  // the stream played from then (samples), if it has one and TTFA is not yet known.
  let firstPostedAt: number | undefined;
  let audibleAt: number | undefined;
  return {
    chunk(pcm, waitedMs, droppedSymbols) {
      if (ttfaMs === undefined) {
        const first = firstAudibleSample(pcm);
        audibleAt = first < 0 ? undefined : samples + first;
      }
      samples += pcm.length;
      synthMs += waitedMs;
      dropped += droppedSymbols;
    },
    posted() {
      const now = performance.now();
      firstPostedAt ??= now;
      if (ttfaMs !== undefined || audibleAt === undefined) return;
      ttfaMs = Math.max(now, firstPostedAt + (audibleAt / SAMPLE_RATE) * 1000) - receivedAt;
    },
    get ttfaMs() {
      return ttfaMs;
    },
    get audioSeconds() {
      return samples / SAMPLE_RATE;
    },
    get synthSeconds() {
      return synthMs / 1000;
    },
    get rtf() {
      return samples === 0 ? Number.NaN : synthMs / 1000 / (samples / SAMPLE_RATE);
    },
    get dropped() {
      return dropped;
    },
  };
}
