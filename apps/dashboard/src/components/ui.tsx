import { useEffect, useRef, useState, type ReactNode } from 'react';

/** A workload or worker status as a coloured, labelled badge (colour is never the only cue). */
export function StatusBadge({ status }: { status: string }) {
  return <span className={`badge badge-${status.toLowerCase()}`}>{status}</span>;
}

/** An error the API (or the network) gave, announced to screen readers. */
export function ErrorBox({ error }: { error: string | null }) {
  if (!error) return null;
  return (
    <p className="error" role="alert">
      {error}
    </p>
  );
}

/** A progress bar with its value in words. */
export function Progress({ value, label }: { value: number; label: string }) {
  const percent = Math.round(value * 100);
  return (
    <div className="progress">
      <progress max={100} value={percent} aria-label={label} />
      <span>{percent}%</span>
    </div>
  );
}

/** Pretty-printed JSON in a scrollable, focusable block. */
export function JsonView({ value, label }: { value: unknown; label: string }) {
  return (
    <pre className="json" tabIndex={0} aria-label={label}>
      {value === null || value === undefined ? '—' : JSON.stringify(value, null, 2)}
    </pre>
  );
}

/** A titled card. */
export function Card({ title, children, wide }: { title: string; children: ReactNode; wide?: boolean }) {
  return (
    <section className={wide ? 'card wide' : 'card'} aria-label={title}>
      <h2>{title}</h2>
      {children}
    </section>
  );
}

/**
 * A button that asks before acting: a modal `<dialog>` with the consequence spelled out, Confirm
 * and Cancel (Escape cancels; focus returns to the button).
 */
export function ConfirmButton(props: { label: string; question: string; onConfirm: () => Promise<void> | void; danger?: boolean; disabled?: boolean }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [busy, setBusy] = useState(false);
  const confirm = async () => {
    setBusy(true);
    try {
      await props.onConfirm();
    } finally {
      setBusy(false);
      dialog.current?.close();
    }
  };
  return (
    <>
      <button type="button" className={props.danger ? 'danger' : undefined} disabled={props.disabled || busy} onClick={() => dialog.current?.showModal()}>
        {props.label}
      </button>
      <dialog ref={dialog} aria-label={`Confirm: ${props.label}`}>
        <p>{props.question}</p>
        <div className="actions">
          <button type="button" className={props.danger ? 'danger' : 'primary'} disabled={busy} onClick={() => void confirm()}>
            Confirm {props.label.toLowerCase()}
          </button>
          <button type="button" onClick={() => dialog.current?.close()}>
            Keep as is
          </button>
        </div>
      </dialog>
    </>
  );
}

/** One bar series of a chart. */
export interface BarSeries {
  label: string;
  className: string;
  values: number[];
}

/**
 * A bar chart in SVG with a text summary and a table alternative for screen readers; `labels` name
 * the buckets.
 */
export function BarChart({ title, labels, series, unit }: { title: string; labels: string[]; series: BarSeries[]; unit: string }) {
  const max = Math.max(1, ...series.flatMap((s) => s.values));
  const width = 600;
  const height = 160;
  const groupWidth = labels.length ? width / labels.length : width;
  const barWidth = Math.max(1, (groupWidth - 2) / Math.max(1, series.length));
  return (
    <figure className="chart">
      <svg viewBox={`0 0 ${width} ${height}`} role="img" aria-label={`${title}: ${series.map((s) => `${s.label} total ${s.values.reduce((a, b) => a + b, 0)}`).join(', ')}`}>
        {labels.map((_, i) =>
          series.map((s, j) => {
            const value = s.values[i] ?? 0;
            const h = (value / max) * (height - 10);
            return <rect key={`${i}-${j}`} className={s.className} x={i * groupWidth + j * barWidth} y={height - h} width={Math.max(1, barWidth - 1)} height={h} />;
          }),
        )}
      </svg>
      <figcaption>
        {series.map((s) => (
          <span key={s.label} className={`legend ${s.className}`}>
            {s.label}
          </span>
        ))}
        <span className="muted">
          {' '}
          max {Math.round(max)} {unit}
          {labels.length ? `, ${labels[0]} – ${labels[labels.length - 1]}` : ', no data yet'}
        </span>
      </figcaption>
    </figure>
  );
}

/** Re-renders every `ms` (for ages that grow). */
export function useTicker(ms: number): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = window.setInterval(() => setNow(Date.now()), ms);
    return () => window.clearInterval(timer);
  }, [ms]);
  return now;
}

/** Runs `load` now and whenever `deps` change, with its error and a reload; `every` ms repeats it. */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[], every?: number): { data: T | null; error: string | null; reload: () => void } {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let cancelled = false;
    load().then(
      (value) => {
        if (!cancelled) {
          setData(value);
          setError(null);
        }
      },
      (e: unknown) => {
        if (!cancelled) setError(e instanceof Error ? e.message : String(e));
      },
    );
    const timer = every ? window.setTimeout(() => setTick((t) => t + 1), every) : undefined;
    return () => {
      cancelled = true;
      window.clearTimeout(timer);
    };
  }, [...deps, tick]);
  return { data, error, reload: () => setTick((t) => t + 1) };
}
