/**
 * Preloaded with `--import` into the cluster's processes when `GOSSIP_BENCH_PROF=<dir>` is set
 * (`--cpu-prof` is not allowed in `NODE_OPTIONS`): profiles the whole process with the inspector
 * and writes `<dir>/<role>-<pid>.cpuprofile` at exit, for Chrome DevTools or `speedscope`.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { join } from 'node:path';

const dir = process.env.GOSSIP_BENCH_PROF;
if (dir) {
  const session = new Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.setSamplingInterval', { interval: 500 });
  session.post('Profiler.start');
  const role = /frontend/.test(process.argv[1] ?? '') ? 'frontend' : 'backend';
  process.once('exit', () => {
    // A session on the main thread answers synchronously, so this runs before the process ends.
    session.post('Profiler.stop', (err, res) => {
      if (err) console.error(`cpu-prof: ${err.message}`);
      else writeFileSync(join(dir, `${role}-${process.pid}.cpuprofile`), JSON.stringify(res.profile));
    });
  });
}
