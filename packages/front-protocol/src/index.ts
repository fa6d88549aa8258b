export {
  type CloseConnection,
  type ConnectionClosed,
  type ConnectionFailed,
  type ConnectionReady,
  type ConnectionRequest,
  type FrontProtocol,
  type InitializeConnection,
  PATHS,
  type PeerAuthenticated,
  type PeerMessage,
  registerFrontProtocol,
  type SendToPeer,
} from './messages.js';
