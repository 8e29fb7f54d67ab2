import { useState, type FormEvent } from 'react';
import { ErrorBox, JsonView, useLoad } from '../components/ui';
import { when } from '../lib/format';
import { unwrap, type Session } from '../lib/session';

interface AuditFilters {
  customer_id: string;
  action: string;
  actor_type: string;
}

const ACTORS = ['', 'customer', 'admin', 'worker', 'coordinator', 'system'];

/** The audit log with filters and cursor pages. */
export function AdminAuditPage({ session }: { session: Session }) {
  const [draft, setDraft] = useState<AuditFilters>({ customer_id: '', action: '', actor_type: '' });
  const [filters, setFilters] = useState(draft);
  const [cursors, setCursors] = useState<Array<string | undefined>>([undefined]);
  const cursor = cursors[cursors.length - 1];
  const page = useLoad(
    () =>
      unwrap(
        session.client.api.GET('/v1/admin/audit-events', {
          params: {
            query: {
              limit: 50,
              cursor,
              customer_id: filters.customer_id || undefined,
              action: filters.action || undefined,
              actor_type: (filters.actor_type || undefined) as never,
            },
          },
        }),
      ),
    [session, filters, cursor],
  );
  const apply = (event: FormEvent) => {
    event.preventDefault();
    setFilters(draft);
    setCursors([undefined]);
  };
  const next = page.data?.next_cursor ?? null;
  return (
    <main id="main">
      <h1>Audit log</h1>
      <form className="filters" onSubmit={apply} aria-label="Filters">
        <label>
          Customer id
          <input value={draft.customer_id} onChange={(e) => setDraft({ ...draft, customer_id: e.target.value })} />
        </label>
        <label>
          Action
          <input value={draft.action} onChange={(e) => setDraft({ ...draft, action: e.target.value })} placeholder="workload.cancelled" />
        </label>
        <label>
          Actor
          <select value={draft.actor_type} onChange={(e) => setDraft({ ...draft, actor_type: e.target.value })}>
            {ACTORS.map((a) => (
              <option key={a} value={a}>
                {a || 'any'}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" className="primary">
          Apply filters
        </button>
      </form>
      <ErrorBox error={page.error} />
      <div className="table-wrap">
        <table>
          <caption className="sr-only">Audit events, newest first</caption>
          <thead>
            <tr>
              <th scope="col">Time</th>
              <th scope="col">Action</th>
              <th scope="col">Actor</th>
              <th scope="col">Customer</th>
              <th scope="col">Workload</th>
              <th scope="col">Change</th>
            </tr>
          </thead>
          <tbody>
            {(page.data?.items ?? []).map((e) => (
              <tr key={e.id}>
                <td>{when(e.occurred_at)}</td>
                <td>{e.action}</td>
                <td>
                  {e.actor_type}
                  {e.actor_id ? ` ${e.actor_id}` : ''}
                </td>
                <td className="mono">{e.customer_id ?? '—'}</td>
                <td className="mono">{e.workload_id ?? '—'}</td>
                <td>
                  <JsonView value={e.after ?? e.details} label={`Change of event ${e.id}`} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <nav className="pager" aria-label="Pages of audit events">
        <button type="button" disabled={cursors.length === 1} onClick={() => setCursors(cursors.slice(0, -1))}>
          Newer
        </button>
        <span>Page {cursors.length}</span>
        <button type="button" disabled={!next} onClick={() => next && setCursors([...cursors, next])}>
          Older
        </button>
      </nav>
    </main>
  );
}
