import { createEnvelope, MessageType, type Workload } from '@niyanta/models';
import { parseAssignment, parseAssignments, parseControl, parseDrainRequest, workloadEvent } from './worker-messages';

describe(parseAssignment.name, () => {
  const payload = {
    workload_id: '0b7f6f9e-2c1a-4d3e-9f00-123456789abc',
    customer_id: '1c8e7a0f-3d2b-4e4f-8a11-23456789abcd',
    workload_type: 'sleep',
    attempt: 2,
    input: { x: 1 },
    generation: 7,
  };

  it('reads a well-formed assignment', () => {
    expect(parseAssignment(createEnvelope(MessageType.Assignment, payload))).toEqual(payload);
  });

  it('keeps the tier and a well-formed trace context, and drops a malformed one', () => {
    const trace = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    const traced = { ...payload, tier: 'gold', trace };
    expect(parseAssignment(createEnvelope(MessageType.Assignment, traced))).toEqual(traced);
    expect(parseAssignment(createEnvelope(MessageType.Assignment, { ...payload, trace: 'not-a-traceparent' }))).toEqual(payload);
  });

  it.each([
    ['another message type', createEnvelope(MessageType.Control, payload)],
    ['an unknown version', createEnvelope(MessageType.Assignment, payload, { version: 2 })],
    ['a missing id', createEnvelope(MessageType.Assignment, { ...payload, workload_id: undefined })],
    ['an id that is not a UUID', createEnvelope(MessageType.Assignment, { ...payload, workload_id: 'abc' })],
    ['attempt 0', createEnvelope(MessageType.Assignment, { ...payload, attempt: 0 })],
    ['a fractional attempt', createEnvelope(MessageType.Assignment, { ...payload, attempt: 1.5 })],
    ['a non-object payload', createEnvelope(MessageType.Assignment, 'nope')],
  ])('rejects %s', (_name, envelope) => {
    expect(parseAssignment(envelope)).toBeNull();
  });
});

describe(parseAssignments.name, () => {
  const one = {
    workload_id: '0b7f6f9e-2c1a-4d3e-9f00-123456789abc',
    customer_id: '1c8e7a0f-3d2b-4e4f-8a11-23456789abcd',
    workload_type: 'sleep',
    attempt: 1,
    input: {},
    generation: 3,
  };
  const two = { ...one, workload_id: '2b7f6f9e-2c1a-4d3e-9f00-123456789abc', attempt: 2 };

  it('reads every assignment of a batch and leaves a malformed one out without failing the others', () => {
    const batch = createEnvelope(MessageType.AssignmentBatch, { assignments: [one, { ...one, attempt: 0 }, two] });
    expect(parseAssignments(batch)).toEqual({ assignments: [one, two], malformed: 1 });
  });

  it('reads a single assignment as a batch of one, and refuses other types and versions', () => {
    expect(parseAssignments(createEnvelope(MessageType.Assignment, one))).toEqual({ assignments: [one], malformed: 0 });
    expect(parseAssignments(createEnvelope(MessageType.AssignmentBatch, { assignments: 'x' }))).toEqual({ assignments: [], malformed: 1 });
    expect(parseAssignments(createEnvelope(MessageType.Control, one))).toBeNull();
    expect(parseAssignments(createEnvelope(MessageType.AssignmentBatch, { assignments: [one] }, { version: 2 }))).toBeNull();
  });
});

describe(parseControl.name, () => {
  it('reads cancel and pause, rejects anything else', () => {
    const cancel = { action: 'cancel', workload_id: '0b7f6f9e-2c1a-4d3e-9f00-123456789abc', attempt: 1 };
    expect(parseControl(createEnvelope(MessageType.Control, cancel))).toEqual(cancel);
    expect(parseControl(createEnvelope(MessageType.Control, { ...cancel, action: 'pause' }))).toMatchObject({
      action: 'pause',
    });
    expect(parseControl(createEnvelope(MessageType.Control, { ...cancel, action: 'abort' }))).toMatchObject({
      action: 'abort',
    });
    expect(parseControl(createEnvelope(MessageType.Control, { ...cancel, action: 'resume' }))).toBeNull();
    expect(parseControl(createEnvelope(MessageType.Assignment, cancel))).toBeNull();
  });
});

describe(parseDrainRequest.name, () => {
  it('reads a drain request addressed to this worker only', () => {
    const request = { worker_id: 'w1', requested_by: 'admin' };
    expect(parseDrainRequest(createEnvelope(MessageType.WorkerDrain, request), 'w1')).toEqual(request);
    expect(parseDrainRequest(createEnvelope(MessageType.WorkerDrain, request), 'w2')).toBeNull();
    expect(parseDrainRequest(createEnvelope(MessageType.Control, request), 'w1')).toBeNull();
    expect(parseDrainRequest(createEnvelope(MessageType.WorkerDrain, { worker_id: 'w1' }), 'w1')).toEqual({
      worker_id: 'w1',
      requested_by: 'unknown',
    });
  });
});

describe(workloadEvent.name, () => {
  it('carries the output only when completed and the error only when there is one', () => {
    const base = {
      id: 'a',
      customerId: 'c',
      workloadType: 'sleep',
      attempt: 1,
      progress: 1,
      workerId: 'w1',
      output: { ok: true },
      error: null,
      updatedAt: new Date('2026-01-02T03:04:05Z'),
    } as unknown as Workload;
    expect(workloadEvent({ ...base, status: 'COMPLETED' })).toEqual({
      workload_id: 'a',
      customer_id: 'c',
      workload_type: 'sleep',
      status: 'COMPLETED',
      attempt: 1,
      progress: 1,
      worker_id: 'w1',
      output: { ok: true },
      occurred_at: '2026-01-02T03:04:05.000Z',
    });
    const failed = workloadEvent({ ...base, status: 'FAILED', error: { code: 'x', message: 'y' } });
    expect(failed.output).toBeUndefined();
    expect(failed.error).toEqual({ code: 'x', message: 'y' });
  });
});
