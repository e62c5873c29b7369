/** Finding a customer, and one customer's timeline: orders, tasks, points, feedback, consent, predictions. */
import { useState } from 'preact/hooks';
import { api, ApiError, type Customer, type Loyalty, type Task } from '../api.ts';
import { dateTime, decimal, money, percent } from '../format.ts';
import { Status, useLoad } from '../load.tsx';

interface Event {
  at: string;
  kind: 'order' | 'refund' | 'task' | 'points' | 'feedback';
  text: string;
}

async function customerTasks(customerId: string): Promise<Task[]> {
  const lists = await Promise.all((['open', 'done'] as const).map((status) => api<{ items: Task[] }>('GET', `/v1/tasks?status=${status}&limit=500`)));
  return lists.flatMap((list) => list.items).filter((task) => task.customerId === customerId);
}

async function loadCustomer(customerId: string): Promise<{ customer: Customer; loyalty: Loyalty | undefined; tasks: Task[] }> {
  const path = encodeURIComponent(customerId);
  const [customer, loyalty, tasks] = await Promise.all([
    api<Customer>('GET', `/v1/customers/${path}`),
    api<Loyalty>('GET', `/v1/loyalty/${path}`).catch((error: unknown) => {
      if (error instanceof ApiError && error.status === 404) return undefined;
      throw error;
    }),
    customerTasks(customerId),
  ]);
  return { customer, loyalty, tasks };
}

export function timeline({ customer, loyalty, tasks }: { customer: Customer; loyalty: Loyalty | undefined; tasks: Task[] }): Event[] {
  const events: Event[] = [
    ...customer.orders.map((order) => ({
      at: order.placedAt,
      kind: 'order' as const,
      text: `Order ${order.orderId}: ${money(order.totalMinor, order.currency)}, ${order.items.map((item) => `${item.quantity} × ${item.name ?? item.sku}`).join(', ')}`,
    })),
    ...customer.orders
      .filter((order) => order.refundedMinor > 0)
      .map((order) => ({ at: order.placedAt, kind: 'refund' as const, text: `Order ${order.orderId}: ${money(order.refundedMinor, order.currency)} refunded` })),
    ...tasks.map((task) => ({
      at: task.createdAt,
      kind: 'task' as const,
      text: `${task.subject} (${task.status === 'done' ? `done: ${task.outcome ?? ''}${task.churnReason ? `, reason ${task.churnReason}` : ''}` : `open, due ${dateTime(task.dueAt)}`})`,
    })),
    ...(loyalty?.entries ?? []).map((entry) => ({ at: entry.at, kind: 'points' as const, text: `${entry.points > 0 ? '+' : ''}${entry.points} points: ${entry.reason}` })),
    ...customer.feedback.map((answer) => ({ at: answer.at, kind: 'feedback' as const, text: `Rated ${answer.score} of 10${answer.comment ? `: “${answer.comment}”` : ''}` })),
  ];
  return events.sort((a, b) => b.at.localeCompare(a.at));
}

export function CustomersPage(props: { customerId: string | undefined }) {
  const [query, setQuery] = useState(props.customerId ?? '');
  return (
    <>
      <h1>Customers</h1>
      <form
        role="search"
        class="search"
        onSubmit={(event) => {
          event.preventDefault();
          if (query.trim()) location.hash = `#/customers/${encodeURIComponent(query.trim())}`;
        }}
      >
        <label for="customer-search">Customer id</label>
        <input id="customer-search" type="search" value={query} onInput={(event) => setQuery(event.currentTarget.value)} />
        <button type="submit">Open</button>
      </form>
      {props.customerId && <CustomerView customerId={props.customerId} />}
    </>
  );
}

function CustomerView({ customerId }: { customerId: string }) {
  const [loaded] = useLoad(() => loadCustomer(customerId), [customerId]);
  if (loaded.state !== 'ready') return <Status loaded={loaded} />;
  const { customer, loyalty } = loaded.value;
  const { profile, predictions } = customer;
  return (
    <>
      <h2>{profile.name ?? profile.customerId}</h2>
      <dl class="facts">
        <dt>Customer id</dt>
        <dd>{profile.customerId}</dd>
        <dt>Email</dt>
        <dd>{profile.email ?? '—'}</dd>
        <dt>Phone</dt>
        <dd>{profile.phone ?? '—'}</dd>
        <dt>Orders</dt>
        <dd data-field="orderCount">{profile.orderCount}</dd>
        <dt>Net revenue</dt>
        <dd>{money(profile.netRevenueMinor, profile.currency)}</dd>
        <dt>First and last order</dt>
        <dd>
          {profile.firstOrderAt.slice(0, 10)} – {profile.lastOrderAt.slice(0, 10)}
        </dd>
        <dt>Consent</dt>
        <dd>
          email {profile.consent.email ? 'yes' : 'no'}, SMS {profile.consent.sms ? 'yes' : 'no'}
          {Object.entries(profile.optOuts).map(([channel, optOut]) => ` · opted out of ${channel} on ${dateTime(optOut.at)} (${optOut.via})`)}
        </dd>
        <dt>Loyalty</dt>
        <dd data-field="loyalty">
          {loyalty ? `${loyalty.tier.name}, ${loyalty.balance} points${loyalty.next ? ` (${loyalty.next.percent}% of the way to ${loyalty.next.name})` : ''}` : 'no account'}
        </dd>
        <dt>Predictions</dt>
        <dd>
          {predictions.available === false
            ? predictions.reason
            : `P(alive) ${percent(predictions.pAlive)}, ${decimal(predictions.expectedPurchases90d)} orders expected in 90 days, CLV ${predictions.predictedClv === null ? '—' : money(predictions.predictedClv, predictions.currency)}${predictions.expectedNextOrderAt ? `, next order by ${predictions.expectedNextOrderAt.slice(0, 10)}` : ''}`}
        </dd>
      </dl>
      <h3>Timeline</h3>
      <ol class="timeline">
        {timeline(loaded.value).map((event, index) => (
          <li key={index} class={event.kind}>
            <time dateTime={event.at}>{dateTime(event.at)}</time> <span class="kind">{event.kind}</span> {event.text}
          </li>
        ))}
      </ol>
    </>
  );
}
