import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateGoTypes, goName } from './go-types.generator';

const DOCUMENT = {
  openapi: '3.0.3',
  components: {
    schemas: {
      Thing: {
        type: 'object',
        description: 'A thing.',
        required: ['id', 'count', 'status', 'created_at', 'owner_id', 'labels', 'value'],
        properties: {
          id: { type: 'string', format: 'uuid' },
          count: { type: 'integer', format: 'int32' },
          size_bytes: { type: 'integer', format: 'int64' },
          ratio: { type: 'number' },
          status: { allOf: [{ $ref: '#/components/schemas/ThingStatus' }] },
          created_at: { type: 'string', format: 'date-time' },
          owner_id: { type: 'string', nullable: true },
          labels: { type: 'object', additionalProperties: { type: 'string' } },
          parts: { type: 'array', items: { $ref: '#/components/schemas/Part' } },
          value: { allOf: [{ $ref: '#/components/schemas/JsonValue' }] },
        },
      },
      Part: { type: 'object', required: ['name'], properties: { name: { type: 'string' } } },
      ThingStatus: { type: 'string', enum: ['ON', 'OFF'] },
      JsonValue: { description: 'Any JSON value.' },
    },
  },
};

describe(goName.name, () => {
  it('turns snake_case, kebab-case and initialisms into Go names', () => {
    expect(goName('worker_id')).toBe('WorkerID');
    expect(goName('api-keys')).toBe('APIKeys');
    expect(goName('WorkloadDto')).toBe('WorkloadDto');
    expect(goName('3d')).toBe('N3d');
  });
});

describe(generateGoTypes.name, () => {
  const source = generateGoTypes(DOCUMENT);

  it('declares structs with JSON tags, sized integers, times, pointers for nullable and optional fields', () => {
    expect(source).toContain('type Thing struct {');
    expect(source).toContain('\tID string `json:"id"`');
    expect(source).toContain('\tCount int32 `json:"count"`');
    expect(source).toContain('\tSizeBytes *int64 `json:"size_bytes,omitempty"`');
    expect(source).toContain('\tRatio *float64 `json:"ratio,omitempty"`');
    expect(source).toContain('\tStatus ThingStatus `json:"status"`');
    expect(source).toContain('\tCreatedAt time.Time `json:"created_at"`');
    expect(source).toContain('\tOwnerID *string `json:"owner_id"`');
    expect(source).toContain('\tLabels map[string]string `json:"labels"`');
    expect(source).toContain('\tParts []Part `json:"parts,omitempty"`');
    expect(source).toContain('\tValue JsonValue `json:"value"`');
    expect(source).toContain('type JsonValue = interface{}');
    expect(source).toContain('ThingStatusOn ThingStatus = "ON"');
    expect(source).toContain('"Thing": func() interface{} { return new(Thing) },');
  });

  it('compiles, and its decode check rejects unknown fields, unknown enum values and bad times', () => {
    // Fails, never skips, without Go: a check whose tool is missing has not passed.
    expect({ go: spawnSync('go', ['version']).status === 0 ? 'on PATH' : 'missing: apt-get install golang-go (.ci/run installs it)' }).toEqual({
      go: 'on PATH',
    });
    const work = mkdtempSync(join(tmpdir(), 'niyanta-go-gen-'));
    try {
      mkdirSync(join(work, 'samples'));
      const good = { id: 'a', count: 1, status: 'ON', created_at: '2026-01-31T12:00:00.000Z', owner_id: null, labels: {}, value: [1, 'x'] };
      writeFileSync(join(work, 'samples', 'Thing.good.json'), JSON.stringify(good));
      writeFileSync(join(work, 'samples', 'Thing.extra.json'), JSON.stringify({ ...good, surprise: 1 }));
      writeFileSync(join(work, 'samples', 'Thing.enum.json'), JSON.stringify({ ...good, status: 'MAYBE' }));
      writeFileSync(join(work, 'samples', 'Thing.time.json'), JSON.stringify({ ...good, created_at: 'yesterday' }));
      writeFileSync(join(work, 'samples', 'Thing.type.json'), JSON.stringify({ ...good, count: '1' }));
      writeFileSync(join(work, 'go.mod'), 'module decodecheck\n\ngo 1.19\n');
      writeFileSync(join(work, 'types.go'), source);
      copyFileSync(join(__dirname, 'decode-check', 'main.go'), join(work, 'main.go'));
      const run = spawnSync('go', ['run', '.', 'samples'], { cwd: work, encoding: 'utf8', env: { ...process.env, GOPROXY: 'off' } });
      expect(run.status).toBe(1);
      const failures = run.stdout.split('\n').filter((line) => line.startsWith('FAIL')).sort();
      expect(failures).toEqual([
        expect.stringMatching(/^FAIL Thing\.enum\.json: "MAYBE" is not a ThingStatus/),
        expect.stringMatching(/^FAIL Thing\.extra\.json: json: unknown field "surprise"/),
        expect.stringMatching(/^FAIL Thing\.time\.json: parsing time/),
        expect.stringMatching(/^FAIL Thing\.type\.json: json: cannot unmarshal string/),
      ]);
      expect(run.stdout).toContain('decoded 1 of 5 samples into 1 Go types');
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }, 60_000);
});
