/**
 * Per journey: the funnel of the last 30 days (entered, each step's messages sent, deferred,
 * suppressed, failed or skipped, converted), how many came back against the holdout, who is in it
 * now, and taking someone out.
 */
import { useState } from 'preact/hooks';
import { api, type JourneyMembers, type Metrics, type MetricsDay, type Segments, type StepCounts } from '../api.ts';
import { addDays, dateTime, moneyByCurrency, percent } from '../format.ts';
import { Status, useLoad } from '../load.tsx';

/** The journeys with members (GET /v1/journeys/{name}/customers). */
const journeyNames = ['post-purchase', 'win-back', 'loyalty-invite'];

/** The days the funnels count. */
const FUNNEL_DAYS = 30;
const statuses = ['sent', 'deferred', 'suppressed', 'failed', 'skipped'] as const;

/** The last computed day's journey results, and the funnels of the 30 days up to it. */
async function lastDays(): Promise<{ day: MetricsDay | undefined; funnels: Metrics['funnels'] } | undefined> {
  const { computedAt } = await api<Segments>('GET', '/v1/segments');
  if (!computedAt) return undefined;
  const to = computedAt.slice(0, 10);
  const metrics = await api<Metrics>('GET', `/v1/metrics?from=${addDays(to, 1 - FUNNEL_DAYS)}&to=${to}`);
  return { day: metrics.days.at(-1), funnels: metrics.funnels };
}

export function JourneysPage() {
  const [metrics] = useLoad(lastDays, []);
  const ready = metrics.state === 'ready' ? metrics.value : undefined;
  return (
    <>
      <h1>Journeys</h1>
      <Status loaded={metrics} />
      {journeyNames.map((name) => (
        <Journey key={name} name={name} results={ready?.day?.journeys[name]} steps={ready?.funnels?.[name]} />
      ))}
    </>
  );
}

/** Each step's messages by what became of them, as rows of bars on one scale. */
function StepFunnel({ name, entered, converted, steps }: { name: string; entered: number | undefined; converted: number | undefined; steps: Record<string, StepCounts> }) {
  const rows = Object.entries(steps);
  const max = Math.max(entered ?? 0, ...rows.flatMap(([, counts]) => statuses.map((status) => counts[status])));
  return (
    <figure class="funnel steps" data-funnel={name}>
      <figcaption>Funnel of the last {FUNNEL_DAYS} days: entered, each step's messages by status, converted</figcaption>
      {entered !== undefined && <Bar label="Entered" value={entered} max={max} />}
      {rows.map(([step, counts]) => (
        <div key={step} class="step" data-step={step}>
          <h3>{step}</h3>
          {statuses
            .filter((status) => counts[status] > 0 || status === 'sent')
            .map((status) => (
              <Bar key={status} label={`${step}: ${status}`} value={counts[status]} max={max} />
            ))}
        </div>
      ))}
      {converted !== undefined && <Bar label="Converted" value={converted} max={max} />}
    </figure>
  );
}

function Bar(props: { label: string; value: number; max: number }) {
  return (
    <div class="bar" data-bar={props.label}>
      <span class="bar-label">{props.label}</span>
      <span class="bar-track" aria-hidden="true">
        <span class="bar-fill" style={{ width: `${props.max > 0 ? (100 * props.value) / props.max : 0}%` }} />
      </span>
      <span class="bar-value">{props.value}</span>
    </div>
  );
}

function Journey({ name, results, steps }: { name: string; results: MetricsDay['journeys'][string] | undefined; steps: Record<string, StepCounts> | undefined }) {
  const [members, reload] = useLoad(() => api<JourneyMembers>('GET', `/v1/journeys/${name}/customers?limit=500`), [name]);
  const [confirming, setConfirming] = useState<string | undefined>();
  const [message, setMessage] = useState('');
  const takeOut = async (customerId: string) => {
    await api('DELETE', `/v1/journeys/${name}/customers/${encodeURIComponent(customerId)}`);
    setConfirming(undefined);
    setMessage(`${customerId} was taken out of ${name}.`);
    reload();
  };
  // A customer may be in a journey more than once (post-purchase starts at every order); taking out is per customer.
  const rows = members.state === 'ready' ? [...new Map(members.value.items.map((entry) => [entry.customerId, entry])).values()] : [];
  const max = results ? Math.max(results.treated.entered, results.holdout.entered) : 0;
  return (
    <section aria-labelledby={`journey-${name}`} class="journey">
      <h2 id={`journey-${name}`}>{name}</h2>
      {steps && Object.keys(steps).length > 0 && <StepFunnel name={name} entered={results?.treated.entered} converted={results?.treated.converted} steps={steps} />}
      {results && (
        <figure class="funnel">
          <figcaption>Entered and converted over the last period, treated and held out</figcaption>
          <Bar label="Entered" value={results.treated.entered} max={max} />
          <Bar label="Converted" value={results.treated.converted} max={max} />
          <Bar label="Holdout entered" value={results.holdout.entered} max={max} />
          <Bar label="Holdout converted" value={results.holdout.converted} max={max} />
          <p>
            Conversion {percent(results.treated.conversionRate)} against {percent(results.holdout.conversionRate)} held out; revenue {moneyByCurrency(results.treated.revenueMinor)}.{' '}
            {results.uplift
              ? `Uplift ${percent(results.uplift.difference)} (${Math.round(results.uplift.confidence * 100)}% interval ${percent(results.uplift.low)} to ${percent(results.uplift.high)}).`
              : 'No uplift yet: the holdout is empty or too small.'}
          </p>
        </figure>
      )}
      <Status loaded={members} />
      {message && <p role="status">{message}</p>}
      {members.state === 'ready' && rows.length === 0 && <p>Nobody is in this journey now.</p>}
      {rows.length > 0 && (
        <div class="scroll">
          <table>
            <caption>In {name} now</caption>
            <thead>
              <tr>
                <th scope="col">Customer</th>
                <th scope="col">Last entered</th>
                <th scope="col">Step</th>
                <th scope="col">
                  <span class="visually-hidden">Action</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.map((entry) => (
                <tr key={entry.customerId}>
                  <td>
                    <a href={`#/customers/${encodeURIComponent(entry.customerId)}`}>{entry.customerId}</a>
                    {entry.holdout ? ' (holdout)' : ''}
                  </td>
                  <td>{dateTime(entry.enteredAt)}</td>
                  <td>{entry.step ?? '—'}</td>
                  <td>
                    {confirming === entry.customerId ? (
                      <button type="button" class="danger" onClick={() => void takeOut(entry.customerId)}>
                        Confirm: take {entry.customerId} out
                      </button>
                    ) : (
                      <button type="button" aria-label={`Take out ${entry.customerId} from ${name}`} onClick={() => setConfirming(entry.customerId)}>
                        Take out
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
