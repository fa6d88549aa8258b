export { STATUS_PAGE_HTML } from './page.js';
export {
  type StatusMember,
  type StatusPeer,
  type StatusSnapshot,
  type StatusSource,
  statusPeer,
  takeSnapshot,
} from './snapshot.js';
export { type StatusChange, type StatusDeps, type StatusOptions, StatusService } from './status.js';
