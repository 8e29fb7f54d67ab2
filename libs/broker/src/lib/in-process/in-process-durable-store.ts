import { RunningHandlers } from '../broker-runtime';
import type { DurableDelivery } from '../broker.port';
import { subjectMatches } from '../subject-pattern';

/** What a consumer member decided about one delivery. */
export type DeliveryOutcome = 'ack' | 'nak' | 'term';

/** Hands one stored message (its JSON text) to a member. */
export type DeliverFn = (text: string, delivery: DurableDelivery) => Promise<DeliveryOutcome>;

/** Limits of {@link InProcessDurableStore}. */
export interface DurableStoreLimits {
  maxAgeMs: number;
  duplicateWindowMs: number;
  redeliveryDelayMs: number;
}

interface StoredMessage {
  seq: number;
  subject: string;
  text: string;
  storedAt: number;
  deliveries: number;
  inFlight: boolean;
  availableAt: number;
}

interface ConsumerGroup {
  name: string;
  subject: string;
  members: Member[];
  next: number;
  /** Messages for this consumer, in publish order (insertion-ordered map: O(1) removal on ack). */
  messages: Map<number, StoredMessage>;
}

/** One live member of a named consumer. */
export interface Member {
  readonly group: ConsumerGroup;
  readonly deliver: DeliverFn;
  readonly concurrency: number;
  active: number;
  stopped: boolean;
  readonly running: RunningHandlers;
}

/**
 * In-memory stand-in for a JetStream work-queue stream: messages wait for the one named consumer
 * whose subject matches, go to one of its members, are removed on ack and come back after the
 * redelivery delay on nak. Named consumers outlive their members, like durable consumers. Each
 * consumer keeps its own queue, so a pass only looks at messages a free member could take.
 */
export class InProcessDurableStore {
  /** Messages no consumer matches yet; handed to the first consumer that does. */
  private readonly orphans = new Map<number, StoredMessage>();
  private readonly groups = new Map<string, ConsumerGroup>();
  private readonly recentIds = new Map<string, number>();
  private seq = 0;
  private pumpScheduled = false;
  private timer: NodeJS.Timeout | undefined;
  private timerDue = Infinity;
  private closed = false;

  constructor(private readonly limits: DurableStoreLimits) {}

  /** Stores a message unless `id` was stored within the duplicate window. */
  store(subject: string, text: string, id: string): void {
    const now = Date.now();
    this.forgetOldIds(now);
    if (this.recentIds.has(id)) return;
    this.recentIds.set(id, now);
    const seq = ++this.seq;
    const message: StoredMessage = { seq, subject, text, storedAt: now, deliveries: 0, inFlight: false, availableAt: now };
    (this.groupFor(subject)?.messages ?? this.orphans).set(seq, message);
    this.schedulePump();
  }

  /** Subject of every named consumer ever attached (name → subject). */
  consumerSubjects(): Map<string, string> {
    return new Map([...this.groups.values()].map((g) => [g.name, g.subject]));
  }

  attach(name: string, subject: string, deliver: DeliverFn, concurrency: number): Member {
    let group = this.groups.get(name);
    if (!group) {
      group = { name, subject, members: [], next: 0, messages: new Map() };
      this.groups.set(name, group);
      for (const message of this.orphans.values()) {
        if (!subjectMatches(subject, message.subject)) continue;
        this.orphans.delete(message.seq);
        group.messages.set(message.seq, message);
      }
    }
    const member: Member = { group, deliver, concurrency, active: 0, stopped: false, running: new RunningHandlers() };
    group.members.push(member);
    this.schedulePump();
    return member;
  }

  async detach(member: Member): Promise<void> {
    member.stopped = true;
    member.group.members = member.group.members.filter((m) => m !== member);
    await member.running.idle();
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    const members = [...this.groups.values()].flatMap((g) => g.members);
    await Promise.all(members.map((m) => this.detach(m)));
  }

  private schedulePump(): void {
    if (this.pumpScheduled || this.closed) return;
    this.pumpScheduled = true;
    // Coalesces a burst of publishes and acks into one pass, and keeps delivery asynchronous.
    setImmediate(() => {
      this.pumpScheduled = false;
      this.pump();
    });
  }

  private pump(): void {
    if (this.closed) return;
    const now = Date.now();
    this.expire(this.orphans, now);
    let nextDue = Infinity;
    for (const group of this.groups.values()) {
      this.expire(group.messages, now);
      let free = group.members.reduce((sum, m) => sum + (m.stopped ? 0 : Math.max(0, m.concurrency - m.active)), 0);
      for (const message of group.messages.values()) {
        if (free === 0) break;
        if (message.inFlight) continue;
        if (message.availableAt > now) {
          nextDue = Math.min(nextDue, message.availableAt);
          continue;
        }
        const member = this.pickMember(group);
        if (!member) break;
        this.dispatch(message, member);
        free--;
      }
    }
    this.armTimer(nextDue, now);
  }

  private dispatch(message: StoredMessage, member: Member): void {
    message.inFlight = true;
    message.deliveries++;
    member.active++;
    const delivery: DurableDelivery = {
      subject: message.subject,
      redelivered: message.deliveries > 1,
      deliveryCount: message.deliveries,
    };
    const settle = (outcome: DeliveryOutcome) => {
      member.active--;
      message.inFlight = false;
      if (outcome === 'nak') {
        message.availableAt = Date.now() + this.limits.redeliveryDelayMs;
      } else {
        member.group.messages.delete(message.seq);
      }
      this.schedulePump();
    };
    // A member's deliver function never rejects (it turns handler errors into 'nak'); the catch
    // keeps a message from being stuck in flight should that ever change.
    member.running.track(member.deliver(message.text, delivery).then(settle, () => settle('nak')));
  }

  private groupFor(subject: string): ConsumerGroup | undefined {
    // Overlapping consumers are refused when attached, so at most one group matches.
    for (const group of this.groups.values()) {
      if (subjectMatches(group.subject, subject)) return group;
    }
    return undefined;
  }

  private pickMember(group: ConsumerGroup): Member | undefined {
    const count = group.members.length;
    for (let i = 0; i < count; i++) {
      const member = group.members[(group.next + i) % count];
      if (!member.stopped && member.active < member.concurrency) {
        group.next = (group.next + i + 1) % count;
        return member;
      }
    }
    return undefined;
  }

  private armTimer(due: number, now: number): void {
    if (due === Infinity || due >= this.timerDue) return;
    clearTimeout(this.timer);
    this.timerDue = due;
    this.timer = setTimeout(() => {
      this.timerDue = Infinity;
      this.pump();
    }, due - now);
    this.timer.unref();
  }

  private expire(messages: Map<number, StoredMessage>, now: number): void {
    const oldest = now - this.limits.maxAgeMs;
    for (const message of messages.values()) {
      if (message.storedAt >= oldest) break;
      if (!message.inFlight) messages.delete(message.seq);
    }
  }

  private forgetOldIds(now: number): void {
    const oldest = now - this.limits.duplicateWindowMs;
    for (const [id, at] of this.recentIds) {
      if (at >= oldest) break;
      this.recentIds.delete(id);
    }
  }
}
