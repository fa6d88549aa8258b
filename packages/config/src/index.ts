export { renderConfigDocs } from './docs.js';
export {
  ConfigError,
  type ConfigErrorCode,
  type ConfigErrorJSON,
  type ConfigErrorMeta,
  type ConfigIssue,
} from './errors.js';
export {
  booleanFormat,
  durationFormat,
  enumFormat,
  type Format,
  type HostPort,
  hostFormat,
  hostPortListFormat,
  intFormat,
  ipFormat,
  type Parsed,
  portFormat,
  privkeyHexFormat,
  pubkeyHexFormat,
  stringFormat,
  stringListFormat,
  urlFormat,
} from './formats.js';
export { type HoconObject, type HoconValue, parseHocon } from './hocon.js';
export {
  CONFIG_FILE_NAME,
  describeConfig,
  type LoadOptions,
  loadConfig,
  REDACTED,
  toSafeJSON,
} from './load.js';
export {
  type AppSchema,
  type ConfigOf,
  composeSchema,
  envName,
  flattenSchema,
  type Rule,
  type RuleContext,
  type SchemaTree,
  type Setting,
  setting,
} from './schema.js';
export { BITCOIND_RPC_PORTS, backendPart, backendSchema } from './schemas/backend.js';
export { CHAINS, commonSchema, DEFAULT_CLUSTER_PORT, LOG_LEVELS } from './schemas/common.js';
export { frontendPart, frontendSchema } from './schemas/frontend.js';
