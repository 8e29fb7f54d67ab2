import { Subjects } from '@niyanta/models';
import { BrokerArgumentError } from './errors';
import { assertConcreteSubject, assertName, assertSubjectPattern, patternCovers, patternsOverlap, subjectMatches } from './subject-pattern';

/** The durable subjects when none are configured: worker assignments. */
export function defaultDurableSubjects(prefix: string): string[] {
  return [new Subjects(prefix).workerAssign('*')];
}

/**
 * Name of the JetStream stream holding the durable subjects of `prefix`: `NIYANTA_<prefix>` with
 * every character a stream name cannot hold replaced by `_`.
 */
export function durableStreamName(prefix: string): string {
  return `NIYANTA_${prefix.replace(/[^A-Za-z0-9_-]/g, '_')}`;
}

/**
 * The subjects one adapter accepts for durable messages, checked the same way by every adapter
 * so that a mistake shows up in unit tests on the in-process broker too.
 */
export class DurableSubjects {
  readonly patterns: readonly string[];

  constructor(
    readonly prefix: string,
    patterns: readonly string[] | undefined,
  ) {
    assertConcreteSubject(prefix);
    const chosen = patterns ?? defaultDurableSubjects(prefix);
    for (const pattern of chosen) {
      assertSubjectPattern(pattern);
      if (!pattern.startsWith(`${prefix}.`)) {
        // Streams of different prefixes must not overlap, or NATS refuses to create the second.
        throw new BrokerArgumentError(`durable subject '${pattern}' is outside the prefix '${prefix}'`);
      }
    }
    this.patterns = [...new Set(chosen)];
  }

  /** Throws unless `subject` is a concrete subject matched by a durable pattern. */
  assertPublishable(subject: string): void {
    assertConcreteSubject(subject);
    if (!this.patterns.some((p) => subjectMatches(p, subject))) {
      throw new BrokerArgumentError(`'${subject}' is not a durable subject (durable: ${this.patterns.join(', ')})`);
    }
  }

  /** Throws unless a consumer of `subject` named `consumerName` is acceptable. */
  assertConsumable(subject: string, consumerName: string): void {
    assertName(consumerName, 'consumer');
    assertSubjectPattern(subject);
    if (!this.patterns.some((p) => patternCovers(p, subject))) {
      throw new BrokerArgumentError(`'${subject}' is not inside a durable subject (durable: ${this.patterns.join(', ')})`);
    }
  }
}

/**
 * Throws when a consumer `name` on `subject` conflicts with the existing consumers (name → subject):
 * the same name on another subject, or another name on an overlapping subject.
 */
export function assertNoConsumerConflict(existing: ReadonlyMap<string, string>, name: string, subject: string): void {
  const current = existing.get(name);
  if (current !== undefined && current !== subject) {
    throw new BrokerArgumentError(`consumer '${name}' already consumes '${current}', not '${subject}'`);
  }
  for (const [otherName, otherSubject] of existing) {
    if (otherName !== name && patternsOverlap(otherSubject, subject)) {
      throw new BrokerArgumentError(`consumer '${name}' on '${subject}' overlaps consumer '${otherName}' on '${otherSubject}'`);
    }
  }
}

/** Validates `ConsumeDurableOptions.concurrency`; returns it with its default. */
export function checkConcurrency(concurrency: number | undefined): number {
  const value = concurrency ?? 1;
  if (!Number.isInteger(value) || value < 1) {
    throw new BrokerArgumentError(`consumer concurrency must be a positive integer, got ${String(concurrency)}`);
  }
  return value;
}
