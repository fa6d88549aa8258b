import { StoreError } from './errors.js';
import {
  checkInt64,
  checkLength,
  colBig,
  colBigOrNull,
  colBytes,
  colNum,
  colNumOrNull,
  colStr,
  type Executor,
  type Row,
  scidFromDb,
  scidToDb,
} from './sql.js';
import type { ChannelRepository, HtlcRepository, MetaRepository, PeerRepository } from './store.js';
import type { ChannelRecord, HtlcDirection, HtlcRecord, PeerRecord } from './types.js';

export function metaRepository(ex: Executor): MetaRepository {
  return {
    async get(key) {
      const rows = await ex.all('SELECT value FROM meta WHERE key = ?', [key]);
      return rows[0] ? colBytes(rows[0], 'value') : undefined;
    },
    async put(key, value) {
      await ex.run(
        'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
        [key, value],
      );
    },
    async delete(key) {
      return (await ex.run('DELETE FROM meta WHERE key = ?', [key])) > 0;
    },
  };
}

export function peerRepository(ex: Executor): PeerRepository {
  const addresses = async (nodeId: Uint8Array): Promise<string[]> =>
    (await ex.all('SELECT address FROM peer_addresses WHERE node_id = ? ORDER BY position', [nodeId])).map(
      (r) => colStr(r, 'address'),
    );
  const toPeer = async (r: Row): Promise<PeerRecord> => {
    const nodeId = colBytes(r, 'node_id');
    return {
      nodeId,
      addresses: await addresses(nodeId),
      features: colBytes(r, 'features'),
      createdAt: colNum(r, 'created_at'),
      lastConnectedAt: colNumOrNull(r, 'last_connected_at'),
    };
  };
  return {
    async put(peer) {
      checkLength('nodeId', peer.nodeId, 33);
      await ex.run(
        `INSERT INTO peers (node_id, features, created_at, last_connected_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (node_id) DO UPDATE SET features = excluded.features, created_at = excluded.created_at,
           last_connected_at = excluded.last_connected_at`,
        [peer.nodeId, peer.features, peer.createdAt, peer.lastConnectedAt],
      );
      await ex.run('DELETE FROM peer_addresses WHERE node_id = ?', [peer.nodeId]);
      for (const [i, address] of peer.addresses.entries()) {
        await ex.run('INSERT INTO peer_addresses (node_id, position, address) VALUES (?, ?, ?)', [
          peer.nodeId,
          i,
          address,
        ]);
      }
    },
    async get(nodeId) {
      const rows = await ex.all('SELECT * FROM peers WHERE node_id = ?', [nodeId]);
      return rows[0] ? toPeer(rows[0]) : undefined;
    },
    async list() {
      const rows = await ex.all('SELECT * FROM peers ORDER BY node_id');
      const out: PeerRecord[] = [];
      for (const r of rows) out.push(await toPeer(r));
      return out;
    },
    async delete(nodeId) {
      return (await ex.run('DELETE FROM peers WHERE node_id = ?', [nodeId])) > 0;
    },
  };
}

function toChannel(r: Row): ChannelRecord {
  const scid = colBigOrNull(r, 'short_channel_id');
  return {
    channelId: colBytes(r, 'channel_id'),
    peerId: colBytes(r, 'peer_id'),
    shortChannelId: scid === null ? null : scidFromDb(scid),
    state: colStr(r, 'state'),
    fundingTxid: colBytes(r, 'funding_txid'),
    fundingOutputIndex: colNum(r, 'funding_output_index'),
    capacitySat: colBig(r, 'capacity_sat'),
    localBalanceMsat: colBig(r, 'local_balance_msat'),
    version: colBig(r, 'version'),
    blob: colBytes(r, 'blob'),
    updatedAt: colNum(r, 'updated_at'),
  };
}

export function channelRepository(ex: Executor): ChannelRepository {
  return {
    async put(c) {
      checkLength('channelId', c.channelId, 32);
      checkLength('peerId', c.peerId, 33);
      checkLength('fundingTxid', c.fundingTxid, 32);
      // The WHERE of the upsert makes a stale version change nothing; 0 rows changed means stale.
      const changed = await ex.run(
        `INSERT INTO channels (channel_id, peer_id, short_channel_id, state, funding_txid, funding_output_index,
           capacity_sat, local_balance_msat, version, blob, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (channel_id) DO UPDATE SET peer_id = excluded.peer_id,
           short_channel_id = excluded.short_channel_id, state = excluded.state,
           funding_txid = excluded.funding_txid, funding_output_index = excluded.funding_output_index,
           capacity_sat = excluded.capacity_sat, local_balance_msat = excluded.local_balance_msat,
           version = excluded.version, blob = excluded.blob, updated_at = excluded.updated_at
         WHERE channels.version < excluded.version`,
        [
          c.channelId,
          c.peerId,
          c.shortChannelId === null ? null : scidToDb(c.shortChannelId),
          c.state,
          c.fundingTxid,
          c.fundingOutputIndex,
          checkInt64('capacitySat', c.capacitySat),
          checkInt64('localBalanceMsat', c.localBalanceMsat),
          checkInt64('version', c.version),
          c.blob,
          c.updatedAt,
        ],
      );
      if (changed === 0) {
        const rows = await ex.all('SELECT version FROM channels WHERE channel_id = ?', [c.channelId]);
        const stored = rows[0] ? colBig(rows[0], 'version') : null;
        throw new StoreError(
          'STORE_STALE_VERSION',
          `channel state version ${c.version} is not newer than the stored version ${stored}`,
          {
            channelId: Buffer.from(c.channelId).toString('hex'),
            version: c.version.toString(),
            stored: stored === null ? null : stored.toString(),
          },
        );
      }
    },
    async get(channelId) {
      const rows = await ex.all('SELECT * FROM channels WHERE channel_id = ?', [channelId]);
      return rows[0] ? toChannel(rows[0]) : undefined;
    },
    async getByShortChannelId(scid) {
      const rows = await ex.all('SELECT * FROM channels WHERE short_channel_id = ?', [scidToDb(scid)]);
      return rows[0] ? toChannel(rows[0]) : undefined;
    },
    async list(filter = {}) {
      const where: string[] = [];
      const params: (Uint8Array | string)[] = [];
      if (filter.peerId) {
        where.push('peer_id = ?');
        params.push(filter.peerId);
      }
      if (filter.state !== undefined) {
        where.push('state = ?');
        params.push(filter.state);
      }
      const cond = where.length > 0 ? ` WHERE ${where.join(' AND ')}` : '';
      return (await ex.all(`SELECT * FROM channels${cond} ORDER BY channel_id`, params)).map(toChannel);
    },
    async delete(channelId) {
      return (await ex.run('DELETE FROM channels WHERE channel_id = ?', [channelId])) > 0;
    },
  };
}

function toHtlc(r: Row): HtlcRecord {
  return {
    channelId: colBytes(r, 'channel_id'),
    direction: colStr(r, 'direction') as HtlcDirection,
    htlcId: colBig(r, 'htlc_id'),
    amountMsat: colBig(r, 'amount_msat'),
    paymentHash: colBytes(r, 'payment_hash'),
    cltvExpiry: colNum(r, 'cltv_expiry'),
    state: colStr(r, 'state'),
    onion: colBytes(r, 'onion'),
  };
}

export function htlcRepository(ex: Executor): HtlcRepository {
  return {
    async put(h) {
      checkLength('paymentHash', h.paymentHash, 32);
      const exists = await ex.all('SELECT 1 AS one FROM channels WHERE channel_id = ?', [h.channelId]);
      if (exists.length === 0) {
        throw new StoreError('STORE_NOT_FOUND', 'HTLC of an unknown channel', {
          channelId: Buffer.from(h.channelId).toString('hex'),
        });
      }
      await ex.run(
        `INSERT INTO htlcs (channel_id, direction, htlc_id, amount_msat, payment_hash, cltv_expiry, state, onion)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (channel_id, direction, htlc_id) DO UPDATE SET amount_msat = excluded.amount_msat,
           payment_hash = excluded.payment_hash, cltv_expiry = excluded.cltv_expiry, state = excluded.state,
           onion = excluded.onion`,
        [
          h.channelId,
          h.direction,
          checkInt64('htlcId', h.htlcId),
          checkInt64('amountMsat', h.amountMsat),
          h.paymentHash,
          h.cltvExpiry,
          h.state,
          h.onion,
        ],
      );
    },
    async get(channelId, direction, htlcId) {
      const rows = await ex.all(
        'SELECT * FROM htlcs WHERE channel_id = ? AND direction = ? AND htlc_id = ?',
        [channelId, direction, htlcId],
      );
      return rows[0] ? toHtlc(rows[0]) : undefined;
    },
    async listByChannel(channelId) {
      return (
        await ex.all('SELECT * FROM htlcs WHERE channel_id = ? ORDER BY direction, htlc_id', [channelId])
      ).map(toHtlc);
    },
    async listByPaymentHash(paymentHash) {
      return (
        await ex.all('SELECT * FROM htlcs WHERE payment_hash = ? ORDER BY channel_id, direction, htlc_id', [
          paymentHash,
        ])
      ).map(toHtlc);
    },
    async delete(channelId, direction, htlcId) {
      return (
        (await ex.run('DELETE FROM htlcs WHERE channel_id = ? AND direction = ? AND htlc_id = ?', [
          channelId,
          direction,
          htlcId,
        ])) > 0
      );
    },
  };
}
