import { DomainError, ErrorCode } from '@niyanta/models';
import { assertInputsMatchSchemas } from './input-schema-validation';

const wordCount = {
  type: 'object',
  properties: { text: { type: 'string', minLength: 1 }, lines: { type: 'array', items: { type: 'integer' } } },
  required: ['text'],
  additionalProperties: false,
};
const configs = new Map([
  ['word-count', { inputSchema: wordCount }],
  ['free', { inputSchema: null }],
]);

function refusal(run: () => void): DomainError {
  try {
    run();
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error('expected a validation_failed error');
}

describe('assertInputsMatchSchemas', () => {
  it('accepts input that matches, and anything for a type without a schema', () => {
    expect(() =>
      assertInputsMatchSchemas(
        [
          { workload_type: 'word-count', input: { text: 'a b', lines: [1, 2] } },
          { workload_type: 'free', input: { anything: [1, 'x'] } },
          { workload_type: 'unregistered-here', input: {} },
        ],
        configs,
        (i) => `items.${i}.`,
      ),
    ).not.toThrow();
  });

  it('names every offending field: missing, wrong type, unexpected, nested', () => {
    const error = refusal(() =>
      assertInputsMatchSchemas(
        [
          { workload_type: 'word-count', input: { text: 'fine' } },
          { workload_type: 'word-count', input: { lines: [1, 'two'], extra: true } },
          { workload_type: 'word-count', input: { text: 5 } },
        ],
        configs,
        (i) => `items.${i}.`,
      ),
    );
    expect(error.code).toBe(ErrorCode.ValidationFailed);
    expect(error.message).toContain('"word-count"');
    expect(error.details.map((d) => d.path).sort()).toEqual(['items.1.input.extra', 'items.1.input.lines.1', 'items.1.input.text', 'items.2.input.text']);
  });

  it('checks a missing input as an empty object', () => {
    const error = refusal(() => assertInputsMatchSchemas([{ workload_type: 'word-count' }], configs, () => ''));
    expect(error.details).toEqual([{ path: 'input.text', message: "must have required property 'text'" }]);
  });
});
