import { validateSample } from './sample-validator';

const DOCUMENT = {
  components: {
    schemas: {
      Thing: {
        type: 'object',
        required: ['id', 'count', 'note'],
        properties: {
          id: { type: 'string', format: 'uuid' },
          count: { type: 'integer', format: 'int32', minimum: 0 },
          note: { type: 'string', nullable: true },
          when: { type: 'string', format: 'date-time' },
          status: { allOf: [{ $ref: '#/components/schemas/Status' }] },
          value: { allOf: [{ $ref: '#/components/schemas/JsonValue' }] },
        },
      },
      Status: { type: 'string', enum: ['ON', 'OFF'] },
      JsonValue: { description: 'Any JSON value.' },
      Message: {
        oneOf: [{ $ref: '#/components/schemas/Thing' }],
        discriminator: { propertyName: 'kind', mapping: { thing: '#/components/schemas/Thing' } },
      },
    },
  },
};

const ID = '0b6f8e0e-2f63-4f7e-9f5c-6a0a3c1d2e4f';

describe(validateSample.name, () => {
  it('accepts a conforming value, null where nullable and any value where the schema is any', () => {
    expect(validateSample(DOCUMENT, 'Thing', { id: ID, count: 2, note: null, when: '2026-01-31T12:00:00.000Z', status: 'ON', value: null })).toEqual([]);
  });

  it('reports missing required fields, nulls, wrong types, enums, formats, ranges and undeclared fields', () => {
    expect(validateSample(DOCUMENT, 'Thing', { id: 'x', count: -1.5, when: 'today', status: 'MAYBE', extra: 1 })).toEqual([
      'Thing.note: required but missing',
      'Thing.id: not a UUID',
      'Thing.count: expected an integer',
      'Thing.count: below the minimum',
      'Thing.when: not an RFC 3339 date-time',
      'Thing.status: "MAYBE" is not one of the enum',
      'Thing.extra: not declared',
    ]);
    expect(validateSample(DOCUMENT, 'Thing', { id: ID, count: null, note: 'a' })).toEqual(['Thing.count: null is not allowed']);
  });

  it('follows a discriminator to the variant', () => {
    expect(validateSample(DOCUMENT, 'Message', { kind: 'other' })).toEqual(['Message: kind="other" matches no variant']);
    expect(validateSample(DOCUMENT, 'Message', { kind: 'thing', id: ID, count: 1 })).toEqual(['Message.note: required but missing', 'Message.kind: not declared']);
  });
});
