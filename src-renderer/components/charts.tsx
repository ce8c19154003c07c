// Runs in the renderer: small SVG charts (a line chart over recent utterances and a grouped bar
// chart for benchmark rows). Plain SVG: no chart library for a handful of points.

const W = 320;
const H = 110;
const PAD = { l: 46, r: 8, t: 10, b: 18 };

/** One series of a chart. */
export interface Series {
  label: string;
  values: (number | null)[];
  className: string;
}

function niceMax(max: number): number {
  if (!(max > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(max));
  return [1, 2, 2.5, 5, 10].map((m) => m * p).find((v) => v >= max) ?? max;
}

/** The chart's title and legend. */
function Caption({ title, series }: { title: string; series: Series[] }) {
  return (
    <figcaption>
      {title}
      <span className="legend">
        {series.map((s) => (
          <span key={s.label} className={s.className}>
            <i aria-hidden="true" /> {s.label}
          </span>
        ))}
      </span>
    </figcaption>
  );
}

/** Horizontal grid lines at 0, half and full scale, labelled on the left (unless there is no data). */
function GridLines({
  y,
  max,
  format,
  labelled = true,
}: {
  y: (v: number) => number;
  max: number;
  format: (v: number) => string;
  labelled?: boolean;
}) {
  return (
    <>
      {[0, 0.5, 1].map((f) => (
        <g key={f}>
          <line className="grid" x1={PAD.l} x2={W - PAD.r} y1={y(max * f)} y2={y(max * f)} />
          {labelled && (
            <text className="axis" x={PAD.l - 4} y={y(max * f) + 3} textAnchor="end">
              {format(max * f)}
            </text>
          )}
        </g>
      ))}
    </>
  );
}

/** A line chart of series over the same x (utterances, oldest first). */
export function LineChart({
  title,
  series,
  unit,
  format,
}: {
  title: string;
  series: Series[];
  /** What one point is, singular ("utterance"): the axis reads "last utterance" or "last 5 utterances". */
  unit: string;
  format: (v: number) => string;
}) {
  const n = Math.max(0, ...series.map((s) => s.values.length));
  const max = niceMax(Math.max(0, ...series.flatMap((s) => s.values.filter((v): v is number => v !== null))));
  const x = (i: number) => PAD.l + (n <= 1 ? (W - PAD.l - PAD.r) / 2 : (i * (W - PAD.l - PAD.r)) / (n - 1));
  const y = (v: number) => H - PAD.b - (v / max) * (H - PAD.t - PAD.b);
  const summary = series.map((s) => {
    const last = [...s.values].reverse().find((v) => v !== null);
    return `${s.label} latest ${last == null ? 'none' : format(last)}`;
  });
  return (
    <figure className="chart">
      <Caption title={title} series={series} />
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={`${title}: ${summary.join('; ')}`}>
        <GridLines y={y} max={max} format={format} labelled={n > 0} />
        <text className="axis" x={W - PAD.r} y={H - 4} textAnchor="end">
          {n === 0 ? 'no data yet' : n === 1 ? `last ${unit}` : `last ${n} ${unit}s`}
        </text>
        {series.map((s) => {
          const pts = s.values.map((v, i) => (v === null ? null : `${x(i)},${y(v)}`)).filter(Boolean);
          return (
            <g key={s.label} className={s.className}>
              {pts.length > 1 && <polyline points={pts.join(' ')} />}
              {s.values.map((v, i) => (v === null ? null : <circle key={i} cx={x(i)} cy={y(v)} r={2.5} />))}
            </g>
          );
        })}
      </svg>
    </figure>
  );
}

/** A grouped bar chart: one group per label, one bar per series. */
export function BarChart({
  title,
  groups,
  series,
  format,
}: {
  title: string;
  groups: string[];
  series: Series[];
  format: (v: number) => string;
}) {
  const max = niceMax(Math.max(0, ...series.flatMap((s) => s.values.filter((v): v is number => v !== null))));
  const gw = (W - PAD.l - PAD.r) / Math.max(1, groups.length);
  const bw = Math.min(28, (gw * 0.7) / Math.max(1, series.length));
  const y = (v: number) => H - PAD.b - (v / max) * (H - PAD.t - PAD.b);
  return (
    <figure className="chart">
      <Caption title={title} series={series} />
      <svg
        viewBox={`0 0 ${W} ${H}`}
        role="img"
        aria-label={`${title}: ${groups.map((g, gi) => `${g} ${series.map((s) => `${s.label} ${s.values[gi] == null ? 'none' : format(s.values[gi] as number)}`).join(', ')}`).join('; ')}`}
      >
        <GridLines y={y} max={max} format={format} />
        {groups.map((g, gi) => {
          const x0 = PAD.l + gi * gw + (gw - bw * series.length) / 2;
          return (
            <g key={g}>
              {series.map((s, si) => {
                const v = s.values[gi];
                if (v == null) return null;
                return (
                  <rect
                    key={s.label}
                    className={`bar ${s.className}`}
                    x={x0 + si * bw}
                    y={y(v)}
                    width={bw - 2}
                    height={H - PAD.b - y(v)}
                    rx={2}
                  />
                );
              })}
              <text className="axis" x={PAD.l + gi * gw + gw / 2} y={H - 4} textAnchor="middle">
                {g}
              </text>
            </g>
          );
        })}
      </svg>
    </figure>
  );
}
