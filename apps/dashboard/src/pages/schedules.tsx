import { describeError, type CreateScheduleRequest, type Schedule, type SchedulePage, type WorkloadType } from '@niyanta/sdk';
import { useState, type FormEvent } from 'react';
import { Card, ConfirmButton, ErrorBox, JsonView, StatusBadge, useLoad } from '../components/ui';
import { when } from '../lib/format';
import type { Session } from '../lib/session';

const OVERLAPS: Array<CreateScheduleRequest['overlap']> = ['skip', 'allow', 'cancel_previous'];

/** Paused schedules fire no tick: shown as a badge like any status. */
function ScheduleState({ schedule }: { schedule: Schedule }) {
  return <StatusBadge status={schedule.paused ? 'PAUSED' : 'ACTIVE'} />;
}

interface Draft {
  name: string;
  cron: string;
  timezone: string;
  workloadType: string;
  input: string;
  overlap: NonNullable<CreateScheduleRequest['overlap']>;
  paused: boolean;
}

const NEW_SCHEDULE: Draft = { name: '', cron: '0 * * * *', timezone: 'UTC', workloadType: '', input: '{}', overlap: 'skip', paused: false };

/** The form of a new schedule; the API validates it (cron, zone, workload) and its error is shown as given. */
function NewSchedule({ session, onCreated }: { session: Session; onCreated: (schedule: Schedule) => void }) {
  const types = useLoad<WorkloadType[]>(() => session.client.workloadTypes(), [session]);
  const [draft, setDraft] = useState<Draft>(NEW_SCHEDULE);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const set = (change: Partial<Draft>) => setDraft((current) => ({ ...current, ...change }));
  const workloadType = draft.workloadType || types.data?.[0]?.workload_type || '';

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    let input: Record<string, unknown>;
    try {
      const parsed: unknown = JSON.parse(draft.input);
      if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object');
      input = parsed as Record<string, unknown>;
    } catch {
      setError('Input must be a JSON object, e.g. {"duration_ms": 1000}.');
      return;
    }
    setBusy(true);
    try {
      const created = await session.client.createSchedule({
        name: draft.name,
        cron: draft.cron,
        timezone: draft.timezone,
        overlap: draft.overlap,
        paused: draft.paused,
        workload: { workload_type: workloadType, input },
      });
      setDraft(NEW_SCHEDULE);
      onCreated(created);
    } catch (e) {
      setError(`Could not create the schedule: ${describeError(e)}`);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Card title="New schedule" wide>
      <form className="filters" onSubmit={(event) => void submit(event)} aria-label="New schedule">
        <label>
          Name
          <input value={draft.name} onChange={(e) => set({ name: e.target.value })} required />
        </label>
        <label>
          Cron
          <input className="mono" value={draft.cron} onChange={(e) => set({ cron: e.target.value })} required aria-describedby="cron-help" />
        </label>
        <label>
          Time zone
          <input value={draft.timezone} onChange={(e) => set({ timezone: e.target.value })} required />
        </label>
        <label>
          Workload type
          <select value={workloadType} onChange={(e) => set({ workloadType: e.target.value })} required>
            {(types.data ?? []).map((t) => (
              <option key={t.workload_type} value={t.workload_type}>
                {t.workload_type}
              </option>
            ))}
          </select>
        </label>
        <label>
          Input (JSON)
          <textarea className="mono" rows={2} value={draft.input} onChange={(e) => set({ input: e.target.value })} />
        </label>
        <label>
          While the previous run is unfinished
          <select value={draft.overlap} onChange={(e) => set({ overlap: e.target.value as Draft['overlap'] })}>
            {OVERLAPS.map((o) => (
              <option key={o} value={o}>
                {o}
              </option>
            ))}
          </select>
        </label>
        <label className="check">
          <input type="checkbox" checked={draft.paused} onChange={(e) => set({ paused: e.target.checked })} /> Create paused
        </label>
        <button type="submit" className="primary" disabled={busy}>
          Create schedule
        </button>
      </form>
      <p id="cron-help" className="muted">
        5 fields (minute hour day-of-month month day-of-week), or 6 with seconds first. Each tick creates one workload, exactly once.
      </p>
      <ErrorBox error={types.error ?? error} />
    </Card>
  );
}

/** The caller's schedules: when each runs next, pause / resume, run now, delete, and a form for a new one. */
export function SchedulesPage({ session }: { session: Session }) {
  const schedules = useLoad<SchedulePage>(() => session.client.listSchedules({ limit: 100 }), [session], 10_000);
  const [actionError, setActionError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  const act = (what: string, run: () => Promise<string | null>) => async () => {
    setActionError(null);
    setNotice(null);
    try {
      setNotice(await run());
      schedules.reload();
    } catch (e) {
      setActionError(`Could not ${what}: ${describeError(e)}`);
    }
  };

  return (
    <main id="main">
      <h1>Schedules</h1>
      <ErrorBox error={schedules.error} />
      <ErrorBox error={actionError} />
      {notice ? (
        <p className="notice" role="status">
          {notice}
        </p>
      ) : null}
      <div className="table-wrap">
        <table>
          <caption className="sr-only">Schedules, newest first</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">State</th>
              <th scope="col">Cron</th>
              <th scope="col">Workload type</th>
              <th scope="col">Overlap</th>
              <th scope="col">Next run</th>
              <th scope="col">Last tick</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {(schedules.data?.items ?? []).map((s) => (
              <tr key={s.id} data-schedule-id={s.id}>
                <td>
                  <a href={`#/schedules/${s.id}`}>{s.name}</a>
                </td>
                <td>
                  <ScheduleState schedule={s} />
                </td>
                <td>
                  <span className="mono">{s.cron}</span> <span className="muted">({s.timezone})</span>
                </td>
                <td>{s.workload.workload_type}</td>
                <td>{s.overlap}</td>
                <td>{when(s.next_run_at)}</td>
                <td>{when(s.last_tick_at)}</td>
                <td>
                  <div className="actions">
                    {s.paused ? (
                      <ConfirmButton
                        label={`Resume ${s.name}`}
                        question={`Resume ${s.name}? It fires from its next tick after now; ticks missed while paused do not fire.`}
                        onConfirm={act(`resume ${s.name}`, async () => (await session.client.resumeSchedule(s.id), null))}
                      />
                    ) : (
                      <ConfirmButton
                        label={`Pause ${s.name}`}
                        question={`Pause ${s.name}? No tick fires until it is resumed.`}
                        onConfirm={act(`pause ${s.name}`, async () => (await session.client.pauseSchedule(s.id), null))}
                      />
                    )}
                    <ConfirmButton
                      label={`Run ${s.name} now`}
                      question={`Run ${s.name} now, outside its ticks? One workload is created at once.`}
                      onConfirm={act(`run ${s.name}`, async () => {
                        const run = await session.client.triggerSchedule(s.id);
                        return `${s.name} created workload ${run.workload_id}.`;
                      })}
                    />
                    <ConfirmButton
                      label={`Delete ${s.name}`}
                      danger
                      question={`Delete ${s.name}? No more ticks fire; the workloads it created stay.`}
                      onConfirm={act(`delete ${s.name}`, async () => (await session.client.deleteSchedule(s.id), null))}
                    />
                  </div>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {schedules.data && schedules.data.items.length === 0 ? <p className="muted">No schedules yet.</p> : null}
      </div>
      <NewSchedule
        session={session}
        onCreated={(created) => {
          setNotice(`Created ${created.name}; next run ${when(created.next_run_at)}.`);
          schedules.reload();
        }}
      />
    </main>
  );
}

/** One schedule: its definition, what each tick submits, and its latest runs. */
export function ScheduleDetailPage({ session, id }: { session: Session; id: string }) {
  const schedule = useLoad<Schedule>(() => session.client.getSchedule(id), [session, id], 10_000);
  const s = schedule.data;
  return (
    <main id="main">
      <p>
        <a href="#/schedules">← Schedules</a>
      </p>
      <h1>Schedule {s ? s.name : ''}</h1>
      <ErrorBox error={schedule.error} />
      {!s ? (
        !schedule.error ? (
          <p aria-busy="true">Loading…</p>
        ) : null
      ) : (
        <div className="grid">
          <Card title="Definition">
            <dl>
              <dt>State</dt>
              <dd>
                <ScheduleState schedule={s} />
              </dd>
              <dt>Cron</dt>
              <dd>
                <span className="mono">{s.cron}</span> ({s.timezone})
              </dd>
              <dt>Overlap</dt>
              <dd>{s.overlap}</dd>
              <dt>Next run</dt>
              <dd>{when(s.next_run_at)}</dd>
              <dt>Last tick</dt>
              <dd>{when(s.last_tick_at)}</dd>
              <dt>Created</dt>
              <dd>{when(s.created_at)}</dd>
            </dl>
          </Card>
          <Card title="Each tick submits">
            <JsonView value={s.workload} label="Workload JSON" />
          </Card>
          <Card title="Latest runs" wide>
            {(s.last_runs ?? []).length === 0 ? (
              <p className="muted">No runs yet.</p>
            ) : (
              <div className="table-wrap">
                <table>
                  <thead>
                    <tr>
                      <th scope="col">Workload</th>
                      <th scope="col">Status</th>
                      <th scope="col">Tick</th>
                      <th scope="col">Created</th>
                      <th scope="col">Finished</th>
                    </tr>
                  </thead>
                  <tbody>
                    {(s.last_runs ?? []).map((run) => (
                      <tr key={run.workload_id} data-workload-id={run.workload_id}>
                        <td>
                          <a href={`#/workloads/${run.workload_id}`} className="mono">
                            {run.workload_id}
                          </a>
                        </td>
                        <td>
                          <StatusBadge status={run.status} />
                        </td>
                        <td>{run.tick ? when(run.tick) : 'manual'}</td>
                        <td>{when(run.created_at)}</td>
                        <td>{when(run.completed_at)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </Card>
        </div>
      )}
    </main>
  );
}
