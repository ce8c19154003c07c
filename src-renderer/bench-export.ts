// Runs in the renderer (and Node tests): turns a benchmark result into the JSON and CSV files the
// Benchmark panel exports.

import type { BenchResult } from '../src-worker/protocol/messages.ts';

/** Columns of the CSV export, in order. */
export const CSV_COLUMNS = [
  'startedAt',
  'preset',
  'provider',
  'runs',
  'ttfaEngineMs_p50',
  'ttfaEngineMs_p95',
  'rtf_p50',
  'rtf_p95',
  'floorMs_p50',
  'floorMs_p95',
  'floorRtf_p50',
  'floorRtf_p95',
  'audioSeconds',
  'peakRssBytes',
  'cpu',
  'cores',
  'platform',
  'arch',
  'onnxruntime',
  'model',
] as const;

/** The result as pretty JSON. */
export function benchToJson(result: BenchResult): string {
  return `${JSON.stringify(result, null, 2)}\n`;
}

/** The result as CSV: a header row, then one row per preset × provider (RFC 4180 quoting). */
export function benchToCsv(result: BenchResult): string {
  const m = result.machine;
  const rows = result.rows.map((r) => [
    result.startedAt,
    r.preset,
    r.provider,
    r.runs,
    r.ttfaEngineMs.p50,
    r.ttfaEngineMs.p95,
    r.rtf.p50,
    r.rtf.p95,
    r.floorMs.p50,
    r.floorMs.p95,
    r.floorRtf.p50,
    r.floorRtf.p95,
    r.audioSeconds,
    r.peakRssBytes,
    m.cpu,
    m.cores,
    m.platform,
    m.arch,
    m.onnxruntime,
    m.model,
  ]);
  return [[...CSV_COLUMNS], ...rows].map((row) => row.map(csvCell).join(',')).join('\r\n') + '\r\n';
}

function csvCell(value: string | number): string {
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
