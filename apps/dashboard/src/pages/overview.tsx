import type { AnalyticsSummary, StreamMessage, WorkloadListItem, WorkloadUpdate } from '@niyanta/sdk';
import { useCallback, useState } from 'react';
import { BarChart, Card, ErrorBox, useLoad, useTicker } from '../components/ui';
import { age } from '../lib/format';
import { applyMessage, useWorkloadStream } from '../lib/live';
import { unwrap, type Session } from '../lib/session';

const STATUSES = ['PENDING', 'SCHEDULED', 'RUNNING', 'PAUSING', 'PAUSED', 'COMPLETED', 'FAILED', 'CANCELLED'];
/** Most queued workloads read to find the queue depth and the oldest wait. */
const QUEUE_SCAN = 2000;

function minuteLabel(iso: string): string {
  return new Date(iso).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
}

/** The last hour, per minute, from the analytics API (customer or operator routes). */
function useLastHour(session: Session) {
  return useLoad<AnalyticsSummary>(
    () => {
      const query = { bucket: 'minute' as const, from: new Date(Date.now() - 3_600_000).toISOString() };
      return session.role === 'admin'
        ? unwrap(session.client.api.GET('/v1/admin/analytics/summary', { params: { query } }))
        : unwrap(session.client.api.GET('/v1/analytics/summary', { params: { query } }));
    },
    [session],
    10_000,
  );
}

const MINUTE = 60_000;

function Charts({ summary }: { summary: AnalyticsSummary | null }) {
  // One slot per minute of the hour, empty minutes included, so bars keep their place in time.
  const end = Math.floor(Date.now() / MINUTE) * MINUTE;
  const slots = Array.from({ length: 60 }, (_, i) => end - (59 - i) * MINUTE);
  const byMinute = new Map((summary?.items ?? []).map((item) => [new Date(item.bucket_start).getTime(), item]));
  const at = (t: number) => byMinute.get(t);
  const labels = slots.map((t) => minuteLabel(new Date(t).toISOString()));
  return (
    <>
      <Card title="Throughput (last hour, per minute)" wide>
        <BarChart
          title="Throughput"
          unit="workloads"
          labels={labels}
          series={[
            { label: 'submitted', className: 's-submitted', values: slots.map((t) => at(t)?.submitted ?? 0) },
            { label: 'completed', className: 's-completed', values: slots.map((t) => at(t)?.completed ?? 0) },
            { label: 'failed', className: 's-failed', values: slots.map((t) => at(t)?.failed ?? 0) },
          ]}
        />
      </Card>
      <Card title="Wait time, submitted → running (ms)" wide>
        <BarChart
          title="Wait time"
          unit="ms"
          labels={labels}
          series={[
            { label: 'p50', className: 's-p50', values: slots.map((t) => at(t)?.wait_ms.p50 ?? 0) },
            { label: 'p95', className: 's-p95', values: slots.map((t) => at(t)?.wait_ms.p95 ?? 0) },
          ]}
        />
      </Card>
    </>
  );
}

/** Live counts, charts, queue depth and oldest wait of the caller's workloads. */
function CustomerOverview({ session }: { session: Session }) {
  const [workloads, setWorkloads] = useState<Map<string, WorkloadUpdate>>(new Map());
  const [truncated, setTruncated] = useState(false);
  const onMessage = useCallback((message: StreamMessage) => {
    if (message.type === 'snapshot') setTruncated(message.truncated);
    setWorkloads((current) => applyMessage(current, message));
  }, []);
  // Every status: the opening snapshot then holds the newest workloads, finished ones included.
  const live = useWorkloadStream(session.key, { statuses: STATUSES }, onMessage);
  const summary = useLastHour(session);
  const queue = useLoad<WorkloadListItem[]>(
    async () => {
      const pending: WorkloadListItem[] = [];
      for await (const w of session.client.listAll({ status: ['PENDING'], limit: 500 })) {
        pending.push(w);
        if (pending.length >= QUEUE_SCAN) break;
      }
      return pending;
    },
    [session],
    5_000,
  );
  const now = useTicker(1000);
  const counts = STATUSES.map((s) => [s, [...workloads.values()].filter((w) => w.status === s).length] as const);
  const byType = new Map<string, number>();
  for (const w of queue.data ?? []) byType.set(w.workload_type, (byType.get(w.workload_type) ?? 0) + 1);
  const oldest = (queue.data ?? []).reduce<string | null>((min, w) => (min === null || w.created_at < min ? w.created_at : min), null);

  return (
    <main id="main">
      <h1>Overview</h1>
      <ErrorBox error={summary.error ?? queue.error} />
      <div className="grid">
        <Card title="Workloads by status (live)">
          <ul className="counts" aria-live="polite">
            {counts.map(([status, n]) => (
              <li key={status} data-status={status}>
                <span className={`badge badge-${status.toLowerCase()}`}>{status}</span> <strong>{n}</strong>
              </li>
            ))}
          </ul>
          <p className="muted">
            Stream {live}
            {truncated ? '; counts cover your newest 1,000 workloads and what happened since' : ''}.
          </p>
        </Card>
        <Card title="Queue">
          <dl>
            <dt>Queued (PENDING)</dt>
            <dd>
              {queue.data?.length ?? '…'}
              {(queue.data?.length ?? 0) >= QUEUE_SCAN ? '+' : ''}
            </dd>
            <dt>Oldest wait</dt>
            <dd>{oldest ? age(oldest, now) : 'nothing queued'}</dd>
          </dl>
          <table>
            <caption>Queue depth by type</caption>
            <thead>
              <tr>
                <th scope="col">Type</th>
                <th scope="col">Queued</th>
              </tr>
            </thead>
            <tbody>
              {[...byType.entries()].map(([type, n]) => (
                <tr key={type}>
                  <td>{type}</td>
                  <td>{n}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </Card>
        <Charts summary={summary.data} />
      </div>
    </main>
  );
}

/** The operator's view: every customer's throughput and latency, and the last hour by tier and type. */
function AdminOverview({ session }: { session: Session }) {
  const summary = useLastHour(session);
  const split = useLoad<AnalyticsSummary>(
    () =>
      unwrap(
        session.client.api.GET('/v1/admin/analytics/summary', {
          params: { query: { bucket: 'hour', from: new Date(Date.now() - 3_600_000).toISOString(), group_by: ['tier', 'workload_type'] } },
        }),
      ),
    [session],
    10_000,
  );
  const rows = new Map<string, { tier: string; type: string; submitted: number; finished: number }>();
  for (const item of split.data?.items ?? []) {
    const key = `${item.tier}/${item.workload_type}`;
    const row = rows.get(key) ?? { tier: item.tier ?? '', type: item.workload_type ?? '', submitted: 0, finished: 0 };
    row.submitted += item.submitted;
    row.finished += item.completed + item.failed + item.cancelled;
    rows.set(key, row);
  }
  return (
    <main id="main">
      <h1>Overview (every customer)</h1>
      <ErrorBox error={summary.error ?? split.error} />
      <div className="grid">
        <Card title="Last hour by tier and type" wide>
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Tier</th>
                  <th scope="col">Type</th>
                  <th scope="col">Submitted</th>
                  <th scope="col">Finished</th>
                  <th scope="col">Net queued</th>
                </tr>
              </thead>
              <tbody>
                {[...rows.values()].map((row) => (
                  <tr key={`${row.tier}/${row.type}`}>
                    <td>{row.tier}</td>
                    <td>{row.type}</td>
                    <td>{row.submitted}</td>
                    <td>{row.finished}</td>
                    <td>{row.submitted - row.finished}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </Card>
        <Charts summary={summary.data} />
      </div>
    </main>
  );
}

export function OverviewPage({ session }: { session: Session }) {
  return session.role === 'admin' ? <AdminOverview session={session} /> : <CustomerOverview session={session} />;
}
