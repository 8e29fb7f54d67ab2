import { DomainError } from '@niyanta/models';
import { z } from 'zod';
import { FakeWorkloadContext } from '../testing/fake-workload-context';
import { inputJsonSchema, type InputOf } from './input-schema';
import { classifyWorkloadError, NonRetryableWorkloadError } from './errors';
import { defineWorkload, type WorkloadContext, type WorkloadHandler } from './workload-handler';
import { WorkloadRegistry } from './workload-registry';

const wordsInput = z.object({ text: z.string().min(1), lowercase: z.boolean().default(true) });

const executed: unknown[] = [];

interface WordsState {
  seen: number;
}

class Words implements WorkloadHandler<WordsState, z.output<typeof wordsInput>> {
  seenInput: z.output<typeof wordsInput> | undefined;
  init(): void {
    this.seenInput = undefined;
  }
  async execute(ctx: WorkloadContext<z.output<typeof wordsInput>>) {
    this.seenInput = ctx.input;
    executed.push(ctx.input);
    const text = ctx.input.lowercase ? ctx.input.text.toLowerCase() : ctx.input.text;
    return { words: text.split(/\s+/).length };
  }
  checkpoint(): WordsState {
    return { seen: 0 };
  }
  close(): void {
    this.seenInput = undefined;
  }
}

const words = defineWorkload({ type: 'words', input: wordsInput, create: () => new Words() });

describe('inputJsonSchema', () => {
  it('describes the input as submitted: required fields, types, and defaults as optional', () => {
    expect(inputJsonSchema(words)).toEqual({
      type: 'object',
      properties: { text: { type: 'string', minLength: 1 }, lowercase: { type: 'boolean', default: true } },
      required: ['text'],
    });
  });

  it('is null without a schema, and refuses a schema JSON Schema cannot express', () => {
    expect(inputJsonSchema({ type: 'plain' })).toBeNull();
    const unrepresentable = { type: 'dates', input: z.object({ at: z.date() }) };
    expect(() => inputJsonSchema(unrepresentable)).toThrow(DomainError);
    expect(() => new WorkloadRegistry().register({ ...unrepresentable, create: () => new Words() })).toThrow(/cannot be expressed as JSON Schema/);
  });
});

describe('defineWorkload with an input schema', () => {
  it('hands the handler the parsed input, defaults applied', async () => {
    const handler = words.create();
    // The context carries the input as submitted (the default left out); the handler sees it parsed.
    const submitted: InputOf<typeof words> = { text: 'A b C' };
    const ctx = new FakeWorkloadContext({ input: submitted as z.output<typeof wordsInput> });
    await handler.init(ctx);
    expect(await handler.execute(ctx)).toEqual({ words: 3 });
    expect(executed.at(-1)).toEqual({ text: 'A b C', lowercase: true });
  });

  it('fails input that does not parse without retry, naming the fields', async () => {
    const handler = words.create();
    const ctx = new FakeWorkloadContext({ input: { text: 7 } });
    const error = await (async () => handler.init(ctx as never))().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NonRetryableWorkloadError);
    expect(classifyWorkloadError(error)).toEqual({ kind: 'non_retryable', code: 'invalid_input', message: expect.stringContaining('input.text') });
  });
});

describe('classifyWorkloadError across copies of the package', () => {
  it('recognises an outcome error by its class name and code when instanceof cannot', () => {
    class NonRetryableWorkloadErrorOfAnotherCopy extends Error {
      readonly code = 'bad_row';
    }
    const foreign = new NonRetryableWorkloadErrorOfAnotherCopy('row 3 is malformed');
    foreign.name = 'NonRetryableWorkloadError';
    expect(classifyWorkloadError(foreign)).toEqual({ kind: 'non_retryable', code: 'bad_row', message: 'row 3 is malformed' });
  });
});
