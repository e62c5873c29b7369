/** Segments: every one with its size, a filter saved as a new one, its members, and a CSV of them. */
import { useState } from 'preact/hooks';
import { api, ApiError, type Segments } from '../api.ts';
import { fractionDigits } from '../format.ts';
import { Status, useLoad } from '../load.tsx';

const builtIn = ['new', 'active', 'sleeping', 'lapsing', 'lost', 'vip', 'mid', 'base', 'growing', 'stable', 'declining', 'churn-risk'];

interface Draft {
  name: string;
  description: string;
  category: string;
  lastOrderWithinDays: string;
  minOrders: string;
  segment: string;
  minRevenue: string;
  currency: string;
}

const emptyDraft: Draft = { name: '', description: '', category: '', lastOrderWithinDays: '', minOrders: '', segment: '', minRevenue: '', currency: 'USD' };

/** The segment filter the API takes (PUT /v1/segments/{name}): every condition filled in must hold. */
export function filterOf(draft: Draft): unknown {
  const filters: unknown[] = [];
  if (draft.category.trim()) filters.push({ type: 'boughtCategory', category: draft.category.trim() });
  if (draft.lastOrderWithinDays) filters.push({ type: 'lastOrder', maxDaysAgo: Number(draft.lastOrderWithinDays) });
  if (draft.minOrders) filters.push({ type: 'orderCount', min: Number(draft.minOrders) });
  if (draft.segment) filters.push({ type: 'segment', segment: draft.segment });
  if (draft.minRevenue) filters.push({ type: 'netRevenue', currency: draft.currency.trim().toUpperCase(), minMinor: Math.round(Number(draft.minRevenue) * 10 ** fractionDigits(draft.currency.trim().toUpperCase())) });
  return { type: 'all', filters };
}

/** One line per member, with a header; RFC 4180 quoting. */
export function membersCsv(members: { customerId: string; since: string }[]): string {
  const quote = (value: string) => (/[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value);
  return ['customerId,since', ...members.map((member) => `${quote(member.customerId)},${quote(member.since)}`)].join('\r\n') + '\r\n';
}

async function allMembers(name: string): Promise<{ customerId: string; since: string }[]> {
  const members: { customerId: string; since: string }[] = [];
  let cursor: string | undefined;
  do {
    const page = await api<{ items: { customerId: string; since: string }[]; cursor?: string }>(
      'GET',
      `/v1/segments/${encodeURIComponent(name)}/customers?limit=1000${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
    );
    members.push(...page.items);
    cursor = page.cursor;
  } while (cursor);
  return members;
}

export function SegmentsPage() {
  const [segments, reload] = useLoad(() => api<Segments>('GET', '/v1/segments'), []);
  const [open, setOpen] = useState<string | undefined>();
  return (
    <>
      <h1>Segments</h1>
      <Status loaded={segments} />
      {segments.state === 'ready' && (
        <div class="scroll">
          <table>
            <caption>Every segment, with its size at the last recompute{segments.value.computedAt ? ` (${segments.value.computedAt.slice(0, 10)})` : ''}</caption>
            <thead>
              <tr>
                <th scope="col">Segment</th>
                <th scope="col">Kind</th>
                <th scope="col">Customers</th>
                <th scope="col">
                  <span class="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {segments.value.segments.map((segment) => (
                <tr key={segment.name}>
                  <th scope="row">
                    {segment.name}
                    {segment.description ? <span class="muted"> · {segment.description}</span> : null}
                  </th>
                  <td>{segment.kind}</td>
                  <td data-size={segment.name}>{segment.size ?? 'not computed yet'}</td>
                  <td class="actions">
                    <button type="button" aria-label={`Members of ${segment.name}`} onClick={() => setOpen(segment.name)}>
                      Members
                    </button>
                    {segment.kind === 'custom' && (
                      <button
                        type="button"
                        class="danger"
                        aria-label={`Delete ${segment.name}`}
                        onClick={() => void api('DELETE', `/v1/segments/${encodeURIComponent(segment.name)}`).then(() => (setOpen(undefined), reload()))}
                      >
                        Delete
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {open && <Members key={open} name={open} />}
      <Builder onSaved={reload} />
    </>
  );
}

function Members({ name }: { name: string }) {
  const [members] = useLoad(() => allMembers(name), [name]);
  const download = () => {
    if (members.state !== 'ready') return;
    const link = document.createElement('a');
    link.href = URL.createObjectURL(new Blob([membersCsv(members.value)], { type: 'text/csv' }));
    link.download = `${name}.csv`;
    link.click();
    URL.revokeObjectURL(link.href);
  };
  return (
    <section aria-labelledby="members" class="members">
      <h2 id="members">Members of {name}</h2>
      <Status loaded={members} />
      {members.state === 'ready' && (
        <>
          <p>
            <span data-count={name}>{members.value.length}</span> customer{members.value.length === 1 ? '' : 's'}.{' '}
            <button type="button" onClick={download}>
              Export CSV
            </button>
          </p>
          <ul class="chips">
            {members.value.map((member) => (
              <li key={member.customerId}>
                <a href={`#/customers/${encodeURIComponent(member.customerId)}`}>{member.customerId}</a>
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}

function Builder({ onSaved }: { onSaved: () => void }) {
  const [draft, setDraft] = useState<Draft>(emptyDraft);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | undefined>();
  const field = (key: keyof Draft) => ({
    id: `segment-${key}`,
    name: key,
    value: draft[key],
    onInput: (event: { currentTarget: { value: string } }) => setDraft({ ...draft, [key]: event.currentTarget.value }),
  });
  const save = async (event: Event) => {
    event.preventDefault();
    try {
      await api('PUT', `/v1/segments/${encodeURIComponent(draft.name)}`, { ...(draft.description.trim() ? { description: draft.description.trim() } : {}), filter: filterOf(draft) });
      setMessage({ ok: true, text: `Saved ${draft.name}: its members are counted at the next recompute.` });
      setDraft(emptyDraft);
      onSaved();
    } catch (failure) {
      setMessage({ ok: false, text: failure instanceof ApiError ? `${failure.title}: ${failure.detail}` : (failure as Error).message });
    }
  };
  return (
    <section aria-labelledby="builder">
      <h2 id="builder">Save a segment</h2>
      <form onSubmit={save} class="builder">
        <label for="segment-name">Name (lower-case letters, digits, hyphens)</label>
        <input {...field('name')} required pattern="[a-z0-9](?:[a-z0-9\-]{0,62}[a-z0-9])?" />
        <label for="segment-description">Description</label>
        <input {...field('description')} />
        <label for="segment-category">Bought in category</label>
        <input {...field('category')} />
        <label for="segment-lastOrderWithinDays">Last order within (days)</label>
        <input {...field('lastOrderWithinDays')} type="number" min="0" />
        <label for="segment-minOrders">At least this many orders</label>
        <input {...field('minOrders')} type="number" min="0" />
        <label for="segment-segment">In segment</label>
        <select {...field('segment')} onChange={(event) => setDraft({ ...draft, segment: event.currentTarget.value })}>
          <option value="">Any</option>
          {builtIn.map((name) => (
            <option key={name}>{name}</option>
          ))}
        </select>
        <label for="segment-minRevenue">Net revenue at least</label>
        <input {...field('minRevenue')} type="number" min="0" step="0.01" />
        <label for="segment-currency">in currency</label>
        <input {...field('currency')} maxLength={3} />
        <button type="submit">Save segment</button>
      </form>
      {message && (
        <p role={message.ok ? 'status' : 'alert'} class={message.ok ? '' : 'error'}>
          {message.text}
        </p>
      )}
    </section>
  );
}
