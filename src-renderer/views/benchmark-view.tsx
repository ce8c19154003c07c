// Runs in the renderer: the Benchmark panel: presets, providers, runs, progress, the results
// table and chart, export to JSON and CSV, and the history of earlier runs.

import type { BenchPreset, BenchResult } from '../../src-worker/protocol/messages.ts';
import { benchToCsv, benchToJson } from '../bench-export.ts';
import { BarChart } from '../components/charts.tsx';
import { StackTable, type Column } from '../components/stack-table.tsx';
import { formatBytes, formatMs, formatRtf } from '../format.ts';
import { cancelBenchmark, runBenchmark, showBenchResult } from '../store/actions.ts';
import { useStore } from '../store/store.ts';
import { PROVIDER_NAMES } from '../../src-worker/protocol/messages.ts';

const PRESETS: { id: BenchPreset; label: string; hint: string }[] = [
  { id: 'short', label: 'Short', hint: 'one sentence' },
  { id: 'medium', label: 'Medium', hint: 'a paragraph' },
  { id: 'long', label: 'Long', hint: 'several paragraphs' },
];
const MAX_RUNS = 20;

function download(name: string, type: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

function fileStem(result: BenchResult): string {
  return `kokoro-bench-${result.startedAt.replace(/[:.]/g, '-')}`;
}

/** The Benchmark view. */
const BENCH_COLUMNS: Column<BenchResult['rows'][number]>[] = [
  { label: 'Preset', cell: (r) => r.preset, rowHeader: true },
  { label: 'Provider', cell: (r) => PROVIDER_NAMES[r.provider] },
  { label: 'Runs', cell: (r) => r.runs, num: true },
  { label: 'TTFA p50', cell: (r) => formatMs(r.ttfaEngineMs.p50), num: true },
  { label: 'TTFA p95', cell: (r) => formatMs(r.ttfaEngineMs.p95), num: true },
  { label: 'RTF p50', cell: (r) => formatRtf(r.rtf.p50), num: true },
  { label: 'RTF p95', cell: (r) => formatRtf(r.rtf.p95), num: true },
  { label: 'Peak memory', cell: (r) => formatBytes(r.peakRssBytes), num: true },
];

export function BenchmarkView() {
  const presets = useStore((s) => s.bench.presets);
  const providers = useStore((s) => s.bench.providers);
  const runs = useStore((s) => s.bench.runs);
  const running = useStore((s) => s.bench.requestId !== null);
  const progress = useStore((s) => s.bench.progress);
  const result = useStore((s) => s.bench.result);
  const problem = useStore((s) => s.bench.problem);
  const setOptions = useStore((s) => s.setBenchOptions);
  const options = useStore((s) => s.metrics.provider?.options);
  const coreml = options?.find((o) => o.provider === 'coreml');
  const toggle = <T,>(list: T[], item: T, on: boolean) => (on ? [...list, item] : list.filter((x) => x !== item));
  const pct = progress && progress.total > 0 ? Math.round((progress.completed / progress.total) * 100) : 0;

  return (
    <div className="bench">
      <form
        className="bench-form"
        aria-label="Benchmark options"
        onSubmit={(e) => {
          e.preventDefault();
          if (running) cancelBenchmark();
          else runBenchmark();
        }}
      >
        <fieldset>
          <legend className="section-title">Presets</legend>
          {PRESETS.map((p) => (
            <label key={p.id} className="check">
              <input
                type="checkbox"
                name={`preset-${p.id}`}
                checked={presets.includes(p.id)}
                disabled={running}
                onChange={(e) => setOptions({ presets: toggle(presets, p.id, e.target.checked) })}
              />
              {p.label} <span className="hint-inline">{p.hint}</span>
            </label>
          ))}
        </fieldset>
        <fieldset>
          <legend className="section-title">Providers</legend>
          <label className="check">
            <input
              type="checkbox"
              name="provider-cpu"
              checked={providers.includes('cpu')}
              disabled={running}
              onChange={(e) => setOptions({ providers: toggle(providers, 'cpu', e.target.checked) })}
            />
            CPU
          </label>
          <label className="check" title={coreml?.reason}>
            <input
              type="checkbox"
              name="provider-coreml"
              checked={providers.includes('coreml')}
              disabled={running || !coreml?.available}
              aria-describedby={coreml?.available ? undefined : 'bench-coreml-reason'}
              onChange={(e) => setOptions({ providers: toggle(providers, 'coreml', e.target.checked) })}
            />
            CoreML
          </label>
          {coreml && !coreml.available && (
            <p id="bench-coreml-reason" className="hint">
              {coreml.reason}
            </p>
          )}
        </fieldset>
        <fieldset>
          <legend className="section-title">Runs</legend>
          <label className="inline">
            <span>Runs per preset</span>
            <input
              type="number"
              min={1}
              max={MAX_RUNS}
              value={runs}
              disabled={running}
              onChange={(e) => setOptions({ runs: Math.max(1, Math.min(MAX_RUNS, Math.round(Number(e.target.value) || 1))) })}
            />
          </label>
          <p className="hint">Each preset also gets one warm-up run that is not counted.</p>
        </fieldset>
        <div className="bench-actions">
          <button
            type="submit"
            className={running ? '' : 'primary'}
            disabled={!running && (presets.length === 0 || providers.length === 0)}
          >
            {running ? 'Cancel' : 'Run benchmark'}
          </button>
          <div
            className="progress"
            role="progressbar"
            aria-label="Benchmark progress"
            aria-valuemin={0}
            aria-valuemax={100}
            aria-valuenow={pct}
            aria-valuetext={progress ? `${progress.completed} of ${progress.total}: ${progress.label}` : 'not running'}
          >
            <span style={{ width: `${pct}%` }} />
          </div>
          <span className="progress-label" aria-hidden="true">
            {progress
              ? running
                ? `${progress.completed}/${progress.total} · ${progress.label}`
                : `Finished ${progress.completed}/${progress.total}`
              : ''}
          </span>
        </div>
        {problem && (
          <p className="hint warn" role="alert">
            {problem.message} {problem.action}
          </p>
        )}
      </form>
      {result ? <BenchResults result={result} /> : <p className="empty">No results yet. Choose presets and press Run benchmark.</p>}
      <BenchHistory />
    </div>
  );
}

function BenchResults({ result }: { result: BenchResult }) {
  const labels = result.rows.map((r) => `${r.preset} · ${PROVIDER_NAMES[r.provider]}`);
  return (
    <section className="results" aria-label="Results">
      <div className="results-head">
        <h2 className="section-title">
          Results{' '}
          <span className="hint-inline">
            {new Date(result.startedAt).toLocaleString()} · {result.machine.cpu}
          </span>
        </h2>
        <div className="exports">
          <button onClick={() => download(`${fileStem(result)}.json`, 'application/json', benchToJson(result))}>Export JSON</button>
          <button onClick={() => download(`${fileStem(result)}.csv`, 'text/csv', benchToCsv(result))}>Export CSV</button>
        </div>
      </div>
      <div className="results-body">
        <div className="table-scroll">
          <StackTable columns={BENCH_COLUMNS} rows={result.rows} rowKey={(r) => `${r.preset}-${r.provider}`} testId="bench-table" />
        </div>
        <BarChart
          title="Engine TTFA"
          groups={labels}
          format={formatMs}
          series={[
            { label: 'p50', values: result.rows.map((r) => r.ttfaEngineMs.p50), className: 's1' },
            { label: 'p95', values: result.rows.map((r) => r.ttfaEngineMs.p95), className: 's2' },
            { label: 'floor', values: result.rows.map((r) => r.floorMs.p50), className: 's3' },
          ]}
        />
        <BarChart
          title="Real-time factor"
          groups={labels}
          format={(v) => v.toFixed(2)}
          series={[
            { label: 'p50', values: result.rows.map((r) => r.rtf.p50), className: 's1' },
            { label: 'p95', values: result.rows.map((r) => r.rtf.p95), className: 's2' },
            { label: 'floor', values: result.rows.map((r) => r.floorRtf.p50), className: 's3' },
          ]}
        />
      </div>
    </section>
  );
}

function BenchHistory() {
  const history = useStore((s) => s.bench.history);
  const current = useStore((s) => s.bench.result?.startedAt);
  if (history.length === 0) return null;
  return (
    <section className="history" aria-label="Earlier runs">
      <h2 className="section-title">Earlier runs</h2>
      <ul>
        {history.map((h) => (
          <li key={h.startedAt}>
            <button
              className={`link${h.startedAt === current ? ' on' : ''}`}
              aria-current={h.startedAt === current}
              onClick={() => showBenchResult(h)}
            >
              {new Date(h.startedAt).toLocaleString()} — {h.rows.map((r) => `${r.preset}/${r.provider}`).join(', ')}
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}
