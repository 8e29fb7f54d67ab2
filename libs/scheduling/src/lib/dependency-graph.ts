/**
 * Validation of a submitted dependency graph (SPEC §8): the items of one submission, each with an
 * optional `ref` and the `depends_on` entries naming its parents — a `ref` of another item of the
 * same submission, or the id of a workload submitted earlier. Pure: whether an earlier id exists and
 * belongs to the customer is the caller's check (it needs the database).
 */

/** One item of a submission, as far as its dependencies go. */
export interface GraphItem {
  ref?: string;
  dependsOn?: readonly string[];
}

/** A parent of an item: another item of the submission (by index) or an earlier workload (by id). */
export type GraphParent = { kind: 'item'; index: number } | { kind: 'workload'; id: string };

/** A problem with the graph, at a field path relative to the submission (`items.3.depends_on.1`). */
export interface GraphProblem {
  path: string;
  message: string;
}

export interface ValidGraph {
  ok: true;
  /** Per item, its parents (deduplicated, in the order given). */
  parents: GraphParent[][];
  /** Ids of earlier workloads the graph depends on (deduplicated). */
  workloadIds: string[];
  /** Item indexes, every parent before its children. */
  order: number[];
}

export interface InvalidGraph {
  ok: false;
  problems: GraphProblem[];
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Resolves every `depends_on` entry and checks the graph: refs unique, every entry a ref of the
 * submission or a workload id, no item depending on itself, no cycle. `pathOf(index)` is the field
 * path prefix of an item (`items.3.` in a batch, empty for a single submission).
 */
export function validateDependencyGraph(
  items: readonly GraphItem[],
  pathOf: (index: number) => string = (index) => `items.${index}.`,
): ValidGraph | InvalidGraph {
  const problems: GraphProblem[] = [];
  const indexByRef = new Map<string, number>();
  items.forEach((item, index) => {
    if (item.ref === undefined) return;
    const first = indexByRef.get(item.ref);
    if (first !== undefined) problems.push({ path: `${pathOf(index)}ref`, message: `repeats the ref of ${pathOf(first)}ref` });
    else indexByRef.set(item.ref, index);
  });

  const parents: GraphParent[][] = items.map(() => []);
  const workloadIds = new Set<string>();
  items.forEach((item, index) => {
    const seen = new Set<string>();
    (item.dependsOn ?? []).forEach((entry, position) => {
      if (seen.has(entry)) return;
      seen.add(entry);
      const path = `${pathOf(index)}depends_on.${position}`;
      const parentIndex = indexByRef.get(entry);
      if (parentIndex !== undefined) {
        if (parentIndex === index) problems.push({ path, message: 'a workload cannot depend on itself' });
        else (parents[index] as GraphParent[]).push({ kind: 'item', index: parentIndex });
      } else if (UUID.test(entry)) {
        const id = entry.toLowerCase();
        (parents[index] as GraphParent[]).push({ kind: 'workload', id });
        workloadIds.add(id);
      } else {
        problems.push({ path, message: `"${entry}" is neither a ref of this submission nor a workload id` });
      }
    });
  });
  if (problems.length > 0) return { ok: false, problems };

  const order = topologicalOrder(parents);
  if (order.length < items.length) {
    const placed = new Set(order);
    const inCycle = items.map((_item, index) => index).filter((index) => !placed.has(index) && onCycle(index, parents));
    return {
      ok: false,
      problems: inCycle.map((index) => ({ path: `${pathOf(index)}depends_on`, message: 'is part of a dependency cycle' })),
    };
  }
  return { ok: true, parents, workloadIds: [...workloadIds], order };
}

/** Kahn's algorithm: the items whose in-batch parents all come first; items on or behind a cycle are left out. */
function topologicalOrder(parents: readonly GraphParent[][]): number[] {
  const waiting = parents.map((list) => list.filter((parent) => parent.kind === 'item').length);
  const children: number[][] = parents.map(() => []);
  parents.forEach((list, child) => {
    for (const parent of list) if (parent.kind === 'item') (children[parent.index] as number[]).push(child);
  });
  const order: number[] = [];
  const ready = waiting.flatMap((count, index) => (count === 0 ? [index] : []));
  while (ready.length > 0) {
    const index = ready.pop() as number;
    order.push(index);
    for (const child of children[index] as number[]) {
      const left = (waiting[child] as number) - 1;
      waiting[child] = left;
      if (left === 0) ready.push(child);
    }
  }
  return order;
}

/** Whether `start` can reach itself through in-batch parents (it lies on a cycle, not merely behind one). */
function onCycle(start: number, parents: readonly GraphParent[][]): boolean {
  const seen = new Set<number>();
  const stack = [start];
  while (stack.length > 0) {
    const index = stack.pop() as number;
    for (const parent of parents[index] as GraphParent[]) {
      if (parent.kind !== 'item') continue;
      if (parent.index === start) return true;
      if (!seen.has(parent.index)) {
        seen.add(parent.index);
        stack.push(parent.index);
      }
    }
  }
  return false;
}

/** Whether a submission uses dependencies at all (the plain path skips everything here). */
export function hasDependencies(items: readonly GraphItem[]): boolean {
  return items.some((item) => item.ref !== undefined || (item.dependsOn !== undefined && item.dependsOn.length > 0));
}

/** The code a waiting dependent's `pending_reason` starts with. */
export const WAITING_FOR_DEPENDENCIES = 'waiting_for_dependencies';

/** `pending_reason` of a workload waiting for `left` of its `total` parents. */
export function waitingForDependenciesReason(left: number, total: number): string {
  return `${WAITING_FOR_DEPENDENCIES}: ${left} of ${total} parents not completed yet`;
}
