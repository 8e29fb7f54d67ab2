import type { BrokerStats, BrokerStatus } from './broker.port';
import { subjectClass, type SubjectClass } from './subject-class';

/**
 * Where adapters report handler failures and connection changes. Nest's `Logger` fits, and is the
 * default, so the application's logger (pino) receives these lines.
 */
export interface BrokerLogger {
  log(message: string): void;
  warn(message: string): void;
  error(message: string, stack?: string): void;
}

/**
 * The transport-independent part of an adapter: counters, status listeners and failure logging,
 * kept in one place so both adapters count and report the same way.
 */
export class BrokerRuntime {
  private readonly counters: BrokerStats = emptyStats();
  /** The same counters split by the class of the subject (a handful of fixed values). */
  private readonly byClass = new Map<SubjectClass, BrokerStats>();
  private readonly listeners = new Set<(status: BrokerStatus) => void>();

  constructor(readonly logger: BrokerLogger) {}

  /** Counts one event; `subject` (when there is one) also counts it under its subject class. */
  count(counter: keyof BrokerStats, subject?: string): void {
    this.counters[counter]++;
    if (subject === undefined) return;
    const cls = subjectClass(subject);
    let stats = this.byClass.get(cls);
    if (!stats) {
      stats = emptyStats();
      this.byClass.set(cls, stats);
    }
    stats[counter]++;
  }

  stats(): BrokerStats {
    return { ...this.counters };
  }

  statsBySubjectClass(): Array<{ subjectClass: SubjectClass; stats: BrokerStats }> {
    return [...this.byClass.entries()].map(([cls, stats]) => ({ subjectClass: cls, stats: { ...stats } }));
  }

  onStatusChange(listener: (status: BrokerStatus) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emitStatus(status: BrokerStatus): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(status);
      } catch (error) {
        this.logger.error(`broker status listener failed: ${describe(error)}`, stackOf(error));
      }
    }
  }

  dropped(subject: string): void {
    this.count('droppedNonEnvelope', subject);
    this.logger.warn(`dropped a message on ${subject} that is not a message envelope`);
  }

  handlerFailed(what: string, error: unknown, subject?: string): void {
    this.count('handlerErrors', subject);
    this.logger.error(`${what} failed: ${describe(error)}`, stackOf(error));
  }
}

/**
 * The handler promises of one subscription, so that unsubscribing (and closing) can wait for the
 * handlers already running instead of cutting them off.
 */
export class RunningHandlers {
  private readonly running = new Set<Promise<unknown>>();

  get size(): number {
    return this.running.size;
  }

  track<T>(promise: Promise<T>): Promise<T> {
    this.running.add(promise);
    const forget = () => this.running.delete(promise);
    promise.then(forget, forget);
    return promise;
  }

  async idle(): Promise<void> {
    while (this.running.size > 0) {
      await Promise.allSettled([...this.running]);
    }
  }
}

/** Runs a handler that may throw synchronously or reject, as one promise. */
export async function invoke<R>(handler: () => Promise<R> | R): Promise<R> {
  return handler();
}

/** The message of anything thrown. */
export function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function stackOf(error: unknown): string | undefined {
  return error instanceof Error ? error.stack : undefined;
}

function emptyStats(): BrokerStats {
  return {
    published: 0,
    publishedDurable: 0,
    received: 0,
    receivedDurable: 0,
    redelivered: 0,
    handlerErrors: 0,
    droppedNonEnvelope: 0,
    reconnects: 0,
  };
}
