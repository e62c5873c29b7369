/** The owner's overview: the figures of the last day in the range, how they moved, and the cohorts. */
import { useState } from 'preact/hooks';
import { api, type Metrics, type MetricsDay, type Segments } from '../api.ts';
import { CohortHeatmap, LineChart, type Series } from '../charts.tsx';
import { addDays, decimal, moneyByCurrency, percent } from '../format.ts';
import { Status, useLoad } from '../load.tsx';

const families = [
  { title: 'Customers by recency', names: ['new', 'active', 'sleeping', 'lapsing', 'lost'] },
  { title: 'Customers by value', names: ['vip', 'mid', 'base'] },
  { title: 'Customers by trend', names: ['growing', 'stable', 'declining'] },
];

/** The range shown first: the 30 days up to the last recompute (the API's clock, not this browser's). */
async function defaultRange(): Promise<{ from: string; to: string }> {
  const { computedAt } = await api<Segments>('GET', '/v1/segments');
  const to = (computedAt ?? new Date().toISOString()).slice(0, 10);
  return { from: addDays(to, -29), to };
}

/** The returning customers' revenue of each day's period, one line per currency, in major units. */
export function returningRevenue(days: MetricsDay[]): Series[] {
  const currencies = [...new Set(days.flatMap((entry) => Object.keys(entry.returningRevenueMinor)))].sort();
  return currencies.map((currency) => {
    const digits = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
    return { name: currency, values: days.map((entry) => (entry.returningRevenueMinor[currency] ?? 0) / 10 ** digits) };
  });
}

export function OverviewPage() {
  const [range, setRange] = useState<{ from: string; to: string } | undefined>();
  const [metrics] = useLoad(async () => {
    const shown = range ?? (await defaultRange());
    if (!range) setRange(shown);
    return api<Metrics>('GET', `/v1/metrics?from=${shown.from}&to=${shown.to}`);
  }, [range?.from, range?.to]);
  const [draft, setDraft] = useState<{ from: string; to: string } | undefined>();
  const form = draft ?? range;
  return (
    <>
      <h1>Overview</h1>
      {form && (
        <form
          class="range"
          onSubmit={(event) => {
            event.preventDefault();
            if (draft) setRange(draft);
          }}
        >
          <label>
            From <input type="date" name="from" value={form.from} required onInput={(event) => setDraft({ ...form, from: event.currentTarget.value })} />
          </label>
          <label>
            To <input type="date" name="to" value={form.to} required onInput={(event) => setDraft({ ...form, to: event.currentTarget.value })} />
          </label>
          <button type="submit">Show</button>
        </form>
      )}
      <Status loaded={metrics} />
      {metrics.state === 'ready' && <Figures metrics={metrics.value} />}
    </>
  );
}

function Figures({ metrics }: { metrics: Metrics }) {
  const last = metrics.days.at(-1);
  if (!last) return <p>No figures in this range yet: they are computed every night.</p>;
  const labels = metrics.days.map((entry) => entry.day);
  const cards: [string, string, string][] = [
    ['customers', 'Customers', String(last.customers)],
    ['repeatPurchaseRate', 'Repeat rate', percent(last.repeatPurchaseRate)],
    ['retentionRate', 'Retention', percent(last.retentionRate)],
    ['purchaseFrequency', 'Purchase frequency', decimal(last.purchaseFrequency)],
    ['historicClvMinor', 'Average CLV', moneyByCurrency(last.historicClvMinor)],
    ['churnRate', 'Churn', percent(last.churnRate)],
    ['nps', 'NPS', last.nps.score === null ? '—' : String(Math.round(last.nps.score))],
  ];
  return (
    <>
      <section aria-labelledby="figures">
        <h2 id="figures">
          On {last.day} <span class="muted">(the {last.period.days} days from {last.period.from})</span>
        </h2>
        <dl class="cards">
          {cards.map(([key, title, value]) => (
            <div class="card" key={key}>
              <dt>{title}</dt>
              <dd data-metric={key}>{value}</dd>
            </div>
          ))}
        </dl>
        <p>
          Returning customers: <span data-metric="returningCustomers">{last.returningCustomers}</span>, bringing{' '}
          <span data-metric="returningRevenueMinor">{moneyByCurrency(last.returningRevenueMinor)}</span>. NPS from {last.nps.answers} answers in {last.nps.windowDays} days.
        </p>
      </section>
      <section aria-labelledby="trends">
        <h2 id="trends">Over time</h2>
        <div class="charts">
          <LineChart title="Returning customers" yLabel="Customers" labels={labels} series={[{ name: 'Returning customers', values: metrics.days.map((entry) => entry.returningCustomers) }]} />
          <LineChart title="Revenue from returning customers" yLabel="Revenue" labels={labels} series={returningRevenue(metrics.days)} />
          {families.map((family) => (
            <LineChart
              key={family.title}
              title={family.title}
              yLabel="Customers"
              labels={labels}
              series={family.names.map((name) => ({ name, values: metrics.days.map((entry) => entry.segments[name] ?? 0) }))}
            />
          ))}
        </div>
      </section>
      <section aria-labelledby="segment-sizes">
        <h2 id="segment-sizes">Segment sizes</h2>
        <ul class="chips">
          {Object.entries(last.segments).map(([name, size]) => (
            <li key={name}>
              {name}: <span data-segment={name}>{size}</span>
            </li>
          ))}
        </ul>
      </section>
      <section aria-labelledby="cohorts">
        <h2 id="cohorts">Cohorts</h2>
        <CohortHeatmap cohorts={last.cohorts} />
      </section>
    </>
  );
}
