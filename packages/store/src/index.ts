export {
  isStoreError,
  StoreError,
  type StoreErrorCode,
  type StoreErrorJson,
  type StoreErrorMeta,
} from './errors.js';
export { SCHEMA_VERSION } from './migrations.js';
export { expandHosts, openPostgresStore, type PostgresStoreOptions } from './postgres.js';
export { openSqliteStore, type SqliteStoreOptions } from './sqlite.js';
export type {
  ChannelRepository,
  GraphRepository,
  HtlcRepository,
  InvoiceRepository,
  MetaRepository,
  PaymentRepository,
  PeerRepository,
  Store,
  StoreKind,
  StoreMetrics,
  StoreOptions,
  StoreTx,
} from './store.js';
export { type StartPostgresOptions, startPostgres, type TestPostgres } from './testing/postgres.js';
export type {
  ChannelAnnouncementRecord,
  ChannelRecord,
  ChannelUpdateRecord,
  HtlcDirection,
  HtlcRecord,
  InvoiceRecord,
  InvoiceStatus,
  NodeAnnouncementRecord,
  PaymentRecord,
  PaymentStatus,
  PeerRecord,
} from './types.js';
