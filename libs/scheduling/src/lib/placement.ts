import { AffinityEvaluation, antiViolation, evaluateAffinity, requiredViolation } from '@niyanta/affinity';
import { AffinityRules } from '@niyanta/models';

/** What a workload needs from a worker. */
export interface PlacementRequest {
  workloadType: string;
  affinity: Readonly<Partial<AffinityRules>>;
  /** Preferred region; null when the workload has none. */
  region: string | null;
}

/** The leader's view of one worker when placing. */
export interface WorkerSlots {
  id: string;
  tags: Readonly<Record<string, string>>;
  region: string | null;
  /** Concurrent slots. */
  capacity: number;
  /** Slots in use (SCHEDULED, RUNNING or PAUSING workloads). */
  running: number;
  workloadTypes: readonly string[];
  /** False while the worker is DRAINING or DEAD: it takes no new work. */
  accepting: boolean;
}

/** Where a workload goes. */
export interface PlacementMade {
  workerId: string;
  /** The worker's affinity score (see `AffinityEvaluation.score` in `@niyanta/affinity`). */
  score: number;
  preferredMatches: number;
  regionMatch: boolean;
}

/** Why a workload cannot be placed now; `reason` is shown to the customer as `pending_reason`. */
export interface PlacementRefused {
  workerId: null;
  reason: string;
}

/** Result of {@link chooseWorker}. */
export type PlacementDecision = PlacementMade | PlacementRefused;

/** Narrows a {@link PlacementDecision} to a placement. */
export function isPlaced(decision: PlacementDecision): decision is PlacementMade {
  return decision.workerId !== null;
}

/**
 * Picks the worker for one workload (SPEC §5). A worker fits when it is accepting, supports the
 * type, matches every `required` tag and no `anti` tag, and has a free slot. Among fitting workers
 * the winner has, in this order: more `preferred` matches, the preferred region, the lower load
 * ratio (`running / capacity`), the smaller id (so equal inputs give equal answers).
 *
 * When nothing fits, `reason` names the most useful cause, checked in this order:
 * `no live workers`; `no live worker supports type "<t>"`; an affinity rule no supporting worker
 * satisfies (`no live worker has gpu=a100`, `every live worker for "<t>" has zone=a (anti-affinity)`),
 * or the set of rules when no single rule is to blame; `all N fitting workers are full`.
 */
export function chooseWorker(request: PlacementRequest, workers: readonly WorkerSlots[]): PlacementDecision {
  let best: WorkerSlots | undefined;
  let bestEval: AffinityEvaluation | undefined;
  let bestLoad = 0;
  for (const worker of workers) {
    if (!worker.accepting || worker.running >= worker.capacity) continue;
    if (!worker.workloadTypes.includes(request.workloadType)) continue;
    const evaluation = evaluateAffinity(request.affinity, worker, request.region);
    if (!evaluation.eligible) continue;
    const load = worker.capacity > 0 ? worker.running / worker.capacity : 1;
    if (!best || !bestEval || better(evaluation, load, worker.id, bestEval, bestLoad, best.id)) {
      best = worker;
      bestEval = evaluation;
      bestLoad = load;
    }
  }
  if (best && bestEval) {
    return {
      workerId: best.id,
      score: bestEval.score,
      preferredMatches: bestEval.preferredMatches,
      regionMatch: bestEval.regionMatch,
    };
  }
  return { workerId: null, reason: explainRefusal(request, workers) };
}

function better(
  a: AffinityEvaluation,
  aLoad: number,
  aId: string,
  b: AffinityEvaluation,
  bLoad: number,
  bId: string,
): boolean {
  if (a.preferredMatches !== b.preferredMatches) return a.preferredMatches > b.preferredMatches;
  if (a.regionMatch !== b.regionMatch) return a.regionMatch;
  if (aLoad !== bLoad) return aLoad < bLoad;
  return aId < bId;
}

/** The refusal when `fitting` workers would take the workload but every one is full. */
export function fullWorkersReason(fitting: number): string {
  return fitting === 1 ? 'the 1 fitting worker is full' : `all ${fitting} fitting workers are full`;
}

/**
 * Why `request` cannot be placed on `workers` (see {@link chooseWorker}); only meaningful when it
 * cannot. The slow path: it evaluates every worker in full.
 */
export function explainRefusal(request: PlacementRequest, workers: readonly WorkerSlots[]): string {
  const live = workers.filter((w) => w.accepting);
  if (live.length === 0) return 'no live workers';
  const supporting = live.filter((w) => w.workloadTypes.includes(request.workloadType));
  if (supporting.length === 0) return `no live worker supports type "${request.workloadType}"`;

  const fitting: WorkerSlots[] = [];
  const violationCounts = new Map<string, number>();
  for (const worker of supporting) {
    const evaluation = evaluateAffinity(request.affinity, worker, request.region);
    if (evaluation.eligible) fitting.push(worker);
    for (const violation of evaluation.violations) violationCounts.set(violation, (violationCounts.get(violation) ?? 0) + 1);
  }
  if (fitting.length === 0) {
    // Rule order, not worker order, so the reason is stable however the fleet is listed.
    const broken = ruleViolations(request.affinity).filter((violation) => violationCounts.has(violation));
    // A rule every supporting worker breaks is the one the customer must change; report the first.
    const universal = broken.find((violation) => violationCounts.get(violation) === supporting.length);
    if (universal !== undefined) return describeUniversalViolation(universal, request.workloadType);
    return `no live worker for type "${request.workloadType}" satisfies all of: ${broken.join(', ')}`;
  }
  return fullWorkersReason(fitting.length);
}

function describeUniversalViolation(violation: string, workloadType: string): string {
  if (violation.startsWith('requires ')) return `no live worker has ${violation.slice('requires '.length)}`;
  return `every live worker for type "${workloadType}" has ${violation.slice('anti '.length)} (anti-affinity)`;
}

function ruleViolations(affinity: Readonly<Partial<AffinityRules>>): string[] {
  return [
    ...Object.entries(affinity.required ?? {}).map(([tag, value]) => requiredViolation(tag, value)),
    ...Object.entries(affinity.anti ?? {}).map(([tag, value]) => antiViolation(tag, value)),
  ];
}
