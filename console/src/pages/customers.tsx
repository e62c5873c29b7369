/**
 * Finding a customer (by id, email or phone), and one customer's timeline: orders, every message with
 * its rendered preview and delivery status, tasks, points, feedback, consent, predictions.
 */
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, type Customer, type CustomerMatch, type Loyalty, type MessageEntry, type MessagePage, type Task } from '../api.ts';
import { dateTime, decimal, money, percent } from '../format.ts';
import { Status, useLoad } from '../load.tsx';

interface Event {
  at: string;
  kind: 'order' | 'refund' | 'message' | 'task' | 'points' | 'feedback';
  text: string;
  /** A message's log entry, for its preview. */
  message?: MessageEntry;
}

/** How many messages the timeline shows at first; older ones a page at a time. */
const MESSAGE_PAGE = 50;

function messagesPage(customerId: string, cursor?: string): Promise<MessagePage> {
  return api<MessagePage>('GET', `/v1/customers/${encodeURIComponent(customerId)}/messages?limit=${MESSAGE_PAGE}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
}

/** A message as the timeline says it: channel, journey step, subject, what happened to it. */
export function messageLine(message: MessageEntry): string {
  const what = message.subject ?? message.text?.split('\n')[0] ?? `${message.journey} ${message.step}`;
  const delivery = message.deliveryStatus ? `, ${message.deliveryStatus}` : '';
  const why = message.reason ? ` (${message.reason})` : '';
  return `${message.channel} · ${message.journey} / ${message.step}: ${what} — ${message.status}${delivery}${why}`;
}

async function customerTasks(customerId: string): Promise<Task[]> {
  const lists = await Promise.all((['open', 'done'] as const).map((status) => api<{ items: Task[] }>('GET', `/v1/tasks?status=${status}&limit=500`)));
  return lists.flatMap((list) => list.items).filter((task) => task.customerId === customerId);
}

async function loadCustomer(customerId: string): Promise<{ customer: Customer; loyalty: Loyalty | undefined; tasks: Task[]; messages: MessagePage }> {
  const path = encodeURIComponent(customerId);
  const [customer, loyalty, tasks, messages] = await Promise.all([
    api<Customer>('GET', `/v1/customers/${path}`),
    api<Loyalty>('GET', `/v1/loyalty/${path}`).catch((error: unknown) => {
      if (error instanceof ApiError && error.status === 404) return undefined;
      throw error;
    }),
    customerTasks(customerId),
    messagesPage(customerId),
  ]);
  return { customer, loyalty, tasks, messages };
}

export function timeline({ customer, loyalty, tasks, messages }: { customer: Customer; loyalty: Loyalty | undefined; tasks: Task[]; messages: MessageEntry[] }): Event[] {
  const events: Event[] = [
    ...customer.orders.map((order) => ({
      at: order.placedAt,
      kind: 'order' as const,
      text: `Order ${order.orderId}: ${money(order.totalMinor, order.currency)}, ${order.items.map((item) => `${item.quantity} × ${item.name ?? item.sku}`).join(', ')}`,
    })),
    ...customer.orders
      .filter((order) => order.refundedMinor > 0)
      .map((order) => ({ at: order.placedAt, kind: 'refund' as const, text: `Order ${order.orderId}: ${money(order.refundedMinor, order.currency)} refunded` })),
    ...messages.map((message) => ({ at: message.at, kind: 'message' as const, text: messageLine(message), message })),
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

/**
 * What a search box entry asks GET /v1/customers: an email when it has an @; otherwise the id, then,
 * when it looks like a phone number and no customer has that id, the phone.
 */
export async function findCustomers(entry: string): Promise<CustomerMatch[]> {
  const ask = async (field: 'id' | 'email' | 'phone') => (await api<{ items: CustomerMatch[] }>('GET', `/v1/customers?${field}=${encodeURIComponent(entry)}`)).items;
  if (entry.includes('@')) return ask('email');
  const byId = await ask('id');
  return byId.length === 0 && /^\+?[\d\s().-]{6,}$/.test(entry) ? ask('phone') : byId;
}

export function CustomersPage(props: { customerId: string | undefined }) {
  const [query, setQuery] = useState(props.customerId ?? '');
  const [found, setFound] = useState<{ entry: string; matches: CustomerMatch[] } | { entry: string; error: string } | undefined>(undefined);
  // Opening a customer (a link, the back button) puts the search results away.
  useEffect(() => setFound(undefined), [props.customerId]);
  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    const entry = query.trim();
    if (!entry) return;
    try {
      const matches = await findCustomers(entry);
      if (matches.length === 1) {
        setFound(undefined);
        location.hash = `#/customers/${encodeURIComponent(matches[0]!.customerId)}`;
      } else setFound({ entry, matches });
    } catch (failure) {
      setFound({ entry, error: failure instanceof ApiError ? failure.detail || failure.title : (failure as Error).message });
    }
  };
  return (
    <>
      <h1>Customers</h1>
      <form role="search" class="search" onSubmit={submit}>
        <label for="customer-search">Customer id, email or phone</label>
        <input id="customer-search" type="search" value={query} onInput={(event) => setQuery(event.currentTarget.value)} />
        <button type="submit">Search</button>
      </form>
      {found && 'error' in found && (
        <p role="alert" class="error">
          {found.error}
        </p>
      )}
      {found && 'matches' in found && (
        <section aria-labelledby="matches">
          <h2 id="matches">
            {found.matches.length === 0 ? `No customer found for “${found.entry}”` : `${found.matches.length} customers found for “${found.entry}”`}
          </h2>
          <ul class="matches">
            {found.matches.map((match) => (
              <li key={match.customerId}>
                <a href={`#/customers/${encodeURIComponent(match.customerId)}`}>{match.name ?? match.customerId}</a> · {match.email ?? match.phone ?? match.customerId} · {match.orderCount} order
                {match.orderCount === 1 ? '' : 's'}, last {match.lastOrderAt.slice(0, 10)}
              </li>
            ))}
          </ul>
        </section>
      )}
      {props.customerId && !found && <CustomerView customerId={props.customerId} />}
    </>
  );
}

/** A message as it was sent: the HTML in a sandboxed frame (no scripts, no links followed), or the text. */
function MessagePreview({ message }: { message: MessageEntry }) {
  if (!message.html && !message.text) return null;
  return (
    <details class="preview">
      <summary>Preview</summary>
      {message.html ? (
        <iframe title={`Preview: ${message.subject ?? message.messageId}`} sandbox="" srcdoc={message.html} referrerpolicy="no-referrer" loading="lazy" />
      ) : (
        <p class="pre">{message.text}</p>
      )}
    </details>
  );
}

function CustomerView({ customerId }: { customerId: string }) {
  const [loaded] = useLoad(() => loadCustomer(customerId), [customerId]);
  const [older, setOlder] = useState<{ items: MessageEntry[]; cursor: string | undefined } | undefined>(undefined);
  useEffect(() => setOlder(undefined), [customerId]);
  if (loaded.state !== 'ready') return <Status loaded={loaded} />;
  const { customer, loyalty } = loaded.value;
  const messages = [...loaded.value.messages.items, ...(older?.items ?? [])];
  const cursor = older ? older.cursor : loaded.value.messages.cursor;
  const showOlder = async () => {
    const page = await messagesPage(customerId, cursor);
    setOlder({ items: [...(older?.items ?? []), ...page.items], cursor: page.cursor });
  };
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
          {Object.entries(profile.optOuts).map(([channel, optOut]) => ` · opted out of ${channel} on ${dateTime(optOut.at)}${optOut.via ? ` (${optOut.via})` : ''}`)}
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
        {timeline({ ...loaded.value, messages }).map((event, index) => (
          <li key={index} class={event.kind}>
            <time dateTime={event.at}>{dateTime(event.at)}</time> <span class="kind">{event.kind}</span> {event.text}
            {event.message && <MessagePreview message={event.message} />}
          </li>
        ))}
      </ol>
      {cursor && (
        <button type="button" onClick={showOlder}>
          Show older messages
        </button>
      )}
    </>
  );
}
