// Helpers for the systemd test: unit and environment file parsing, and systemd-analyze runs.
import { execFile } from 'node:child_process';

/** A unit file: section name → key → every value given (in order; an empty value resets in systemd). */
export type Unit = Map<string, Map<string, string[]>>;

/** Parses a unit file (comments, sections, `Key=value`; no line continuations in ours). */
export function parseUnit(text: string): Unit {
  const unit: Unit = new Map();
  let section: Map<string, string[]> | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[(.+)\]$/.exec(line);
    if (header?.[1] !== undefined) {
      // A section may appear again (as when a drop-in is applied): systemd merges them.
      section = unit.get(header[1]) ?? new Map();
      unit.set(header[1], section);
      continue;
    }
    const eq = line.indexOf('=');
    if (section === undefined || eq < 0) throw new Error(`not a unit line: ${line}`);
    const key = line.slice(0, eq).trim();
    const values = section.get(key) ?? [];
    values.push(line.slice(eq + 1).trim());
    section.set(key, values);
  }
  return unit;
}

/** The last value of `key` in `section` (systemd's effective value for single-valued keys). */
export function unitValue(unit: Unit, section: string, key: string): string | undefined {
  return unit.get(section)?.get(key)?.at(-1);
}

/** Every value of `key` in `section`. */
export function unitValues(unit: Unit, section: string, key: string): string[] {
  return unit.get(section)?.get(key) ?? [];
}

/** Parses an `EnvironmentFile=` (`NAME=value` lines, `#` comments, optional double quotes). */
export function parseEnvFile(text: string): Map<string, string> {
  const env = new Map<string, string>();
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (m?.[1] === undefined || m[2] === undefined) throw new Error(`not an environment line: ${line}`);
    env.set(m[1], m[2].replace(/^"(.*)"$/, '$1'));
  }
  return env;
}

/** Parses `Environment=A=1 B=2` values into pairs. */
export function parseEnvironment(values: readonly string[]): Map<string, string> {
  const env = new Map<string, string>();
  for (const v of values) {
    for (const pair of v.split(/\s+/)) {
      const eq = pair.indexOf('=');
      if (eq > 0) env.set(pair.slice(0, eq), pair.slice(eq + 1));
    }
  }
  return env;
}

/** Runs `systemd-analyze` with `args`; resolves with its exit code and everything it printed. */
export function systemdAnalyze(args: string[], cwd: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve, reject) => {
    execFile(
      '/usr/bin/systemd-analyze',
      args,
      { cwd, timeout: 60_000, env: { ...process.env, SYSTEMD_PAGER: '', SYSTEMD_COLORS: '0' } },
      (err, stdout, stderr) => {
        if (err !== null && typeof err.code !== 'number') {
          reject(err);
          return;
        }
        resolve({ code: typeof err?.code === 'number' ? err.code : 0, output: `${stdout}${stderr}` });
      },
    );
  });
}
