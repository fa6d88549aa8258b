import { CliError } from './errors.js';

/** What the command line asks for. */
export interface CliArgs {
  url?: string;
  password?: string;
  passwordFile?: string;
  /** Seconds to wait for the answer. */
  timeoutSeconds?: number;
  help: boolean;
  /** `undefined` with `help` set, or when no command was given. */
  command?: string;
  /** API form fields in command-line order. */
  params: Array<[string, string]>;
}

function usage(message: string, meta: Record<string, string> = {}): CliError {
  return new CliError('CLI_USAGE', message, meta);
}

const GLOBAL_WITH_VALUE = new Set(['url', 'password', 'password-file', 'timeout']);

/** Splits `--name=value` into its parts, or reads the value from the next argument. */
function takeValue(
  argv: readonly string[],
  i: number,
  name: string,
  inline: string | undefined,
): [string, number] {
  if (inline !== undefined) return [inline, i];
  const next = argv[i + 1];
  if (next === undefined) throw usage(`--${name} needs a value`, { option: name });
  return [next, i + 1];
}

/**
 * Parses `[--url U] [--password P | --password-file F] [--timeout S] <command> [--name value |
 * --name=value | name=value ...]`. Options before the command are the CLI's own; after it, every
 * pair is an API form field (eclair-cli's `--name=value` form works unchanged).
 */
export function parseArgs(argv: readonly string[]): CliArgs {
  const out: CliArgs = { help: false, params: [] };
  let i = 0;
  for (; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '-h' || arg === '--help') {
      out.help = true;
      continue;
    }
    if (!arg.startsWith('--')) break;
    const eq = arg.indexOf('=');
    const name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
    if (!GLOBAL_WITH_VALUE.has(name))
      throw usage(`unknown option --${name} (see shoal-cli help)`, { option: name });
    const [value, j] = takeValue(argv, i, name, eq < 0 ? undefined : arg.slice(eq + 1));
    i = j;
    if (name === 'url') out.url = value;
    else if (name === 'password') out.password = value;
    else if (name === 'password-file') out.passwordFile = value;
    else {
      const n = Number(value);
      if (!/^\d+$/.test(value) || n < 1)
        throw usage('--timeout needs a whole number of seconds', { option: 'timeout' });
      out.timeoutSeconds = n;
    }
  }
  out.command = argv[i];
  if (out.command === 'help') {
    out.help = true;
    out.command = argv[i + 1];
    return out;
  }
  for (i++; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      const name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
      if (name === '') throw usage(`bad parameter ${JSON.stringify(arg)}`);
      const [value, j] = takeValue(argv, i, name, eq < 0 ? undefined : arg.slice(eq + 1));
      i = j;
      out.params.push([name, value]);
    } else {
      const eq = arg.indexOf('=');
      if (eq <= 0) throw usage(`bad parameter ${JSON.stringify(arg)}: expected --name value or name=value`);
      out.params.push([arg.slice(0, eq), arg.slice(eq + 1)]);
    }
  }
  return out;
}
