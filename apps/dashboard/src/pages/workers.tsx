import { describeError, type Worker, type WorkerAnalytics } from '@niyanta/sdk';
import { useState } from 'react';
import { Card, ConfirmButton, ErrorBox, StatusBadge, useLoad, useTicker } from '../components/ui';
import { age } from '../lib/format';
import { unwrap, type Session } from '../lib/session';

/** The fleet: status, tags, region, slots used, heartbeat age, utilization; drain for the operator. */
export function WorkersPage({ session }: { session: Session }) {
  const admin = session.role === 'admin';
  const workers = useLoad<Worker[]>(() => session.client.workers(), [session], 5_000);
  const utilization = useLoad<WorkerAnalytics>(
    () => (admin ? unwrap(session.client.api.GET('/v1/admin/analytics/workers')) : unwrap(session.client.api.GET('/v1/analytics/workers'))),
    [session],
    30_000,
  );
  const [actionError, setActionError] = useState<string | null>(null);
  const now = useTicker(1000);
  const usage = new Map((utilization.data?.workers ?? []).map((w) => [w.worker_id, w.utilization]));

  const drain = (id: string) => async () => {
    setActionError(null);
    try {
      await unwrap(session.client.api.POST('/v1/admin/workers/{id}/drain', { params: { path: { id } } }));
      workers.reload();
    } catch (e) {
      setActionError(`Could not drain ${id}: ${describeError(e)}`);
    }
  };

  return (
    <main id="main">
      <h1>Workers</h1>
      <ErrorBox error={workers.error ?? utilization.error} />
      <ErrorBox error={actionError} />
      <div className="table-wrap">
        <table>
          <caption className="sr-only">Workers</caption>
          <thead>
            <tr>
              <th scope="col">Worker</th>
              <th scope="col">Status</th>
              <th scope="col">Region</th>
              <th scope="col">Tags</th>
              <th scope="col">Slots used</th>
              <th scope="col">Utilization (24 h)</th>
              <th scope="col">Heartbeat</th>
              {admin ? <th scope="col">Actions</th> : null}
            </tr>
          </thead>
          <tbody>
            {(workers.data ?? []).map((w) => {
              const u = usage.get(w.id);
              return (
                <tr key={w.id}>
                  <td className="mono">{w.id}</td>
                  <td>
                    <StatusBadge status={w.status} />
                  </td>
                  <td>{w.region ?? '—'}</td>
                  <td>
                    {Object.entries(w.tags)
                      .map(([k, v]) => `${k}=${v}`)
                      .join(', ') || '—'}
                  </td>
                  <td>
                    {w.running_count} / {w.capacity}
                  </td>
                  <td>{u === null || u === undefined ? '—' : `${(u * 100).toFixed(1)}%`}</td>
                  <td>{age(w.last_heartbeat_at, now)} ago</td>
                  {admin ? (
                    <td>
                      <ConfirmButton
                        label="Drain"
                        disabled={w.status !== 'ACTIVE'}
                        question={`Drain ${w.id}? It stops taking work, checkpoints and hands back its workloads, then exits.`}
                        onConfirm={drain(w.id)}
                      />
                    </td>
                  ) : null}
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      <Card title="Utilization by region (24 h)">
        <ul>
          {(utilization.data?.regions ?? []).map((r) => (
            <li key={r.region ?? 'none'}>
              {r.region ?? 'no region'}: {r.utilization === null ? '—' : `${(r.utilization * 100).toFixed(1)}%`} of {r.workers} worker(s)
            </li>
          ))}
        </ul>
      </Card>
    </main>
  );
}
