import { describeError, type Checkpoint, type StreamMessage, type Workload, type WorkloadEvent, type WorkloadPage } from '@niyanta/sdk';
import { useCallback, useEffect, useState } from 'react';
import { Card, ConfirmButton, ErrorBox, JsonView, Progress, StatusBadge, useLoad } from '../components/ui';
import { pendingReasonText, when } from '../lib/format';
import { useLatestRead } from '../lib/latest';
import { useWorkloadStream } from '../lib/live';
import type { Session } from '../lib/session';

const CANCELLABLE = ['PENDING', 'SCHEDULED', 'RUNNING', 'PAUSING', 'PAUSED'];
const PAUSABLE = ['PENDING', 'SCHEDULED', 'RUNNING'];

function TagList({ tags }: { tags: Record<string, string> }) {
  const entries = Object.entries(tags);
  if (entries.length === 0) return <span className="muted">none</span>;
  return <>{entries.map(([k, v]) => `${k}=${v}`).join(', ')}</>;
}

/** Links to workloads by id, or `none`. */
function WorkloadLinks({ ids, label }: { ids: string[]; label: string }) {
  if (ids.length === 0) return <span className="muted">none</span>;
  return (
    <ul className="plain" aria-label={label}>
      {ids.map((id) => (
        <li key={id}>
          <a href={`#/workloads/${id}`} className="mono">
            {id}
          </a>
        </li>
      ))}
    </ul>
  );
}

const DEPENDENTS_SHOWN = 25;

/** One workload: live status and progress, timeline, checkpoints, input/output and its controls. */
export function WorkloadDetailPage({ session, id }: { session: Session; id: string }) {
  const [workload, setWorkload] = useState<Workload | null>(null);
  const [events, setEvents] = useState<WorkloadEvent[]>([]);
  const [checkpoints, setCheckpoints] = useState<Checkpoint[]>([]);
  // Dependents change only when a child is submitted, not with this workload's own updates: read on
  // their own clock rather than with every stream update.
  const dependents = useLoad<WorkloadPage>(() => session.client.dependents(id, { limit: DEPENDENTS_SHOWN }), [session, id], 10_000);
  const [error, setError] = useState<string | null>(null);
  const [actionError, setActionError] = useState<string | null>(null);

  // Every stream update starts a read; only the latest may set the page, or an older answer
  // (PENDING) would stick after a newer one (RUNNING) with no further update to correct it.
  const reads = useLatestRead();
  const load = useCallback(
    () =>
      reads.run(() => Promise.all([session.client.get(id), session.client.events(id), session.client.checkpoints(id)]), {
        value: ([w, e, c]) => {
          setWorkload(w);
          setEvents(e);
          setCheckpoints(c);
          setError(null);
        },
        error: (e) => setError(describeError(e)),
      }),
    [reads, session, id],
  );

  useEffect(() => {
    void load();
  }, [load]);

  const onMessage = useCallback(
    (message: StreamMessage) => {
      const updates = message.type === 'snapshot' ? message.workloads : [message.workload];
      const update = updates.find((u) => u.id === id);
      if (update) {
        setWorkload((current) => (current ? { ...current, status: update.status, progress: update.progress, attempt: update.attempt, worker_id: update.worker_id } : current));
      }
      // Timeline, checkpoints and output come from the full reads. Every snapshot reads again too
      // (the workload is absent from it once finished): the first read may predate the subscription,
      // and a workload that changed before it sends no update to catch up.
      if (update || message.type === 'snapshot') void load();
    },
    [id, load],
  );
  const live = useWorkloadStream(session.key, { ids: [id] }, onMessage);

  const act = (what: 'cancel' | 'pause' | 'resume') => async () => {
    setActionError(null);
    try {
      setWorkload(await session.client[what](id));
      void load();
    } catch (e) {
      setActionError(`Could not ${what}: ${describeError(e)}`);
    }
  };

  if (!workload) {
    return (
      <main id="main">
        <h1>Workload</h1>
        <ErrorBox error={error} />
        {!error ? <p aria-busy="true">Loading…</p> : null}
      </main>
    );
  }
  const status = workload.status;
  return (
    <main id="main">
      <p>
        <a href="#/workloads">← Workloads</a>
      </p>
      <h1>
        Workload <span className="mono">{workload.id}</span>
      </h1>
      <div className="summary-line">
        <span data-testid="workload-status">
          <StatusBadge status={status} />
        </span>
        <Progress value={workload.progress} label="Progress" />
        <span className="muted">{workload.progress_message ?? ''}</span>
        <span className="muted">stream: {live}</span>
      </div>
      <div className="actions">
        <ConfirmButton label="Cancel" danger disabled={!CANCELLABLE.includes(status)} question="Cancel this workload? It stops at once and cannot be resumed." onConfirm={act('cancel')} />
        <ConfirmButton label="Pause" disabled={!PAUSABLE.includes(status)} question="Pause this workload? It checkpoints and stops until resumed." onConfirm={act('pause')} />
        <ConfirmButton label="Resume" disabled={status !== 'PAUSED'} question="Resume this workload from its last checkpoint?" onConfirm={act('resume')} />
      </div>
      <ErrorBox error={actionError} />
      <ErrorBox error={error} />
      <div className="grid">
        <Card title="Details">
          <dl>
            <dt>Type</dt>
            <dd>{workload.workload_type}</dd>
            <dt>Priority</dt>
            <dd>{workload.priority}</dd>
            {status === 'PENDING' ? (
              <>
                <dt>Why it waits</dt>
                <dd data-testid="pending-reason">{pendingReasonText(workload.pending_reason)}</dd>
              </>
            ) : null}
            <dt>Attempt</dt>
            <dd>
              {workload.attempt} (failures {workload.failure_count} of {workload.max_retries} retries)
            </dd>
            <dt>Worker</dt>
            <dd>{workload.worker_id ?? '—'}</dd>
            <dt>Region</dt>
            <dd>{workload.region ?? 'any'}</dd>
            <dt>Created</dt>
            <dd>{when(workload.created_at)}</dd>
            <dt>Started</dt>
            <dd>{when(workload.started_at)}</dd>
            <dt>Finished</dt>
            <dd>{when(workload.completed_at)}</dd>
            {workload.error ? (
              <>
                <dt>Error</dt>
                <dd>
                  {workload.error.code}: {workload.error.message}
                </dd>
              </>
            ) : null}
          </dl>
        </Card>
        <Card title="Affinity">
          <dl>
            <dt>Required</dt>
            <dd>
              <TagList tags={workload.affinity.required} />
            </dd>
            <dt>Preferred</dt>
            <dd>
              <TagList tags={workload.affinity.preferred} />
            </dd>
            <dt>Never on</dt>
            <dd>
              <TagList tags={workload.affinity.anti} />
            </dd>
          </dl>
        </Card>
        <Card title="Dependencies">
          <dl>
            <dt>Waits for</dt>
            <dd>
              <WorkloadLinks ids={workload.depends_on ?? []} label="Workloads it depends on" />
            </dd>
            <dt>Dependents</dt>
            <dd>
              <WorkloadLinks ids={(dependents.data?.items ?? []).map((d) => d.id)} label="Workloads that depend on it" />
              {dependents.data?.next_cursor ? <span className="muted">(the first {DEPENDENTS_SHOWN} shown)</span> : null}
              <ErrorBox error={dependents.error} />
            </dd>
            <dt>Created by schedule</dt>
            <dd>
              {workload.schedule_id ? (
                <a href={`#/schedules/${workload.schedule_id}`} className="mono">
                  {workload.schedule_id}
                </a>
              ) : (
                <span className="muted">no</span>
              )}
            </dd>
          </dl>
        </Card>
        <Card title="Timeline" wide>
          <ol className="timeline">
            {[...events].reverse().map((event) => (
              <li key={event.id}>
                <time dateTime={event.occurred_at}>{when(event.occurred_at)}</time> <strong>{event.action.replace(/^workload\./, '')}</strong>{' '}
                <span className="muted">
                  by {event.actor_type}
                  {event.actor_id ? ` ${event.actor_id}` : ''}
                </span>
              </li>
            ))}
          </ol>
        </Card>
        <Card title="Checkpoints" wide>
          {checkpoints.length === 0 ? (
            <p className="muted">None yet.</p>
          ) : (
            <div className="table-wrap">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Sequence</th>
                    <th scope="col">Attempt</th>
                    <th scope="col">Size</th>
                    <th scope="col">Stored</th>
                    <th scope="col">Time</th>
                  </tr>
                </thead>
                <tbody>
                  {checkpoints.map((c) => (
                    <tr key={c.id}>
                      <td>{c.sequence}</td>
                      <td>{c.attempt}</td>
                      <td>{c.size_bytes} B</td>
                      <td>
                        {c.stored_bytes} B ({c.storage})
                      </td>
                      <td>{when(c.created_at)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </Card>
        <Card title="Input">
          <JsonView value={workload.input} label="Input JSON" />
        </Card>
        <Card title="Output">
          <JsonView value={workload.output} label="Output JSON" />
        </Card>
      </div>
    </main>
  );
}
