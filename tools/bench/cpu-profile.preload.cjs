/**
 * Preloaded into the apps the lifecycle benchmark spawns with --profile (Node refuses --cpu-prof in
 * NODE_OPTIONS): profiles the whole process and writes a `.cpuprofile` into CPU_PROFILE_DIR on exit.
 * The main-thread inspector session answers synchronously, so the profile is written in time.
 */
const { Session } = require('node:inspector');
const { mkdirSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');

const dir = process.env.CPU_PROFILE_DIR;
if (dir) {
  const session = new Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.setSamplingInterval', { interval: 1000 });
  session.post('Profiler.start');
  process.on('exit', () => {
    session.post('Profiler.stop', (error, result) => {
      if (error) return;
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, `${process.pid}.cpuprofile`), JSON.stringify(result.profile));
    });
  });
}
