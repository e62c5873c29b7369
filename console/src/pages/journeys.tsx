/** Per journey: how many entered and came back (against the holdout), who is in it now, and taking someone out. */
import { useState } from 'preact/hooks';
import { api, type JourneyMembers, type Metrics, type MetricsDay, type Segments } from '../api.ts';
import { dateTime, moneyByCurrency, percent } from '../format.ts';
import { Status, useLoad } from '../load.tsx';

/** The journeys with members (GET /v1/journeys/{name}/customers). */
const journeyNames = ['post-purchase', 'win-back', 'loyalty-invite'];

async function lastDay(): Promise<MetricsDay | undefined> {
  const { computedAt } = await api<Segments>('GET', '/v1/segments');
  if (!computedAt) return undefined;
  const day = computedAt.slice(0, 10);
  return (await api<Metrics>('GET', `/v1/metrics?from=${day}&to=${day}`)).days.at(-1);
}

export function JourneysPage() {
  const [metrics] = useLoad(lastDay, []);
  return (
    <>
      <h1>Journeys</h1>
      <Status loaded={metrics} />
      {journeyNames.map((name) => (
        <Journey key={name} name={name} results={metrics.state === 'ready' ? metrics.value?.journeys[name] : undefined} />
      ))}
    </>
  );
}

function Bar(props: { label: string; value: number; max: number }) {
  return (
    <div class="bar">
      <span class="bar-label">{props.label}</span>
      <span class="bar-track" aria-hidden="true">
        <span class="bar-fill" style={{ width: `${props.max > 0 ? (100 * props.value) / props.max : 0}%` }} />
      </span>
      <span class="bar-value">{props.value}</span>
    </div>
  );
}

function Journey({ name, results }: { name: string; results: MetricsDay['journeys'][string] | undefined }) {
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
