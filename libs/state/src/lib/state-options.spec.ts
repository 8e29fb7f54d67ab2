import { resolveSchema } from './state-options';

describe(resolveSchema.name, () => {
  it("defaults to PostgreSQL's own public schema", () => {
    expect(resolveSchema({})).toBe('public');
    expect(resolveSchema({ schema: undefined })).toBe('public');
  });

  it('accepts names that need no quoting', () => {
    expect(resolveSchema({ schema: 'suite_1_ab12' })).toBe('suite_1_ab12');
    expect(resolveSchema({ schema: '_x' })).toBe('_x');
  });

  it.each(['Upper', '1starts_with_digit', 'semi;colon', 'quote"d', 'has space', '', 'a'.repeat(64)])(
    'rejects %j',
    (schema) => {
      expect(() => resolveSchema({ schema })).toThrow(/invalid schema name/);
    },
  );
});
