import { Area, AreaChart, Bar, BarChart, CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';

export type ChartKind = 'area' | 'bar' | 'line';

/** One plotted field of the points: its key, its legend name and its colour (a CSS value). */
export interface ChartSeries<P> {
  key: Exclude<keyof P, 'bucket'> & string;
  name: string;
  color: string;
}

const FRAMES = { area: AreaChart, bar: BarChart, line: LineChart } as const;

/** The series element of a kind, a direct child of the chart (recharts reads its children). */
function seriesElement(kind: ChartKind, s: { key: string; name: string; color: string }) {
  if (kind === 'area') return <Area key={s.key} type="monotone" dataKey={s.key} stroke={s.color} fill={s.color} fillOpacity={0.2} name={s.name} />;
  if (kind === 'bar') return <Bar key={s.key} dataKey={s.key} fill={s.color} name={s.name} />;
  return <Line key={s.key} type="monotone" dataKey={s.key} stroke={s.color} name={s.name} connectNulls />;
}

/**
 * A captioned chart of points over time (`bucket`, an ISO time, on the x axis): the Overview's charts differ only in
 * kind, series and value format. A legend is shown when there is more than one series.
 */
export function TimeChart<P extends { bucket: string }>(props: {
  title: string;
  kind: ChartKind;
  points: P[];
  series: Array<ChartSeries<P>>;
  tick: (iso: string) => string;
  /** Formats the y axis' ticks and the tooltip's values (default: recharts' own). */
  format?: (value: number) => string;
  /** Whole numbers only on the y axis (counts). */
  integers?: boolean;
}) {
  const { title, kind, points, series, tick, format, integers } = props;
  const Frame = FRAMES[kind];
  return (
    <figure className="chart">
      <figcaption>{title}</figcaption>
      <ResponsiveContainer width="100%" height={220}>
        <Frame data={points}>
          <CartesianGrid strokeDasharray="3 3" stroke="var(--border)" />
          <XAxis dataKey="bucket" tickFormatter={tick} stroke="var(--muted)" />
          <YAxis allowDecimals={!integers} stroke="var(--muted)" tickFormatter={format} />
          <Tooltip labelFormatter={(l) => tick(String(l))} formatter={format && ((v) => format(Number(v)))} contentStyle={{ background: 'var(--panel)' }} />
          {series.length > 1 && <Legend />}
          {series.map((s) => seriesElement(kind, s))}
        </Frame>
      </ResponsiveContainer>
    </figure>
  );
}
