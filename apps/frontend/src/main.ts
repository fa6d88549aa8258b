#!/usr/bin/env node
import { runFrontend } from './run.js';

const stopSignal = new Promise<string>((resolve) => {
  for (const sig of ['SIGTERM', 'SIGINT'] as const) process.once(sig, () => resolve(sig));
});

runFrontend({
  argv: process.argv.slice(2),
  env: process.env,
  stderr: (line) => process.stderr.write(`${line}\n`),
  stopSignal,
}).then(
  (code) => {
    process.exitCode = code;
    // Timers of a stopped frontend are cleared; exit anyway so a stray handle cannot keep us up.
    setTimeout(() => process.exit(code), 1000).unref();
  },
  (err: unknown) => {
    process.stderr.write(
      `shoal-frontend: fatal: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    process.exit(1);
  },
);
