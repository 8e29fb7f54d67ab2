import { useEffect, useState } from 'react';

/** The current hash route, e.g. `/workloads/abc` for `#/workloads/abc` (hash routes need no server rewrite). */
export function useRoute(): string {
  const read = () => window.location.hash.replace(/^#/, '') || '/';
  const [route, setRoute] = useState(read);
  useEffect(() => {
    const onChange = () => setRoute(read());
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return route;
}

/** Goes to a hash route. */
export function navigate(route: string): void {
  window.location.hash = route;
}
