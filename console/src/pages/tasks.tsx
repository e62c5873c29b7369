/** The manager's inbox: open calls (all, due today, overdue), completing one, and what the done ones said. */
import { useState } from 'preact/hooks';
import { api, ApiError, type Task, type TaskChoices, type TaskPage } from '../api.ts';
import { dateTime, money } from '../format.ts';
import { Status, useLoad } from '../load.tsx';


const views = [
  { key: 'open', title: 'Open' },
  { key: 'today', title: 'Due today' },
  { key: 'overdue', title: 'Overdue' },
  { key: 'done', title: 'Done' },
] as const;
type View = (typeof views)[number]['key'];

/** Every task of a status, and the store's lists a task is completed from (they come with every page). */
async function allTasks(status: 'open' | 'done'): Promise<{ tasks: Task[]; choices: TaskChoices }> {
  const tasks: Task[] = [];
  let cursor: string | undefined;
  let choices: TaskChoices;
  do {
    const page = await api<TaskPage>('GET', `/v1/tasks?status=${status}&limit=500${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    tasks.push(...page.items);
    choices = page.choices;
    cursor = page.cursor;
  } while (cursor);
  return { tasks, choices };
}

function shown(tasks: Task[], view: View, now: Date): Task[] {
  const today = now.toISOString().slice(0, 10);
  if (view === 'today') return tasks.filter((task) => task.dueAt.slice(0, 10) === today);
  if (view === 'overdue') return tasks.filter((task) => task.dueAt < now.toISOString() && task.dueAt.slice(0, 10) !== today);
  return tasks;
}

export function TasksPage() {
  const [view, setView] = useState<View>('open');
  const [tasks, reload] = useLoad(() => allTasks(view === 'done' ? 'done' : 'open'), [view === 'done']);
  const list = tasks.state === 'ready' ? shown(tasks.value.tasks, view, new Date()) : [];
  return (
    <>
      <h1>Tasks</h1>
      <div class="tabs" role="group" aria-label="Which tasks">
        {views.map((candidate) => (
          <button key={candidate.key} type="button" aria-pressed={candidate.key === view} onClick={() => setView(candidate.key)}>
            {candidate.title}
          </button>
        ))}
      </div>
      <Status loaded={tasks} />
      {tasks.state === 'ready' && view === 'done' && <Report tasks={tasks.value.tasks} choices={tasks.value.choices} />}
      {tasks.state === 'ready' && list.length === 0 && <p>No tasks here.</p>}
      <ul class="tasks">
        {list.map((task) => (
          <li key={task.id}>
            <TaskCard task={task} choices={tasks.state === 'ready' ? tasks.value.choices : { outcomes: [], churnReasons: [] }} onDone={reload} />
          </li>
        ))}
      </ul>
    </>
  );
}

/** How the done calls ended and why the lost customers left: every choice of the store's lists, most given first. */
function Report({ tasks, choices }: { tasks: Task[]; choices: TaskChoices }) {
  const count = (values: (string | undefined)[], listed: readonly string[]) =>
    Object.entries(values.reduce<Record<string, number>>((counts, value) => (value ? { ...counts, [value]: (counts[value] ?? 0) + 1 } : counts), Object.fromEntries(listed.map((value) => [value, 0])))).sort(
      ([, a], [, b]) => b - a,
    );
  return (
    <section aria-labelledby="report" class="report">
      <h2 id="report">Outcomes and churn reasons</h2>
      <div class="columns">
        {[
          ['Outcome', count(tasks.map((task) => task.outcome), choices.outcomes)],
          ['Churn reason', count(tasks.map((task) => task.churnReason), choices.churnReasons)],
        ].map(([title, rows]) => (
          <table key={title as string}>
            <thead>
              <tr>
                <th scope="col">{title as string}</th>
                <th scope="col">Tasks</th>
              </tr>
            </thead>
            <tbody>
              {(rows as [string, number][]).map(([value, times]) => (
                <tr key={value}>
                  <td>{value}</td>
                  <td>{times}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ))}
      </div>
    </section>
  );
}

function TaskCard({ task, choices, onDone }: { task: Task; choices: TaskChoices; onDone: () => void }) {
  const [outcome, setOutcome] = useState('');
  const [churnReason, setChurnReason] = useState('');
  const [note, setNote] = useState('');
  const [error, setError] = useState('');
  const glance = task.historyAtAGlance;
  const fieldId = (name: string) => `${name}-${task.id}`;
  const complete = async (event: Event) => {
    event.preventDefault();
    setError('');
    try {
      await api('POST', `/v1/tasks/${encodeURIComponent(task.id)}/complete`, {
        outcome,
        ...(churnReason ? { churnReason } : {}),
        ...(note.trim() ? { note: note.trim() } : {}),
      });
      onDone();
    } catch (failure) {
      setError(failure instanceof ApiError ? `${failure.title}: ${failure.detail}` : (failure as Error).message);
    }
  };
  return (
    <article class="card task" aria-labelledby={fieldId('subject')}>
      <h2 id={fieldId('subject')}>{task.subject}</h2>
      <p>
        <a href={`#/customers/${encodeURIComponent(task.customerId)}`}>{task.customerId}</a> · {task.journey} · due {dateTime(task.dueAt)}
      </p>
      <p>
        {glance.orderCount} order{glance.orderCount === 1 ? '' : 's'}, last {glance.lastOrderAt.slice(0, 10)}, {money(glance.netRevenueMinor, glance.currency)} net
      </p>
      <details>
        <summary>What to say</summary>
        <p class="pre">{task.text}</p>
      </details>
      {task.status === 'done' ? (
        <p>
          Done: {task.outcome}
          {task.churnReason ? ` (reason: ${task.churnReason})` : ''}
          {task.note ? `. ${task.note}` : ''}
        </p>
      ) : (
        <form onSubmit={complete} class="complete">
          <label for={fieldId('outcome')}>Outcome</label>
          <select id={fieldId('outcome')} required value={outcome} onChange={(event) => setOutcome(event.currentTarget.value)}>
            <option value="">Choose…</option>
            {choices.outcomes.map((value) => (
              <option key={value}>{value}</option>
            ))}
          </select>
          <label for={fieldId('reason')}>Why they stopped buying{task.journey === 'win-back' ? '' : ' (optional)'}</label>
          <select id={fieldId('reason')} required={task.journey === 'win-back'} value={churnReason} onChange={(event) => setChurnReason(event.currentTarget.value)}>
            <option value="">Choose…</option>
            {choices.churnReasons.map((value) => (
              <option key={value}>{value}</option>
            ))}
          </select>
          <label for={fieldId('note')}>Note (optional)</label>
          <textarea id={fieldId('note')} rows={2} value={note} onInput={(event) => setNote(event.currentTarget.value)} />
          <button type="submit">Complete task</button>
          {error && (
            <p role="alert" class="error">
              {error}
            </p>
          )}
        </form>
      )}
    </article>
  );
}
