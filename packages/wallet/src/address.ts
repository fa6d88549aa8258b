import { address as baddress, type Network, networks, payments } from 'bitcoinjs-lib';
import { DUST_LIMIT } from './constants.js';
import { WalletError } from './errors.js';
import type { WalletNetwork } from './types.js';

/** bitcoinjs-lib's parameters (bech32 HRP, version bytes) for a chain source network. */
export function bitcoinjsNetwork(network: WalletNetwork): Network {
  switch (network) {
    case 'mainnet':
      return networks.bitcoin;
    case 'regtest':
      return networks.regtest;
    default:
      // testnet, testnet4 and signet share `tb` addresses and version bytes.
      return networks.testnet;
  }
}

/** BIP141 P2WPKH output script `OP_0 <hash160(pubkey)>` of a compressed public key. */
export function p2wpkhScript(publicKey: Uint8Array): Uint8Array {
  return payments.p2wpkh({ pubkey: publicKey }).output!;
}

/** BIP143 scriptCode of a P2WPKH spend: the P2PKH script of the same key hash. */
export function p2wpkhScriptCode(publicKey: Uint8Array): Uint8Array {
  return payments.p2pkh({ pubkey: publicKey }).output!;
}

/** The bech32 address of a P2WPKH key on `network` (`bcrt1q...` on regtest). */
export function p2wpkhAddress(publicKey: Uint8Array, network: WalletNetwork): string {
  return payments.p2wpkh({ pubkey: publicKey, network: bitcoinjsNetwork(network) }).address!;
}

/** The output script an address pays to; `WALLET_BAD_ADDRESS` when it is not one of `network`'s. */
export function addressToScript(address: string, network: WalletNetwork): Uint8Array {
  try {
    return baddress.toOutputScript(address, bitcoinjsNetwork(network));
  } catch (error) {
    throw new WalletError(
      'WALLET_BAD_ADDRESS',
      `not a valid ${network} address: ${address}`,
      { address, network },
      { cause: error },
    );
  }
}

/** The address of an output script on `network`, undefined for scripts without one. */
export function scriptToAddress(script: Uint8Array, network: WalletNetwork): string | undefined {
  try {
    return baddress.fromOutputScript(script, bitcoinjsNetwork(network));
  } catch {
    // Not an error: OP_RETURN and bare scripts simply have no address form.
    return undefined;
  }
}

/**
 * BOLT 3 "Dust Limits": the smallest value Bitcoin Core relays for an output with this script.
 * `OP_RETURN` outputs are never dust (0).
 */
export function dustLimit(script: Uint8Array): bigint {
  const [op0, op1] = [script[0], script[1]];
  if (op0 === 0x6a) return 0n;
  if (script.length === 25 && op0 === 0x76 && op1 === 0xa9) return DUST_LIMIT.p2pkh;
  if (script.length === 23 && op0 === 0xa9 && op1 === 0x14) return DUST_LIMIT.p2sh;
  if (script.length === 22 && op0 === 0x00 && op1 === 0x14) return DUST_LIMIT.p2wpkh;
  if (script.length === 34 && op0 === 0x00 && op1 === 0x20) return DUST_LIMIT.p2wsh;
  // Unknown segwit versions (OP_1..OP_16 and a 2-40 byte push) and anything else: the largest.
  return op0 !== undefined && op0 >= 0x51 && op0 <= 0x60 ? DUST_LIMIT.unknownSegwit : DUST_LIMIT.p2pkh;
}
