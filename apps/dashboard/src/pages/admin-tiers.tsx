import { ErrorBox, useLoad } from '../components/ui';
import { unwrap, type Session } from '../lib/session';

/** The tiers and what each allows. */
export function AdminTiersPage({ session }: { session: Session }) {
  const tiers = useLoad(() => unwrap(session.client.api.GET('/v1/admin/tiers')), [session]);
  return (
    <main id="main">
      <h1>Tiers</h1>
      <ErrorBox error={tiers.error} />
      <div className="table-wrap">
        <table>
          <caption className="sr-only">Tiers</caption>
          <thead>
            <tr>
              <th scope="col">Tier</th>
              <th scope="col">Requests/s</th>
              <th scope="col">Burst</th>
              <th scope="col">Max running</th>
              <th scope="col">Scheduling weight</th>
              <th scope="col">Max priority</th>
            </tr>
          </thead>
          <tbody>
            {(tiers.data?.items ?? []).map((t) => (
              <tr key={t.name}>
                <td>{t.name}</td>
                <td>{t.requests_per_second}</td>
                <td>{t.burst}</td>
                <td>{t.max_running}</td>
                <td>{t.scheduling_weight}</td>
                <td>{t.max_priority}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </main>
  );
}
