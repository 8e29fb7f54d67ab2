import { useState, type FormEvent } from 'react';
import { Card, ConfirmButton, ErrorBox, StatusBadge, useLoad } from '../components/ui';
import { when } from '../lib/format';
import { describeError } from '@niyanta/sdk';
import { unwrap, type Session } from '../lib/session';

/** Issue (shown once), list and revoke the keys of one customer. */
function CustomerKeys({ session, customerId }: { session: Session; customerId: string }) {
  const keys = useLoad(() => unwrap(session.client.api.GET('/v1/admin/customers/{id}/api-keys', { params: { path: { id: customerId } } })), [session, customerId]);
  const [issued, setIssued] = useState<string | null>(null);
  const [name, setName] = useState('');
  const [error, setError] = useState<string | null>(null);
  const issue = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    try {
      const key = await unwrap(session.client.api.POST('/v1/admin/customers/{id}/api-keys', { params: { path: { id: customerId } }, body: { name: name || undefined } }));
      setIssued(key.key);
      setName('');
      keys.reload();
    } catch (e) {
      setError(describeError(e));
    }
  };
  const revoke = (id: string) => async () => {
    try {
      await unwrap(session.client.api.DELETE('/v1/admin/api-keys/{id}', { params: { path: { id } } }));
      keys.reload();
    } catch (e) {
      setError(describeError(e));
    }
  };
  return (
    <Card title="API keys" wide>
      <ErrorBox error={error ?? keys.error} />
      {issued ? (
        <div className="notice" role="status">
          New key (shown once — copy it now): <code data-testid="issued-key">{issued}</code>{' '}
          <button type="button" onClick={() => setIssued(null)}>
            Done
          </button>
        </div>
      ) : null}
      <form onSubmit={(e) => void issue(e)} className="inline">
        <label>
          Key name
          <input value={name} onChange={(e) => setName(e.target.value)} placeholder="ci" />
        </label>
        <button type="submit" className="primary">
          Issue key
        </button>
      </form>
      <div className="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">Prefix</th>
              <th scope="col">Name</th>
              <th scope="col">Created</th>
              <th scope="col">Revoked</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {(keys.data?.items ?? []).map((k) => (
              <tr key={k.id}>
                <td className="mono">{k.prefix}</td>
                <td>{k.name ?? '—'}</td>
                <td>{when(k.created_at)}</td>
                <td>{when(k.revoked_at)}</td>
                <td>{k.revoked_at ? null : <ConfirmButton label="Revoke" danger question={`Revoke key ${k.prefix}? Requests with it are refused from now on.`} onConfirm={revoke(k.id)} />}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </Card>
  );
}

/** Customers: create with a tier, change tier, suspend and unsuspend, and their keys. */
export function AdminCustomersPage({ session }: { session: Session }) {
  const customers = useLoad(() => unwrap(session.client.api.GET('/v1/admin/customers', { params: { query: { limit: 200 } } })), [session]);
  const tiers = useLoad(() => unwrap(session.client.api.GET('/v1/admin/tiers')), [session]);
  const [name, setName] = useState('');
  const [tier, setTier] = useState('standard');
  const [selected, setSelected] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const run = (action: () => Promise<unknown>) => async () => {
    setError(null);
    try {
      await action();
      customers.reload();
    } catch (e) {
      setError(describeError(e));
    }
  };
  const create = (event: FormEvent) => {
    event.preventDefault();
    void run(async () => {
      await unwrap(session.client.api.POST('/v1/admin/customers', { body: { name, tier } }));
      setName('');
    })();
  };
  const tierNames = (tiers.data?.items ?? []).map((t) => t.name);
  return (
    <main id="main">
      <h1>Customers</h1>
      <ErrorBox error={error ?? customers.error} />
      <form onSubmit={create} className="inline" aria-label="New customer">
        <label>
          Name
          <input value={name} onChange={(e) => setName(e.target.value)} required />
        </label>
        <label>
          Tier
          <select value={tier} onChange={(e) => setTier(e.target.value)}>
            {(tierNames.length ? tierNames : ['free', 'standard', 'premium', 'enterprise']).map((t) => (
              <option key={t}>{t}</option>
            ))}
          </select>
        </label>
        <button type="submit" className="primary">
          Create customer
        </button>
      </form>
      <div className="table-wrap">
        <table>
          <caption className="sr-only">Customers</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Id</th>
              <th scope="col">Tier</th>
              <th scope="col">Status</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {(customers.data?.items ?? []).map((c) => (
              <tr key={c.id}>
                <td>{c.name}</td>
                <td className="mono">{c.id}</td>
                <td>
                  <select
                    aria-label={`Tier of ${c.name}`}
                    value={c.tier}
                    onChange={(e) => void run(() => unwrap(session.client.api.PATCH('/v1/admin/customers/{id}', { params: { path: { id: c.id } }, body: { tier: e.target.value } })))()}
                  >
                    {(tierNames.includes(c.tier) ? tierNames : [c.tier, ...tierNames]).map((t) => (
                      <option key={t}>{t}</option>
                    ))}
                  </select>
                </td>
                <td>
                  <StatusBadge status={c.status} />
                </td>
                <td className="actions">
                  <button type="button" onClick={() => setSelected(selected === c.id ? null : c.id)} aria-expanded={selected === c.id}>
                    Keys
                  </button>
                  {c.status === 'active' ? (
                    <ConfirmButton
                      label="Suspend"
                      danger
                      question={`Suspend ${c.name}? Its keys are refused and its queued workloads wait.`}
                      onConfirm={run(() => unwrap(session.client.api.POST('/v1/admin/customers/{id}/suspend', { params: { path: { id: c.id } } })))}
                    />
                  ) : (
                    <ConfirmButton
                      label="Unsuspend"
                      question={`Unsuspend ${c.name}?`}
                      onConfirm={run(() => unwrap(session.client.api.POST('/v1/admin/customers/{id}/unsuspend', { params: { path: { id: c.id } } })))}
                    />
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {selected ? <CustomerKeys session={session} customerId={selected} /> : null}
    </main>
  );
}
