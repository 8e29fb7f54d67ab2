import { join, relative } from 'node:path';
import { workloadDefinitions } from './workload-definitions';

const fixture = join(__dirname, 'fixtures', 'echo.workload.ts');

describe(workloadDefinitions.name, () => {
  it('always offers the sample types', () => {
    expect(workloadDefinitions([]).map((d) => d.type)).toEqual(['flaky', 'sleep']);
  });

  it('adds the types exported by WORKLOAD_MODULES, by absolute or working-directory-relative path', () => {
    expect(workloadDefinitions([fixture]).map((d) => d.type)).toEqual(['echo', 'flaky', 'sleep']);
    expect(workloadDefinitions([`./${relative(process.cwd(), fixture)}`]).map((d) => d.type)).toContain('echo');
  });

  it('names a module that cannot be loaded', () => {
    expect(() => workloadDefinitions(['./no/such/module.js'])).toThrow('cannot load workload module ./no/such/module.js');
  });
});
