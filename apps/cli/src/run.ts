import { readFile } from 'node:fs/promises';
import { type CliArgs, parseArgs } from './args.js';
import { COMMANDS, findCommand } from './commands.js';
import { CliError } from './errors.js';

export const DEFAULT_URL = 'http://127.0.0.1:8080';
const DEFAULT_TIMEOUT_SECONDS = 60;

/** Where the CLI reads its settings and writes its output (injected so tests need no process). */
export interface CliIo {
  env: Readonly<Record<string, string | undefined>>;
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
}

function helpText(command?: string): string {
  const c = command === undefined ? undefined : findCommand(command);
  if (c) {
    const lines = [`shoal-cli ${c.name} ${c.params.join(' ')}`.trimEnd(), `  ${c.summary}`];
    if (c.example) lines.push(`  e.g. ${c.example}`);
    return `${lines.join('\n')}\n`;
  }
  const width = Math.max(...COMMANDS.map((x) => x.name.length));
  return [
    'usage: shoal-cli [--url URL] [--password P | --password-file F] [--timeout S] <command> [--name value | name=value ...]',
    '',
    `  --url            API address (default $SHOAL_API_URL or ${DEFAULT_URL})`,
    '  --password       API password (default $SHOAL_API_PASSWORD; prefer the variable or a file: arguments are visible in ps)',
    '  --password-file  file holding the API password',
    `  --timeout        seconds to wait for an answer (default ${DEFAULT_TIMEOUT_SECONDS})`,
    '',
    'commands:',
    ...COMMANDS.map((x) => `  ${x.name.padEnd(width)}  ${x.summary}`),
    '',
    'Other command names are sent as POST /<command>. `shoal-cli help <command>` shows its parameters.',
    'Exit status: 0 ok, 1 the API answered an error, 2 bad usage, 3 the API could not be reached.',
    '',
  ].join('\n');
}

async function password(args: CliArgs, env: CliIo['env']): Promise<string> {
  if (args.password !== undefined) return args.password;
  if (args.passwordFile !== undefined) {
    try {
      return (await readFile(args.passwordFile, 'utf8')).replace(/\r?\n$/, '');
    } catch (err) {
      throw new CliError(
        'CLI_USAGE',
        `cannot read the password file ${args.passwordFile}`,
        {},
        { cause: err },
      );
    }
  }
  const fromEnv = env.SHOAL_API_PASSWORD;
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  throw new CliError(
    'CLI_USAGE',
    'no API password: set SHOAL_API_PASSWORD, or pass --password-file or --password',
  );
}

function endpoint(base: string, path: string): URL {
  let url: URL;
  try {
    url = new URL(base);
  } catch (err) {
    throw new CliError('CLI_USAGE', `bad --url ${JSON.stringify(base)}`, {}, { cause: err });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new CliError('CLI_USAGE', '--url must be http:// or https://', { url: base });
  }
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/${path}`;
  return url;
}

/** What a response body becomes on stdout: strings raw (as `eclair-cli`, which uses `jq -r`), JSON pretty. */
function render(text: string): string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return text.endsWith('\n') ? text : `${text}\n`; // not JSON: print as received
  }
  return typeof value === 'string' ? `${value}\n` : `${JSON.stringify(value, null, 2)}\n`;
}

function apiMessage(text: string): string {
  try {
    const body = JSON.parse(text) as { error?: unknown };
    if (typeof body.error === 'string') return body.error;
  } catch {
    // not JSON: fall through and show the raw text
  }
  return text.trim() || '(empty answer)';
}

/** Sends one call and prints its answer. Throws {@link CliError}. */
async function send(args: CliArgs, io: CliIo): Promise<void> {
  const command = args.command!;
  if (!/^[a-z0-9/]+$/i.test(command))
    throw new CliError('CLI_USAGE', `bad command name ${JSON.stringify(command)}`);
  const url = endpoint(
    args.url ?? io.env.SHOAL_API_URL ?? DEFAULT_URL,
    findCommand(command)?.path ?? command,
  );
  const pw = await password(args, io.env);
  const timeoutMs = (args.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS) * 1000;
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`:${pw}`).toString('base64')}` },
      body: new URLSearchParams(args.params),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (err) {
    const cause = (err as { cause?: { code?: unknown } }).cause?.code;
    const why = typeof cause === 'string' ? cause : err instanceof Error ? err.message : String(err);
    throw new CliError(
      'CLI_UNREACHABLE',
      `cannot reach ${url.origin}: ${why}`,
      { url: url.origin },
      { cause: err },
    );
  }
  const text = await res.text();
  if (!res.ok) {
    throw new CliError('CLI_API_ERROR', `${res.status} ${apiMessage(text)}`, { status: res.status, command });
  }
  io.stdout.write(render(text));
}

/** Runs the CLI on `argv` (without node and script) and returns the exit status. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  try {
    const args = parseArgs(argv);
    if (args.help || args.command === undefined) {
      (args.help ? io.stdout : io.stderr).write(helpText(args.command));
      return args.help ? 0 : 2;
    }
    await send(args, io);
    return 0;
  } catch (err) {
    if (err instanceof CliError) {
      io.stderr.write(`shoal-cli: ${err.message}\n`);
      return err.exitStatus;
    }
    throw err;
  }
}
