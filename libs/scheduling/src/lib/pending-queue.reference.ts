import { OfferDecision, PendingEntry } from './pending-queue';

/**
 * A deliberately naive model of the order documented in the README, used only by the tests to
 * check the heap-based {@link PendingQueue} against: every step scans every entry.
 */
export class ReferencePendingQueue<T> {
  private readonly entries = new Map<string, { entry: PendingEntry<T>; seq: number; due: boolean }>();
  private readonly customers = new Map<string, { position: number; servedSeq: number; passedOver: boolean }>();
  private seq = 0;
  private serveSeq = 0;
  private virtualTime = -Infinity;
  private readonly shareCost: number;

  constructor(
    private readonly aging: number,
    shareCost = 100,
  ) {
    this.shareCost = shareCost * 60_000;
  }

  get size(): number {
    return this.entries.size;
  }

  has(id: string): boolean {
    return this.entries.has(id);
  }

  nextDueAt(): number | null {
    const waiting = [...this.entries.values()].filter((e) => !e.due).map((e) => e.entry.notBefore as number);
    return waiting.length === 0 ? null : Math.min(...waiting);
  }

  upsert(entry: PendingEntry<T>): void {
    this.remove(entry.id);
    this.entries.set(entry.id, { entry, seq: ++this.seq, due: entry.notBefore === null });
    if (entry.notBefore === null) this.touchCustomer(entry.customerId);
  }

  remove(id: string): void {
    const item = this.entries.get(id);
    if (!item) return;
    this.entries.delete(id);
    if (item.due) this.dropCustomerIfEmpty(item.entry.customerId);
  }

  takeBatch(now: number, max: number, accept: (entry: PendingEntry<T>) => OfferDecision, maxOffers = Infinity): PendingEntry<T>[] {
    this.virtualTime = Math.max(this.virtualTime, this.aging * now);
    for (const item of this.entries.values()) {
      if (!item.due && (item.entry.notBefore as number) <= now) {
        item.due = true;
        this.touchCustomer(item.entry.customerId);
      }
    }
    const taken: PendingEntry<T>[] = [];
    const skipped = new Set<string>();
    const skippedGroups = new Set<string>();
    const skippedCustomers = new Set<string>();
    let offers = 0;
    while (taken.length < max && offers < maxOffers) {
      const candidate = this.best(skipped, skippedGroups, skippedCustomers);
      if (!candidate) break;
      offers++;
      const decision = accept(candidate.entry);
      const group = candidate.entry.group ?? candidate.entry.workloadType;
      if (decision === 'take') {
        this.entries.delete(candidate.entry.id);
        const customer = this.customers.get(candidate.entry.customerId) as { position: number; servedSeq: number; passedOver: boolean };
        // Start-time fair queuing as documented in the README.
        let start = Math.max(this.aging * candidate.entry.enqueuedAt, customer.position, this.aging * now - this.shareCost);
        if (customer.passedOver) start = Math.max(start, this.virtualTime);
        this.virtualTime = Math.max(this.virtualTime, start);
        customer.position = start + this.shareCost / (candidate.entry.shareWeight ?? 1);
        customer.passedOver = false;
        customer.servedSeq = ++this.serveSeq;
        this.dropCustomerIfEmpty(candidate.entry.customerId);
        taken.push(candidate.entry);
      } else if (decision === 'skip') skipped.add(candidate.entry.id);
      else if (decision === 'skip-group') skippedGroups.add(group);
      else if (decision === 'skip-customer') {
        skippedCustomers.add(candidate.entry.customerId);
        (this.customers.get(candidate.entry.customerId) as { passedOver: boolean }).passedOver = true;
      }
      else break;
    }
    return taken;
  }

  private key(entry: PendingEntry<T>): number {
    return (entry.priority + entry.tierWeight) * 60_000 - this.aging * entry.enqueuedAt;
  }

  private best(skipped: Set<string>, groups: Set<string>, customers: Set<string>) {
    const heads = new Map<string, { entry: PendingEntry<T>; seq: number }>();
    for (const item of this.entries.values()) {
      const { entry } = item;
      if (!item.due || skipped.has(entry.id) || groups.has(entry.group ?? entry.workloadType) || customers.has(entry.customerId)) continue;
      const head = heads.get(entry.customerId);
      const better =
        !head ||
        this.key(entry) > this.key(head.entry) ||
        (this.key(entry) === this.key(head.entry) &&
          (entry.enqueuedAt < head.entry.enqueuedAt || (entry.enqueuedAt === head.entry.enqueuedAt && item.seq < head.seq)));
      if (better) heads.set(entry.customerId, item);
    }
    let winner: { entry: PendingEntry<T>; seq: number; rank: number; servedSeq: number } | undefined;
    for (const [customerId, head] of heads) {
      const state = this.customers.get(customerId) as { position: number; servedSeq: number };
      const { priority, tierWeight, enqueuedAt } = head.entry;
      const rank = (priority + tierWeight) * 60_000 - Math.max(this.aging * enqueuedAt, state.position);
      const candidate = { ...head, rank, servedSeq: state.servedSeq };
      if (
        !winner ||
        rank > winner.rank ||
        (rank === winner.rank &&
          (candidate.servedSeq < winner.servedSeq ||
            (candidate.servedSeq === winner.servedSeq &&
              (enqueuedAt < winner.entry.enqueuedAt || (enqueuedAt === winner.entry.enqueuedAt && head.seq < winner.seq)))))
      ) {
        winner = candidate;
      }
    }
    return winner;
  }

  private touchCustomer(customerId: string): void {
    if (!this.customers.has(customerId)) {
      this.customers.set(customerId, { position: this.virtualTime, servedSeq: 0, passedOver: false });
    }
  }

  private dropCustomerIfEmpty(customerId: string): void {
    for (const item of this.entries.values()) if (item.due && item.entry.customerId === customerId) return;
    this.customers.delete(customerId);
  }
}
