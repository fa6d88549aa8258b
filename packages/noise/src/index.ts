export { type AcceptNoiseOptions, acceptNoise, type InitiateNoiseOptions, initiateNoise } from './connect.js';
export {
  ACT_ONE_LENGTH,
  ACT_THREE_LENGTH,
  ACT_TWO_LENGTH,
  DEFAULT_HANDSHAKE_TIMEOUT_MS,
  KEY_ROTATION_INTERVAL,
  MAX_MESSAGE_LENGTH,
  PROLOGUE,
  PROTOCOL_NAME,
} from './constants.js';
export { NoiseError, type NoiseErrorCode, type NoiseErrorJSON, type NoiseErrorMeta } from './errors.js';
export { Handshake, type HandshakeOptions, type HandshakeResult } from './handshake.js';
export { NoiseSocket, type NoiseSocketEvents } from './noise-socket.js';
export {
  type ConnectNoiseOptions,
  connectNoise,
  createNoiseServer,
  NoiseServer,
  type NoiseServerEvents,
} from './server.js';
export { NoiseTransport } from './transport.js';
