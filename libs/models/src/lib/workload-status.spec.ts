import fc from 'fast-check';
import {
  ALL_WORKLOAD_STATUSES,
  COMMAND_SOURCES,
  TERMINAL_STATUSES,
  WorkloadCommand,
  WorkloadStatus,
  assertTransition,
  canTransition,
  commandTarget,
  isActive,
  isTerminal,
  isWorkloadStatus,
  releaseTarget,
} from './workload-status';
import { ErrorCode, InvalidStateError } from './errors';

const status = fc.constantFrom(...ALL_WORKLOAD_STATUSES);
const command = fc.constantFrom<WorkloadCommand>('cancel', 'pause', 'resume');
const successors = (from: WorkloadStatus) => ALL_WORKLOAD_STATUSES.filter((to) => canTransition(from, to));

describe('workload status state machine', () => {
  it('reaches every status from PENDING, where a submitted workload starts', () => {
    const seen = new Set<WorkloadStatus>([WorkloadStatus.Pending]);
    const frontier: WorkloadStatus[] = [WorkloadStatus.Pending];
    while (frontier.length > 0) {
      for (const next of successors(frontier.pop() as WorkloadStatus)) {
        if (!seen.has(next)) {
          seen.add(next);
          frontier.push(next);
        }
      }
    }
    expect([...seen].sort()).toEqual([...ALL_WORKLOAD_STATUSES].sort());
  });

  it('the terminal statuses are exactly those the transition table gives no exit', () => {
    fc.assert(
      fc.property(status, (s) => {
        expect(isTerminal(s)).toBe(successors(s).length === 0);
      }),
    );
  });

  it('terminal statuses have no exits', () => {
    fc.assert(
      fc.property(status, status, (from, to) => {
        if (isTerminal(from)) expect(canTransition(from, to)).toBe(false);
      }),
    );
  });

  it('every non-terminal status can still end: a terminal status is reachable from it', () => {
    for (const start of ALL_WORKLOAD_STATUSES.filter((s) => !isTerminal(s))) {
      const seen = new Set<WorkloadStatus>([start]);
      const frontier = [start];
      while (frontier.length > 0) {
        for (const next of successors(frontier.pop() as WorkloadStatus)) {
          if (!seen.has(next)) {
            seen.add(next);
            frontier.push(next);
          }
        }
      }
      expect([...seen].some(isTerminal)).toBe(true);
    }
  });

  it('a workload takes a worker slot only by being scheduled from PENDING', () => {
    const intoSlot = ALL_WORKLOAD_STATUSES.flatMap((from) =>
      ALL_WORKLOAD_STATUSES.filter((to) => canTransition(from, to) && !isActive(from) && isActive(to)).map((to) => [from, to]),
    );
    expect(intoSlot).toEqual([[WorkloadStatus.Pending, WorkloadStatus.Scheduled]]);
  });

  it('a workload holding a slot can always be requeued (its worker lost) and is never terminal', () => {
    for (const held of ALL_WORKLOAD_STATUSES.filter(isActive)) {
      expect(isTerminal(held)).toBe(false);
      expect(canTransition(held, WorkloadStatus.Pending)).toBe(true);
    }
    expect(ALL_WORKLOAD_STATUSES.filter(isActive)).not.toEqual([]);
  });

  it('assertTransition throws InvalidStateError exactly when canTransition is false', () => {
    fc.assert(
      fc.property(status, status, (from, to) => {
        if (canTransition(from, to)) {
          expect(() => assertTransition(from, to)).not.toThrow();
        } else {
          let thrown: unknown;
          try {
            assertTransition(from, to);
          } catch (error) {
            thrown = error;
          }
          expect(thrown).toBeInstanceOf(InvalidStateError);
          expect((thrown as InvalidStateError).code).toBe(ErrorCode.InvalidState);
        }
      }),
    );
  });

  it('a random walk through allowed transitions only visits statuses and stops only at terminal ones', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(), { minLength: 1, maxLength: 60 }), (choices) => {
        let current: WorkloadStatus = WorkloadStatus.Pending;
        for (const choice of choices) {
          const next = successors(current);
          if (next.length === 0) {
            expect(isTerminal(current)).toBe(true);
            break;
          }
          const chosen = next[choice % next.length];
          expect(canTransition(current, chosen)).toBe(true);
          current = chosen;
          expect(isWorkloadStatus(current)).toBe(true);
        }
        if (successors(current).length === 0) expect(isTerminal(current)).toBe(true);
      }),
    );
  });

  it('commandTarget agrees with canTransition and with COMMAND_SOURCES', () => {
    fc.assert(
      fc.property(command, status, (cmd, from) => {
        if (COMMAND_SOURCES[cmd].includes(from)) {
          const to = commandTarget(cmd, from);
          expect(canTransition(from, to)).toBe(true);
        } else {
          expect(() => commandTarget(cmd, from)).toThrow(InvalidStateError);
        }
      }),
    );
  });

  it('cancel is allowed exactly from the non-terminal statuses and always leads to CANCELLED', () => {
    fc.assert(
      fc.property(status, (from) => {
        if (isTerminal(from)) {
          expect(() => commandTarget('cancel', from)).toThrow(InvalidStateError);
        } else {
          expect(commandTarget('cancel', from)).toBe(WorkloadStatus.Cancelled);
        }
      }),
    );
  });

  it('pause goes through PAUSING only from RUNNING, and resume only leaves PAUSED for PENDING', () => {
    expect(commandTarget('pause', WorkloadStatus.Running)).toBe(WorkloadStatus.Pausing);
    expect(commandTarget('pause', WorkloadStatus.Pending)).toBe(WorkloadStatus.Paused);
    expect(commandTarget('pause', WorkloadStatus.Scheduled)).toBe(WorkloadStatus.Paused);
    fc.assert(
      fc.property(status, (from) => {
        if (from === WorkloadStatus.Paused) expect(commandTarget('resume', from)).toBe(WorkloadStatus.Pending);
        else expect(() => commandTarget('resume', from)).toThrow(InvalidStateError);
      }),
    );
  });

  it('no command is accepted on a terminal workload', () => {
    fc.assert(
      fc.property(command, fc.constantFrom(...TERMINAL_STATUSES), (cmd, from) => {
        expect(() => commandTarget(cmd, from)).toThrow(InvalidStateError);
      }),
    );
  });

  it('releaseTarget parks a PAUSING attempt, requeues a SCHEDULED or RUNNING one, and refuses the rest', () => {
    expect(releaseTarget(WorkloadStatus.Pausing)).toBe(WorkloadStatus.Paused);
    expect(releaseTarget(WorkloadStatus.Scheduled)).toBe(WorkloadStatus.Pending);
    expect(releaseTarget(WorkloadStatus.Running)).toBe(WorkloadStatus.Pending);
    fc.assert(
      fc.property(status, (from) => {
        if (isActive(from)) expect(canTransition(from, releaseTarget(from))).toBe(true);
        else expect(() => releaseTarget(from)).toThrow(InvalidStateError);
      }),
    );
  });

  it('isWorkloadStatus accepts exactly the statuses', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.integer(), fc.constant(null), status), (value) => {
        expect(isWorkloadStatus(value)).toBe((ALL_WORKLOAD_STATUSES as readonly unknown[]).includes(value));
      }),
    );
  });
});
