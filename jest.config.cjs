// Runs every project's unit (*.spec.ts) and integration (*.int-spec.ts) tests in one Jest
// process pool. The end-to-end project (apps/e2e) runs separately: it spawns the real apps.
const fs = require('node:fs');
const path = require('node:path');

const projects = ['apps', 'libs', 'tools']
  .flatMap((dir) => (fs.existsSync(dir) ? fs.readdirSync(dir).map((name) => path.join(dir, name)) : []))
  .filter((p) => p !== path.join('apps', 'e2e') && fs.existsSync(path.join(p, 'jest.config.cjs')))
  .map((p) => `<rootDir>/${p}`);

// testTimeout is a global option: the projects' own values do not apply in this run. 60 s, not
// Jest's 5 s, so a loaded machine makes slow tests slower, not failed; suites that need more set
// it themselves with jest.setTimeout.
module.exports = { projects, testTimeout: 60_000 };
