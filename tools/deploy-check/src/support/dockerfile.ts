import { readFileSync } from 'node:fs';

/** One instruction of a Dockerfile: `COPY --from=build /src/dist ./dist` → `{ keyword: 'COPY', flags: {from: 'build'}, args: [...] }`. */
export interface Instruction {
  readonly keyword: string;
  readonly flags: Readonly<Record<string, string>>;
  readonly args: readonly string[];
  readonly text: string;
}

/** A build stage: its base image (ARG defaults substituted), its name, its instructions. */
export interface Stage {
  readonly name: string | undefined;
  readonly image: string;
  readonly instructions: readonly Instruction[];
}

/** Parses the instructions of a Dockerfile (comments dropped, continuation lines joined). */
export function parseDockerfile(path: string): { globalArgs: Record<string, string>; stages: Stage[] } {
  const logical = readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => !/^\s*#/.test(line))
    .join('\n')
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');
  const globalArgs: Record<string, string> = {};
  const stages: { name: string | undefined; image: string; instructions: Instruction[] }[] = [];
  for (const text of logical) {
    const [keyword = '', ...rest] = text.split(/\s+/);
    const flags: Record<string, string> = {};
    const args: string[] = [];
    for (const word of rest) {
      const flag = /^--([a-z-]+)(?:=(.*))?$/.exec(word);
      if (flag && args.length === 0) flags[flag[1] ?? ''] = flag[2] ?? 'true';
      else args.push(word);
    }
    const instruction: Instruction = { keyword: keyword.toUpperCase(), flags, args, text };
    if (instruction.keyword === 'FROM') {
      const image = (args[0] ?? '').replace(/\$\{(\w+)\}|\$(\w+)/g, (_, a: string, b: string) => globalArgs[a ?? b] ?? '');
      const asIndex = args.findIndex((word) => word.toUpperCase() === 'AS');
      stages.push({ name: asIndex >= 0 ? args[asIndex + 1] : undefined, image, instructions: [] });
    } else if (stages.length === 0 && instruction.keyword === 'ARG') {
      const [name = '', value = ''] = (args[0] ?? '').split('=');
      globalArgs[name] = value;
    } else {
      stages[stages.length - 1]?.instructions.push(instruction);
    }
  }
  return { globalArgs, stages };
}

/** `.dockerignore` patterns as a predicate on context-relative paths (a match on a parent excludes its files). */
export function dockerIgnore(path: string): (file: string) => boolean {
  const patterns = readFileSync(path, 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((pattern) => {
      const source = pattern
        .replace(/^\.?\//, '')
        .split('**/')
        .map((part) => part.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]'))
        .join('(?:.*/)?');
      return new RegExp(`^${source}(?:/.*)?$`);
    });
  return (file) => patterns.some((pattern) => pattern.test(file.replace(/^\.\//, '')));
}
