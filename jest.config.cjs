// Runs every project's unit (*.spec.ts) and integration (*.int-spec.ts) tests in one Jest
// process pool. The end-to-end project (apps/e2e) runs separately: it spawns the real apps.
const fs = require('node:fs');
const path = require('node:path');

const projects = ['apps', 'libs', 'tools']
  .flatMap((dir) => (fs.existsSync(dir) ? fs.readdirSync(dir).map((name) => path.join(dir, name)) : []))
  .filter((p) => p !== path.join('apps', 'e2e') && fs.existsSync(path.join(p, 'jest.config.cjs')))
  .map((p) => `<rootDir>/${p}`);

module.exports = { projects };
