// Runs in the renderer: the Dashboard: the current utterance's audible and engine TTFA, RTF,
// worker memory and underruns, charts over recent utterances, and the provider and model.

import { useShallow } from 'zustand/react/shallow';
import { LineChart } from '../components/charts.tsx';
import { StackTable, type Column } from '../components/stack-table.tsx';
import { describeGraph, formatBytes, formatMs, formatRtf, toMb } from '../format.ts';
import type { UtteranceMetrics } from '../store/slices.ts';
import { useStore } from '../store/store.ts';
import { PROVIDER_NAMES } from '../../src-worker/protocol/messages.ts';

function Tile({ label, value, raw, testId, sub }: { label: string; value: string; raw: number | null; testId: string; sub?: string }) {
  return (
    <div className="tile" role="group" aria-label={`${label}: ${value}`}>
      <div className="tile-label">{label}</div>
      <div className="tile-value mono" data-testid={testId} data-value={raw ?? ''}>
        {value}
      </div>
      {sub && <div className="tile-sub">{sub}</div>}
    </div>
  );
}

/** The Dashboard view. */
const RECENT_COLUMNS: Column<UtteranceMetrics>[] = [
  { label: 'Time', cell: (m) => new Date(m.at).toLocaleTimeString() },
  { label: 'Text', cell: (m) => m.label, className: 'label' },
  { label: 'Voice', cell: (m) => m.voice },
  { label: 'Audible TTFA', cell: (m) => formatMs(m.ttfaAudibleMs), num: true },
  { label: 'Engine TTFA', cell: (m) => formatMs(m.ttfaEngineMs), num: true },
  { label: 'RTF', cell: (m) => formatRtf(m.rtf), num: true },
  { label: 'Peak memory', cell: (m) => formatBytes(m.peakRssBytes), num: true },
  { label: 'Underruns', cell: (m) => m.underruns, num: true },
];

export function DashboardView() {
  const current = useStore((s) => s.metrics.current);
  const history = useStore((s) => s.metrics.history);
  const provider = useStore(useShallow((s) => ({ state: s.metrics.provider })));
  const underruns = useStore((s) => s.playback.underruns);
  const state = provider.state;
  const graph = describeGraph(state?.graph);
  const done = history.filter((m) => m.final || m.ttfaAudibleMs !== null);
  return (
    <div className="dashboard">
      <div className="tiles">
        <Tile
          label="Audible TTFA"
          value={formatMs(current?.ttfaAudibleMs)}
          raw={current?.ttfaAudibleMs ?? null}
          testId="ttfa-audible"
          sub="action → first audible sample"
        />
        <Tile
          label="Engine TTFA"
          value={formatMs(current?.ttfaEngineMs)}
          raw={current?.ttfaEngineMs ?? null}
          testId="ttfa-engine"
          sub="request → first audible sample"
        />
        <Tile label="RTF" value={formatRtf(current?.rtf)} raw={current?.rtf ?? null} testId="rtf" sub="synthesis ÷ audio time" />
        <Tile
          label="Worker memory"
          value={formatBytes(current?.rssBytes)}
          raw={current?.rssBytes ?? null}
          testId="rss"
          sub={`peak ${formatBytes(current?.peakRssBytes)}`}
        />
        <Tile
          label="Underruns"
          value={current ? String(underruns) : '—'}
          raw={current ? underruns : null}
          testId="underruns"
          sub="buffer ran dry mid-utterance"
        />
      </div>
      <div className="facts" aria-label="Engine">
        <span>
          Provider <strong data-testid="provider">{state ? PROVIDER_NAMES[state.active] : '—'}</strong>
        </span>
        <span>
          Model <strong data-testid="model">{state?.model ?? '—'}</strong>
        </span>
        <span>
          Threads <strong>{state?.threads ?? '—'}</strong>
        </span>
        <span title={graph.warning ?? undefined}>
          Graph <strong data-testid="graph">{graph.label}</strong>
        </span>
        {current && (
          <span className="ellipsis">
            Last: <strong>{current.voice}</strong> “{current.label}”
          </span>
        )}
      </div>
      {graph.warning && (
        <p className="hint warn" data-testid="graph-warning">
          {graph.warning}
        </p>
      )}
      <div className="charts">
        <LineChart
          title="Time to first audio"
          unit="utterance"
          format={formatMs}
          series={[
            { label: 'Audible', values: done.map((m) => m.ttfaAudibleMs), className: 's1' },
            { label: 'Engine', values: done.map((m) => m.ttfaEngineMs), className: 's2' },
          ]}
        />
        <LineChart
          title="Real-time factor"
          unit="utterance"
          format={(v) => v.toFixed(2)}
          series={[{ label: 'RTF', values: done.map((m) => m.rtf), className: 's3' }]}
        />
        <LineChart
          title="Worker memory"
          unit="utterance"
          format={(v) => `${Math.round(v)}`}
          series={[
            { label: 'Peak MB', values: done.map((m) => (m.peakRssBytes ? toMb(m.peakRssBytes) : null)), className: 's2' },
            { label: 'RSS MB', values: done.map((m) => (m.rssBytes ? toMb(m.rssBytes) : null)), className: 's1' },
          ]}
        />
      </div>
      {done.length > 0 && (
        <section className="recent" aria-label="Recent utterances">
          <div className="table-scroll">
            <StackTable columns={RECENT_COLUMNS} rows={[...done].reverse()} rowKey={(m) => m.id} />
          </div>
        </section>
      )}
    </div>
  );
}
