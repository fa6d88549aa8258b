import { Features } from '@shoal/wire';

/**
 * Our BOLT 9 `init` features: only the ones BOLT 9 marks ASSUMED (present on every node), all
 * optional. None is compulsory: a peer that leaves an ASSUMED bit unset must still be accepted
 * ("can be safely ignored"), and nothing channel-specific is promised while channels are not
 * supported.
 */
export const OUR_INIT_FEATURES = Features.of({
  option_data_loss_protect: 'optional',
  var_onion_optin: 'optional',
  option_static_remotekey: 'optional',
  payment_secret: 'optional',
  option_channel_type: 'optional',
});

/** Version reported by `getinfo`. */
export const BACKEND_VERSION = '0.1.0-shoal';

/** BOLT 1 `error` text for BOLT 2 messages the backend cannot handle yet. */
export const CHANNELS_UNSUPPORTED = 'channels are not supported yet';

/** Default time an API `connect` waits for the peer to be ready (its own `timeoutSeconds` still applies). */
export const DEFAULT_CONNECT_TIMEOUT_MS = 30_000;
