import { useState } from 'react';
import { AdminAuditPage } from './pages/admin-audit';
import { AdminCustomersPage } from './pages/admin-customers';
import { AdminTiersPage } from './pages/admin-tiers';
import { OverviewPage } from './pages/overview';
import { ScheduleDetailPage, SchedulesPage } from './pages/schedules';
import { SignInPage } from './pages/sign-in';
import { WorkersPage } from './pages/workers';
import { WorkloadDetailPage } from './pages/workload-detail';
import { WorkloadsPage } from './pages/workloads';
import { navigate, useRoute } from './lib/router';
import { restoreSession, signOut, type Session } from './lib/session';

interface NavItem {
  route: string;
  label: string;
  roles: Array<Session['role']>;
}

const NAV: NavItem[] = [
  { route: '/', label: 'Overview', roles: ['customer', 'admin'] },
  { route: '/workloads', label: 'Workloads', roles: ['customer'] },
  { route: '/schedules', label: 'Schedules', roles: ['customer'] },
  { route: '/workers', label: 'Workers', roles: ['customer', 'admin'] },
  { route: '/admin/customers', label: 'Customers', roles: ['admin'] },
  { route: '/admin/tiers', label: 'Tiers', roles: ['admin'] },
  { route: '/admin/audit', label: 'Audit log', roles: ['admin'] },
];

function page(route: string, session: Session) {
  const detail = /^\/workloads\/([0-9a-f-]{36})$/i.exec(route);
  if (detail?.[1] && session.role === 'customer') return <WorkloadDetailPage session={session} id={detail[1]} />;
  const schedule = /^\/schedules\/([0-9a-f-]{36})$/i.exec(route);
  if (schedule?.[1] && session.role === 'customer') return <ScheduleDetailPage session={session} id={schedule[1]} />;
  const admin = session.role === 'admin';
  switch (route) {
    case '/':
      return <OverviewPage session={session} />;
    case '/workloads':
      return admin ? null : <WorkloadsPage session={session} />;
    case '/schedules':
      return admin ? null : <SchedulesPage session={session} />;
    case '/workers':
      return <WorkersPage session={session} />;
    case '/admin/customers':
      return admin ? <AdminCustomersPage session={session} /> : null;
    case '/admin/tiers':
      return admin ? <AdminTiersPage session={session} /> : null;
    case '/admin/audit':
      return admin ? <AdminAuditPage session={session} /> : null;
    default:
      return null;
  }
}

/** The dashboard: sign-in, then the pages of the signed-in role. */
export function App() {
  const [session, setSession] = useState<Session | null>(restoreSession);
  const route = useRoute();
  if (!session) return <SignInPage onSignedIn={setSession} />;
  const content = page(route, session) ?? (
    <main id="main">
      <h1>Not found</h1>
      <p>There is no such page for this key{session.role === 'admin' ? ' (the operator key has no workloads of its own)' : ''}.</p>
    </main>
  );
  return (
    <>
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="top">
        <span className="brand">Niyanta</span>
        <nav aria-label="Pages">
          {NAV.filter((item) => item.roles.includes(session.role)).map((item) => (
            <a key={item.route} href={`#${item.route}`} aria-current={route === item.route ? 'page' : undefined}>
              {item.label}
            </a>
          ))}
        </nav>
        <span className="who">{session.role === 'admin' ? 'Operator' : 'Customer'}</span>
        <button
          type="button"
          onClick={() => {
            signOut();
            setSession(null);
            navigate('/');
          }}
        >
          Sign out
        </button>
      </header>
      {content}
    </>
  );
}
