import { describeError, type ListWorkloadsQuery, type StreamMessage, type WorkloadListItem, type WorkloadStatus } from '@niyanta/sdk';
import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import { ErrorBox, Progress, StatusBadge } from '../components/ui';
import { when } from '../lib/format';
import { useLatestRead } from '../lib/latest';
import { useWorkloadStream } from '../lib/live';
import type { Session } from '../lib/session';

const STATUSES: WorkloadStatus[] = ['PENDING', 'SCHEDULED', 'RUNNING', 'PAUSING', 'PAUSED', 'COMPLETED', 'FAILED', 'CANCELLED'];
const PAGE_SIZE = 25;

interface Filters {
  status: string;
  type: string;
  label: string;
  after: string;
  before: string;
}

const NO_FILTERS: Filters = { status: '', type: '', label: '', after: '', before: '' };

function toQuery(filters: Filters, cursor: string | undefined): ListWorkloadsQuery {
  return {
    limit: PAGE_SIZE,
    cursor,
    status: filters.status ? [filters.status as WorkloadStatus] : undefined,
    workload_type: filters.type || undefined,
    label: filters.label ? [filters.label] : undefined,
    created_after: filters.after ? new Date(filters.after).toISOString() : undefined,
    created_before: filters.before ? new Date(filters.before).toISOString() : undefined,
  };
}

/** The caller's workloads: filters, cursor pages, and rows that follow the live stream. */
export function WorkloadsPage({ session }: { session: Session }) {
  const [draft, setDraft] = useState<Filters>(NO_FILTERS);
  const [filters, setFilters] = useState<Filters>(NO_FILTERS);
  // Cursors of the pages before the current one (the first page has none).
  const [cursors, setCursors] = useState<Array<string | undefined>>([undefined]);
  const [rows, setRows] = useState<WorkloadListItem[]>([]);
  const [next, setNext] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loaded, setLoaded] = useState(false);
  const cursor = cursors[cursors.length - 1];
  // Ids of the rows shown, read when a stream update arrives (state updaters run too late to tell).
  const shown = useRef<ReadonlySet<string>>(new Set());
  // Whether an update came for a workload the first page has not shown since its last load: it may belong at its top.
  const [unseen, setUnseen] = useState(false);

  // Only the latest request may set the rows: an older answer (other filters, other page) arriving late is dropped.
  const reads = useLatestRead();
  const load = useCallback(
    () =>
      reads.run(() => session.client.list(toQuery(filters, cursor)), {
        value: (page) => {
          shown.current = new Set(page.items.map((item) => item.id));
          setRows(page.items);
          setNext(page.next_cursor ?? null);
          setError(null);
        },
        error: (e) => setError(describeError(e)),
        settled: () => setLoaded(true),
      }),
    [reads, session, filters, cursor],
  );

  useEffect(() => {
    void load();
  }, [load]);

  // Reloads the first page 200 ms after the first update for an unseen workload. Updates arriving
  // meanwhile do not postpone it (a steady stream of submissions still shows within 200 ms), and the
  // next update after the reload starts the next 200 ms. The timer belongs to this page and these
  // filters: moving to another page clears it, so a reload of the first page can never replace the
  // rows of the page now shown.
  useEffect(() => {
    if (!unseen) return undefined;
    const timer = window.setTimeout(() => {
      setUnseen(false);
      void load();
    }, 200);
    return () => window.clearTimeout(timer);
  }, [unseen, load]);

  const onMessage = useCallback(
    (message: StreamMessage) => {
      if (message.type !== 'update') return;
      const update = message.workload;
      if (shown.current.has(update.id)) {
        setRows((current) =>
          current.map((row) =>
            row.id === update.id
              ? { ...row, status: update.status, progress: update.progress, attempt: update.attempt, worker_id: update.worker_id, updated_at: update.updated_at }
              : row,
          ),
        );
      } else if (cursors.length === 1) {
        setUnseen(true);
      }
    },
    [cursors.length],
  );
  /** Moves to another page or other filters; pending reloads of the page left behind are dropped. */
  const show = (nextFilters: Filters, nextCursors: Array<string | undefined>) => {
    setFilters(nextFilters);
    setCursors(nextCursors);
    setUnseen(false);
  };
  const live = useWorkloadStream(session.key, {}, onMessage);

  const apply = (event: FormEvent) => {
    event.preventDefault();
    show(draft, [undefined]);
  };

  return (
    <main id="main">
      <h1>Workloads</h1>
      <p className="muted" aria-live="polite">
        Stream: {live}
      </p>
      <form className="filters" onSubmit={apply} aria-label="Filters">
        <label>
          Status
          <select value={draft.status} onChange={(e) => setDraft({ ...draft, status: e.target.value })}>
            <option value="">any</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        <label>
          Type
          <input value={draft.type} onChange={(e) => setDraft({ ...draft, type: e.target.value })} placeholder="sleep" />
        </label>
        <label>
          Label
          <input value={draft.label} onChange={(e) => setDraft({ ...draft, label: e.target.value })} placeholder="team:search" />
        </label>
        <label>
          Created after
          <input type="datetime-local" value={draft.after} onChange={(e) => setDraft({ ...draft, after: e.target.value })} />
        </label>
        <label>
          Created before
          <input type="datetime-local" value={draft.before} onChange={(e) => setDraft({ ...draft, before: e.target.value })} />
        </label>
        <button type="submit" className="primary">
          Apply filters
        </button>
      </form>
      <ErrorBox error={error} />
      <div className="table-wrap">
        <table>
          <caption className="sr-only">Workloads, newest first</caption>
          <thead>
            <tr>
              <th scope="col">Id</th>
              <th scope="col">Type</th>
              <th scope="col">Status</th>
              <th scope="col">Progress</th>
              <th scope="col">Attempt</th>
              <th scope="col">Created</th>
              <th scope="col">Labels</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={row.id} data-workload-id={row.id}>
                <td>
                  <a href={`#/workloads/${row.id}`} className="mono">
                    {row.id}
                  </a>
                </td>
                <td>{row.workload_type}</td>
                <td>
                  <StatusBadge status={row.status} />
                </td>
                <td>
                  <Progress value={row.progress} label={`Progress of ${row.id}`} />
                </td>
                <td>{row.attempt}</td>
                <td>{when(row.created_at)}</td>
                <td>
                  {Object.entries(row.labels ?? {})
                    .map(([k, v]) => `${k}:${v}`)
                    .join(', ')}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {loaded && rows.length === 0 ? <p className="muted">No workloads match.</p> : null}
      </div>
      <nav className="pager" aria-label="Pages of workloads">
        <button type="button" disabled={cursors.length === 1} onClick={() => show(filters, cursors.slice(0, -1))}>
          Newer
        </button>
        <span>Page {cursors.length}</span>
        <button type="button" disabled={!next} onClick={() => next && show(filters, [...cursors, next])}>
          Older
        </button>
      </nav>
    </main>
  );
}
