export { type CliArgs, parseArgs } from './args.js';
export { type CliCommand, COMMANDS, findCommand } from './commands.js';
export { CliError, type CliErrorCode, type CliErrorJSON, type CliErrorMeta, EXIT_STATUS } from './errors.js';
export { type CliIo, DEFAULT_URL, runCli } from './run.js';
