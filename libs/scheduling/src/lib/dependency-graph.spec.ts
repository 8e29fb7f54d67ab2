import fc from 'fast-check';
import { validateDependencyGraph, type GraphItem } from './dependency-graph';

const RUNS = 300;
const EARLIER = ['7f1c2a9e-1d1b-4f38-9a55-0a1b2c3d4e5f', '0c9d8e7f-6a5b-4c3d-8e2f-1a2b3c4d5e6f'];

/**
 * A random DAG: node i may depend only on nodes j < i (so no cycle is possible), plus now and then an
 * earlier workload id; the nodes are then shuffled so the submission order is not the topological one.
 */
const dag = fc
  .integer({ min: 1, max: 40 })
  .chain((size) =>
    fc.tuple(
      fc.constant(size),
      fc.array(fc.array(fc.nat({ max: size }), { maxLength: 4 }), { minLength: size, maxLength: size }),
      fc.array(fc.boolean(), { minLength: size, maxLength: size }),
      fc.shuffledSubarray(
        Array.from({ length: size }, (_v, i) => i),
        { minLength: size, maxLength: size },
      ),
    ),
  )
  .map(([size, picks, earlier, permutation]) => {
    const nodes: GraphItem[] = Array.from({ length: size }, (_v, i) => ({
      ref: `n${i}`,
      dependsOn: [
        ...(picks[i] as number[]).filter((p) => p < i).map((p) => `n${p}`),
        ...(earlier[i] && i % 3 === 0 ? [EARLIER[i % 2] as string] : []),
      ],
    }));
    return permutation.map((i) => nodes[i] as GraphItem);
  });

/** A DAG with one back edge added along a path it already has, so it holds exactly the cycle made by it. */
const withCycle = fc
  .tuple(fc.integer({ min: 2, max: 30 }), fc.array(fc.nat(), { maxLength: 60 }))
  .chain(([size, noise]) =>
    fc.tuple(fc.constant(size), fc.constant(noise), fc.integer({ min: 0, max: size - 2 }), fc.integer({ min: 1, max: size - 1 })),
  )
  .map(([size, noise, from, span]) => {
    const to = Math.min(size - 1, from + span);
    // A chain from..to guarantees to reaches from; the back edge from -> to closes the cycle.
    const nodes: GraphItem[] = Array.from({ length: size }, (_v, i) => {
      const dependsOn = new Set<string>();
      if (i > from && i <= to) dependsOn.add(`n${i - 1}`);
      const extra = noise[i];
      if (extra !== undefined && i > 0) dependsOn.add(`n${extra % i}`);
      return { ref: `n${i}`, dependsOn: [...dependsOn] };
    });
    (nodes[from] as { dependsOn: string[] }).dependsOn.push(`n${to}`);
    return { nodes, cycle: Array.from({ length: to - from + 1 }, (_v, k) => from + k) };
  });

describe('validateDependencyGraph', () => {
  it('accepts every DAG and orders each parent before its children', () => {
    let checked = 0;
    fc.assert(
      fc.property(dag, (items) => {
        const result = validateDependencyGraph(items);
        if (!result.ok) throw new Error(JSON.stringify(result.problems));
        const position = new Map(result.order.map((index, rank) => [index, rank]));
        expect(result.order).toHaveLength(items.length);
        result.parents.forEach((parents, child) => {
          for (const parent of parents) {
            if (parent.kind === 'item') expect(position.get(parent.index)).toBeLessThan(position.get(child) as number);
          }
        });
        if (result.parents.some((parents) => parents.length > 0)) checked += 1;
      }),
      { numRuns: RUNS },
    );
    // Most generated graphs have edges, so the ordering assertion ran on them.
    expect(checked).toBeGreaterThan(RUNS * 0.8);
  });

  it('rejects every graph with a cycle, naming each item on it and nothing else', () => {
    let checked = 0;
    fc.assert(
      fc.property(withCycle, ({ nodes, cycle }) => {
        const result = validateDependencyGraph(nodes);
        expect(result.ok).toBe(false);
        if (result.ok) return;
        const named = result.problems.map((problem) => problem.path);
        for (const index of cycle) expect(named).toContain(`items.${index}.depends_on`);
        for (const problem of result.problems) expect(problem.message).toBe('is part of a dependency cycle');
        checked += 1;
      }),
      { numRuns: RUNS },
    );
    expect(checked).toBe(RUNS);
  });

  it('rejects a self-reference, an unknown ref and a repeated ref', () => {
    const self = validateDependencyGraph([{ ref: 'a', dependsOn: ['a'] }]);
    expect(self).toEqual({ ok: false, problems: [{ path: 'items.0.depends_on.0', message: 'a workload cannot depend on itself' }] });
    const unknown = validateDependencyGraph([{ ref: 'a', dependsOn: ['nope'] }]);
    expect(unknown.ok).toBe(false);
    expect(!unknown.ok && unknown.problems[0]?.path).toBe('items.0.depends_on.0');
    const repeated = validateDependencyGraph([{ ref: 'a' }, { ref: 'a' }]);
    expect(!repeated.ok && repeated.problems).toEqual([{ path: 'items.1.ref', message: 'repeats the ref of items.0.ref' }]);
  });

  it('resolves earlier workload ids and in-batch refs, deduplicated', () => {
    const id = EARLIER[0] as string;
    const result = validateDependencyGraph([{ ref: 'extract' }, { dependsOn: ['extract', 'extract', id.toUpperCase()] }]);
    expect(result).toEqual({
      ok: true,
      parents: [[], [{ kind: 'item', index: 0 }, { kind: 'workload', id }]],
      workloadIds: [id],
      order: [0, 1],
    });
  });

  it('names the path of a single submission without an items prefix', () => {
    const result = validateDependencyGraph([{ dependsOn: ['x'] }], () => '');
    expect(!result.ok && result.problems[0]?.path).toBe('depends_on.0');
  });
});
