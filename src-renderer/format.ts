// Runs in the renderer: number formatting shared by the views.

import type { GraphState } from '../src-worker/protocol/messages.ts';

const MB = 1024 * 1024;

/** Milliseconds as "812 ms" or "1.42 s"; a dash when unknown. */
export function formatMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`;
}

/** A real-time factor as "0.42×". */
export function formatRtf(rtf: number | null | undefined): string {
  if (rtf === null || rtf === undefined || !Number.isFinite(rtf)) return '—';
  return `${rtf.toFixed(2)}×`;
}

/** Bytes as "312 MB". */
export function formatBytes(bytes: number | null | undefined): string {
  if (!bytes) return '—';
  return `${Math.round(bytes / MB)} MB`;
}

/** Megabytes of a byte count (for charts). */
export function toMb(bytes: number): number {
  return bytes / MB;
}

/** The graph the engine runs, for the dashboard: the fast derived one, or the original and why. */
export function describeGraph(graph: GraphState | undefined): { label: string; warning: string | null } {
  if (!graph) return { label: '—', warning: null };
  if (graph.kind === 'derived') return { label: '2-D conv (derived)', warning: null };
  return {
    label: 'Original',
    warning: graph.reason === undefined ? null : `Running the original, slower graph: ${graph.reason}`,
  };
}
