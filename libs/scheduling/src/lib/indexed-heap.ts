/** An item that knows where it sits in the one {@link IndexedHeap} it belongs to (-1 when in none). */
export interface HeapItem {
  heapIndex: number;
}

/**
 * Binary heap with O(log n) removal and re-positioning of arbitrary items, which the pending queue
 * needs for cancel and for re-ranking a customer after it is served. Items carry their own index, so
 * there is no side map to keep in sync. `before(a, b)` is true when `a` must come out first.
 */
export class IndexedHeap<T extends HeapItem> {
  private readonly items: T[] = [];

  constructor(private readonly before: (a: T, b: T) => boolean) {}

  get size(): number {
    return this.items.length;
  }

  peek(): T | undefined {
    return this.items[0];
  }

  contains(item: T): boolean {
    return item.heapIndex >= 0 && this.items[item.heapIndex] === item;
  }

  push(item: T): void {
    item.heapIndex = this.items.length;
    this.items.push(item);
    this.up(item.heapIndex);
  }

  pop(): T | undefined {
    const top = this.items[0];
    if (top !== undefined) this.removeAt(0);
    return top;
  }

  remove(item: T): boolean {
    if (!this.contains(item)) return false;
    this.removeAt(item.heapIndex);
    return true;
  }

  /** Restores heap order after `item`'s sort key changed. */
  update(item: T): void {
    if (!this.contains(item)) return;
    if (!this.up(item.heapIndex)) this.down(item.heapIndex);
  }

  /** Items in no particular order. */
  values(): readonly T[] {
    return this.items;
  }

  clear(): void {
    for (const item of this.items) item.heapIndex = -1;
    this.items.length = 0;
  }

  private removeAt(index: number): void {
    const removed = this.items[index];
    const last = this.items.pop() as T;
    removed.heapIndex = -1;
    if (index < this.items.length) {
      this.items[index] = last;
      last.heapIndex = index;
      if (!this.up(index)) this.down(index);
    }
  }

  private up(index: number): boolean {
    const items = this.items;
    const item = items[index];
    let i = index;
    while (i > 0) {
      const parentIndex = (i - 1) >> 1;
      const parent = items[parentIndex];
      if (!this.before(item, parent)) break;
      items[i] = parent;
      parent.heapIndex = i;
      i = parentIndex;
    }
    items[i] = item;
    item.heapIndex = i;
    return i !== index;
  }

  private down(index: number): void {
    const items = this.items;
    const n = items.length;
    const item = items[index];
    let i = index;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= n) break;
      const right = left + 1;
      const child = right < n && this.before(items[right], items[left]) ? right : left;
      if (!this.before(items[child], item)) break;
      items[i] = items[child];
      items[i].heapIndex = i;
      i = child;
    }
    items[i] = item;
    item.heapIndex = i;
  }
}
