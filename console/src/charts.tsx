/**
 * The few charts the console draws, as hand-written SVG: a line chart and a cohort heatmap (an
 * HTML table, so screen readers read it as one). A chart library would weigh more than all of it.
 */
export interface Series {
  name: string;
  values: number[];
}

const palette = ['#1f6f5c', '#b3541e', '#3b5ba5', '#8a3f8f', '#6b6b00'];

export function LineChart(props: { title: string; labels: string[]; series: Series[]; yLabel: string }) {
  const width = 640;
  const height = 220;
  const pad = { left: 44, right: 12, top: 12, bottom: 36 };
  const max = Math.max(1, ...props.series.flatMap((line) => line.values));
  const x = (index: number) => pad.left + (props.labels.length <= 1 ? 0 : (index * (width - pad.left - pad.right)) / (props.labels.length - 1));
  const y = (value: number) => height - pad.bottom - (value / max) * (height - pad.top - pad.bottom);
  const summary = props.series.map((line) => `${line.name}: ${line.values.at(-1) ?? 0} on ${props.labels.at(-1) ?? ''}`).join('; ');
  return (
    <figure class="chart">
      <figcaption>{props.title}</figcaption>
      <svg viewBox={`0 0 ${width} ${height}`} role="img" aria-label={`${props.title}. ${summary}`}>
        <line x1={pad.left} y1={height - pad.bottom} x2={width - pad.right} y2={height - pad.bottom} class="axis" />
        <line x1={pad.left} y1={pad.top} x2={pad.left} y2={height - pad.bottom} class="axis" />
        <text x={pad.left - 6} y={y(max) + 4} text-anchor="end" class="tick">{max}</text>
        <text x={pad.left - 6} y={y(0) + 4} text-anchor="end" class="tick">0</text>
        <text x={pad.left} y={height - pad.bottom + 16} class="tick">{props.labels[0] ?? ''}</text>
        <text x={width - pad.right} y={height - pad.bottom + 16} text-anchor="end" class="tick">{props.labels.at(-1) ?? ''}</text>
        <text x={(width + pad.left) / 2} y={height - 4} text-anchor="middle" class="axis-label">Day</text>
        <text x={12} y={(height - pad.bottom) / 2} transform={`rotate(-90 12 ${(height - pad.bottom) / 2})`} text-anchor="middle" class="axis-label">{props.yLabel}</text>
        {props.series.map((line, index) => (
          <polyline key={line.name} fill="none" stroke={palette[index % palette.length]} stroke-width="2" points={line.values.map((value, at) => `${x(at)},${y(value)}`).join(' ')} />
        ))}
      </svg>
      <ul class="legend">
        {props.series.map((line, index) => (
          <li key={line.name}>
            <span class="swatch" style={{ background: palette[index % palette.length] }} aria-hidden="true" />
            {line.name}: {line.values.at(-1) ?? 0}
          </li>
        ))}
      </ul>
    </figure>
  );
}

/** Rows: first-order months; columns: months after the first order; cells: the share who bought in that month. */
export function CohortHeatmap(props: { cohorts: { month: string; customers: number; returned: number[] }[] }) {
  const columns = Math.max(0, ...props.cohorts.map((cohort) => cohort.returned.length));
  return (
    <div class="scroll">
      <table class="heatmap">
        <caption>Cohort retention: the share of each first-order month's customers who bought again, by months after their first order</caption>
        <thead>
          <tr>
            <th scope="col">First order month</th>
            <th scope="col">Customers</th>
            {Array.from({ length: columns }, (_, index) => (
              <th scope="col" key={index}>
                Month {index + 1}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {props.cohorts.map((cohort) => (
            <tr key={cohort.month}>
              <th scope="row">{cohort.month}</th>
              <td>{cohort.customers}</td>
              {Array.from({ length: columns }, (_, index) => {
                const returned = cohort.returned[index];
                if (returned === undefined) return <td key={index} class="empty" />;
                const share = cohort.customers > 0 ? returned / cohort.customers : 0;
                const lightness = Math.round(96 - share * 70);
                return (
                  <td key={index} style={{ background: `hsl(163 45% ${lightness}%)`, color: lightness < 58 ? '#fff' : '#111' }}>
                    {(share * 100).toFixed(0)}%
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
