import {
  checkInt64,
  checkLength,
  colBig,
  colBigOrNull,
  colBytes,
  colNum,
  type Executor,
  type Row,
  scidFromDb,
  scidToDb,
} from './sql.js';
import type { GraphRepository } from './store.js';
import type { ChannelAnnouncementRecord, ChannelUpdateRecord, NodeAnnouncementRecord } from './types.js';

function toAnnouncement(r: Row): ChannelAnnouncementRecord {
  return {
    shortChannelId: scidFromDb(colBig(r, 'short_channel_id')),
    nodeId1: colBytes(r, 'node_id_1'),
    nodeId2: colBytes(r, 'node_id_2'),
    capacitySat: colBigOrNull(r, 'capacity_sat'),
    raw: colBytes(r, 'raw'),
  };
}

function toUpdate(r: Row): ChannelUpdateRecord {
  return {
    shortChannelId: scidFromDb(colBig(r, 'short_channel_id')),
    direction: colNum(r, 'direction') === 1 ? 1 : 0,
    timestamp: colNum(r, 'timestamp'),
    raw: colBytes(r, 'raw'),
  };
}

function toNode(r: Row): NodeAnnouncementRecord {
  return { nodeId: colBytes(r, 'node_id'), timestamp: colNum(r, 'timestamp'), raw: colBytes(r, 'raw') };
}

/** BOLT 7 routing graph storage (`channel_announcement`, `channel_update`, `node_announcement`). */
export function graphRepository(ex: Executor): GraphRepository {
  return {
    async putChannelAnnouncement(a) {
      checkLength('nodeId1', a.nodeId1, 33);
      checkLength('nodeId2', a.nodeId2, 33);
      await ex.run(
        `INSERT INTO graph_channels (short_channel_id, node_id_1, node_id_2, capacity_sat, raw) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (short_channel_id) DO UPDATE SET node_id_1 = excluded.node_id_1,
           node_id_2 = excluded.node_id_2, capacity_sat = excluded.capacity_sat, raw = excluded.raw`,
        [
          scidToDb(a.shortChannelId),
          a.nodeId1,
          a.nodeId2,
          a.capacitySat === null ? null : checkInt64('capacitySat', a.capacitySat),
          a.raw,
        ],
      );
    },
    async getChannelAnnouncement(scid) {
      const rows = await ex.all('SELECT * FROM graph_channels WHERE short_channel_id = ?', [scidToDb(scid)]);
      return rows[0] ? toAnnouncement(rows[0]) : undefined;
    },
    async listChannelAnnouncements(range) {
      if (!range)
        return (await ex.all('SELECT * FROM graph_channels ORDER BY short_channel_id')).map(toAnnouncement);
      // BOLT 7 short_channel_id: block height in the top 3 bytes.
      const lo = BigInt(range.firstBlock) << 40n;
      const hi = BigInt(range.firstBlock + range.blockCount) << 40n;
      return (
        await ex.all(
          'SELECT * FROM graph_channels WHERE short_channel_id >= ? AND short_channel_id < ? ORDER BY short_channel_id',
          [scidToDb(lo), scidToDb(hi < 2n ** 63n ? hi : 2n ** 63n - 1n)],
        )
      ).map(toAnnouncement);
    },
    async putChannelUpdate(u) {
      const changed = await ex.run(
        `INSERT INTO graph_channel_updates (short_channel_id, direction, timestamp, raw) VALUES (?, ?, ?, ?)
         ON CONFLICT (short_channel_id, direction) DO UPDATE SET timestamp = excluded.timestamp, raw = excluded.raw
         WHERE graph_channel_updates.timestamp < excluded.timestamp`,
        [scidToDb(u.shortChannelId), u.direction, u.timestamp, u.raw],
      );
      return changed > 0;
    },
    async listChannelUpdates(scid) {
      if (scid === undefined) {
        return (await ex.all('SELECT * FROM graph_channel_updates ORDER BY short_channel_id, direction')).map(
          toUpdate,
        );
      }
      return (
        await ex.all('SELECT * FROM graph_channel_updates WHERE short_channel_id = ? ORDER BY direction', [
          scidToDb(scid),
        ])
      ).map(toUpdate);
    },
    async putNodeAnnouncement(n) {
      checkLength('nodeId', n.nodeId, 33);
      const changed = await ex.run(
        `INSERT INTO graph_nodes (node_id, timestamp, raw) VALUES (?, ?, ?)
         ON CONFLICT (node_id) DO UPDATE SET timestamp = excluded.timestamp, raw = excluded.raw
         WHERE graph_nodes.timestamp < excluded.timestamp`,
        [n.nodeId, n.timestamp, n.raw],
      );
      return changed > 0;
    },
    async getNodeAnnouncement(nodeId) {
      const rows = await ex.all('SELECT * FROM graph_nodes WHERE node_id = ?', [nodeId]);
      return rows[0] ? toNode(rows[0]) : undefined;
    },
    async listNodeAnnouncements() {
      return (await ex.all('SELECT * FROM graph_nodes ORDER BY node_id')).map(toNode);
    },
    async deleteNodeAnnouncement(nodeId) {
      return (await ex.run('DELETE FROM graph_nodes WHERE node_id = ?', [nodeId])) > 0;
    },
    async deleteChannel(scid) {
      const db = scidToDb(scid);
      await ex.run('DELETE FROM graph_channel_updates WHERE short_channel_id = ?', [db]);
      return (await ex.run('DELETE FROM graph_channels WHERE short_channel_id = ?', [db])) > 0;
    },
  };
}
