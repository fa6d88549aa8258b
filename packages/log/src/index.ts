export { LogError, type LogErrorCode, type LogErrorJSON, type LogErrorMeta } from './errors.js';
export {
  createLogger,
  LOG_LEVELS,
  type LogFields,
  type LogFormat,
  type Logger,
  type LoggerOptions,
  type LogLevel,
  type LogSink,
  silentLogger,
} from './logger.js';
export { isSecretKey, type Json, REDACTED, SECRET_KEY, toJson } from './serialize.js';
