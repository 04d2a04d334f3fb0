// A dependency-free SVG line chart: series of (x, y) points on linear or log axes. A point whose y is null
// is drawn as a cross in a band above the plot (used for "starved": no reply at all), so a cliff stays
// visible instead of disappearing from the line. Output is plain SVG text.

export interface ChartPoint {
  x: number;
  y: number | null;
  /** Drawn as a hollow marker (a caveat applies to this value; ChartOptions.hollowLabel says which). */
  hollow?: boolean;
}

export interface ChartSeries {
  name: string;
  points: ChartPoint[];
}

export interface ChartOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  series: ChartSeries[];
  /** 'log' handles x = 0 by plotting log10(1 + x). */
  xScale?: 'linear' | 'log';
  yScale?: 'linear' | 'log';
  /** Label of the band where null points are drawn. */
  nullLabel?: string;
  /** Legend note for hollow markers. */
  hollowLabel?: string;
  /** Label the x axis at exactly these values (e.g. the connection counts measured) instead of decades. */
  xTicks?: number[];
  /** Vertical reference lines, e.g. { x: 100, label: 'workers = 100' }. */
  markers?: { x: number; label: string }[];
  width?: number;
  height?: number;
}

const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf'];

function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function niceStep(span: number, count: number): number {
  const raw = span / Math.max(1, count);
  const power = 10 ** Math.floor(Math.log10(raw));
  const scaled = raw / power;
  return (scaled <= 1 ? 1 : scaled <= 2 ? 2 : scaled <= 5 ? 5 : 10) * power;
}

function label(value: number): string {
  if (value >= 1e6) return `${Number((value / 1e6).toPrecision(3))}M`;
  if (value >= 1e3) return `${Number((value / 1e3).toPrecision(3))}k`;
  return String(Number(value.toPrecision(3)));
}

interface Axis {
  map(value: number): number;
  ticks: number[];
}

function axis(
  values: number[],
  scale: 'linear' | 'log',
  from: number,
  to: number,
  zeroAllowed: boolean,
): Axis {
  if (scale === 'log') {
    // With zeroAllowed the axis plots log10(1 + v), so 0 sits at the origin and 10^k near k.
    const f = (v: number): number =>
      zeroAllowed ? Math.log10(1 + Math.max(0, v)) : Math.log10(Math.max(v, 1e-12));
    const positives = values.filter((v) => v > 0);
    const lo = zeroAllowed || positives.length === 0 ? 0 : Math.floor(Math.log10(Math.min(...positives)));
    // The axis ends exactly on the decade at or above the largest value.
    const top = Math.max(lo + 1, Math.ceil(Math.log10(Math.max(...positives, 1)) - 1e-9));
    const hi = f(10 ** top);
    const ticks: number[] = zeroAllowed ? [0] : [];
    for (let e = zeroAllowed ? 0 : lo; e <= top; e++) ticks.push(10 ** e);
    return {
      map: (v) =>
        from + ((f(v) - f(zeroAllowed ? 0 : 10 ** lo)) / (hi - f(zeroAllowed ? 0 : 10 ** lo))) * (to - from),
      ticks,
    };
  }
  const max = Math.max(...values, 1e-9);
  const step = niceStep(max, 5);
  const hi = Math.ceil(max / step) * step;
  const ticks: number[] = [];
  for (let t = 0; t <= hi + step / 2; t += step) ticks.push(Number(t.toPrecision(6)));
  return { map: (v) => from + (v / hi) * (to - from), ticks };
}

export function lineChart(options: ChartOptions): string {
  const width = options.width ?? 760;
  const height = options.height ?? 440;
  const left = 78;
  const right = 230;
  const top = 64;
  const bottom = 58;
  const hasNull = options.series.some((s) => s.points.some((p) => p.y === null));
  const bandTop = top;
  const plotTop = hasNull ? top + 34 : top;
  const plotBottom = height - bottom;
  const plotRight = width - right;
  const xs = options.series
    .flatMap((s) => s.points.map((p) => p.x))
    .concat((options.markers ?? []).map((m) => m.x));
  const ys = options.series.flatMap((s) => s.points.flatMap((p) => (p.y === null ? [] : [p.y])));
  const xAxis = axis(xs.length ? xs : [1], options.xScale ?? 'linear', left, plotRight, true);
  if (options.xTicks) xAxis.ticks = options.xTicks;
  const yAxis = axis(ys.length ? ys : [1], options.yScale ?? 'linear', plotBottom, plotTop, false);
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${width / 2}" y="24" text-anchor="middle" font-size="15" font-weight="bold">${esc(options.title)}</text>`,
  );
  for (const t of yAxis.ticks) {
    const y = yAxis.map(t);
    if (y < plotTop - 0.5 || y > plotBottom + 0.5) continue;
    out.push(
      `<line x1="${left}" y1="${y.toFixed(1)}" x2="${plotRight}" y2="${y.toFixed(1)}" stroke="#e5e5e5"/>`,
      `<text x="${left - 6}" y="${(y + 4).toFixed(1)}" text-anchor="end">${label(t)}</text>`,
    );
  }
  for (const t of xAxis.ticks) {
    const x = xAxis.map(t);
    if (x < left - 0.5 || x > plotRight + 0.5) continue;
    out.push(
      `<line x1="${x.toFixed(1)}" y1="${plotTop}" x2="${x.toFixed(1)}" y2="${plotBottom}" stroke="#f0f0f0"/>`,
      `<text x="${x.toFixed(1)}" y="${plotBottom + 16}" text-anchor="middle">${label(t)}</text>`,
    );
  }
  out.push(
    `<rect x="${left}" y="${plotTop}" width="${plotRight - left}" height="${plotBottom - plotTop}" fill="none" stroke="#333"/>`,
    `<text x="${(left + plotRight) / 2}" y="${height - 18}" text-anchor="middle">${esc(options.xLabel)}</text>`,
    `<text transform="translate(18 ${(plotTop + plotBottom) / 2}) rotate(-90)" text-anchor="middle">${esc(options.yLabel)}</text>`,
  );
  if (hasNull) {
    out.push(
      `<rect x="${left}" y="${bandTop}" width="${plotRight - left}" height="26" fill="#fdecea" stroke="#d62728" stroke-dasharray="3 3"/>`,
      `<text x="${plotRight + 8}" y="${bandTop + 17}" font-size="11" fill="#a11">✕ ${esc(options.nullLabel ?? 'no value')}</text>`,
    );
  }
  for (const marker of options.markers ?? []) {
    const x = xAxis.map(marker.x);
    out.push(
      `<line x1="${x.toFixed(1)}" y1="${bandTop}" x2="${x.toFixed(1)}" y2="${plotBottom}" stroke="#555" stroke-dasharray="6 4"/>`,
      `<text x="${(x + 4).toFixed(1)}" y="${plotBottom - 8}" fill="#555">${esc(marker.label)}</text>`,
    );
  }
  options.series.forEach((series, index) => {
    const color = COLORS[index % COLORS.length];
    const points = [...series.points].sort((a, b) => a.x - b.x);
    // A starved point breaks the line: the pen lifts and the next served point starts a new segment.
    let d = '';
    let penDown = false;
    for (const p of points) {
      if (p.y === null) {
        penDown = false;
        continue;
      }
      d += `${penDown ? 'L' : 'M'}${xAxis.map(p.x).toFixed(1)},${yAxis.map(p.y).toFixed(1)} `;
      penDown = true;
    }
    d = d.trim();
    if (d) out.push(`<path d="${d}" fill="none" stroke="${color}" stroke-width="2"/>`);
    for (const p of points) {
      const x = xAxis.map(p.x);
      if (p.y === null) {
        const y = bandTop + 13;
        out.push(
          `<path d="M${(x - 5).toFixed(1)},${y - 5} L${(x + 5).toFixed(1)},${y + 5} M${(x - 5).toFixed(1)},${y + 5} L${(x + 5).toFixed(1)},${y - 5}" stroke="${color}" stroke-width="2.5"/>`,
        );
      } else {
        const fill = p.hollow ? `fill="white" stroke="${color}" stroke-width="2"` : `fill="${color}"`;
        out.push(
          `<circle cx="${x.toFixed(1)}" cy="${yAxis.map(p.y).toFixed(1)}" r="${p.hollow ? 4.5 : 3.5}" ${fill}/>`,
        );
      }
    }
    const ly = plotTop + 10 + index * 20;
    out.push(
      `<line x1="${plotRight + 14}" y1="${ly}" x2="${plotRight + 38}" y2="${ly}" stroke="${color}" stroke-width="2.5"/>`,
      `<text x="${plotRight + 44}" y="${ly + 4}">${esc(series.name)}</text>`,
    );
  });
  if (options.hollowLabel && options.series.some((s) => s.points.some((p) => p.hollow && p.y !== null))) {
    const ly = plotTop + 10 + options.series.length * 20 + 6;
    out.push(
      `<circle cx="${plotRight + 26}" cy="${ly}" r="4.5" fill="white" stroke="#555" stroke-width="2"/>`,
      `<text x="${plotRight + 44}" y="${ly + 4}" font-size="11">${esc(options.hollowLabel)}</text>`,
    );
  }
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
