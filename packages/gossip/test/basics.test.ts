import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hash256, sha256 } from '@shoal/crypto';
import {
  channelAnnouncementDigest,
  channelUpdateChecksum,
  checkChannelAnnouncementSignatures,
  completeChannelAnnouncement,
  connectableAddresses,
  crc32c,
  decodeGossip,
  fundingScriptPubKey,
  fundingWitnessScript,
  GossipError,
  isPenalised,
  nextAnnouncementTimestamp,
  RateLimiter,
} from '../src/index.js';
import { FakeClock, makeChannel, makeUpdate, priv, pub, scid } from './helpers.js';

describe('crc32c (RFC 3720 B.4 vectors)', () => {
  const t = { timeout: 5_000 };
  it('32 bytes of zeros, ones, incrementing, decrementing', t, () => {
    assert.equal(crc32c(new Uint8Array(32)), 0x8a9136aa);
    assert.equal(crc32c(new Uint8Array(32).fill(0xff)), 0x62a8ab43);
    assert.equal(crc32c(Uint8Array.from({ length: 32 }, (_, i) => i)), 0x46dd794e);
    assert.equal(crc32c(Uint8Array.from({ length: 32 }, (_, i) => 31 - i)), 0x113fdb5c);
  });
  it('"123456789" check value and chaining', t, () => {
    const b = Buffer.from('123456789');
    assert.equal(crc32c(b), 0xe3069283);
    assert.equal(crc32c(b.subarray(4), crc32c(b.subarray(0, 4))), 0xe3069283);
  });
});

describe('channel_update checksum (BOLT 7 channel_update_checksums)', () => {
  const t = { timeout: 5_000 };
  const ch = makeChannel(priv(1), priv(2), scid(100));
  it('ignores signature and timestamp, covers every other field', t, () => {
    const a = makeUpdate(ch, 0, { timestamp: 100 });
    const b = makeUpdate(ch, 0, { timestamp: 200 });
    assert.notDeepEqual(a.message.signature, b.message.signature);
    assert.equal(channelUpdateChecksum(a.raw), channelUpdateChecksum(b.raw));
    const c = makeUpdate(ch, 0, { timestamp: 100, feeBaseMsat: 1001 });
    assert.notEqual(channelUpdateChecksum(a.raw), channelUpdateChecksum(c.raw));
  });
  it('equals CRC32C of the fields chain_hash..htlc_maximum_msat', t, () => {
    const u = makeUpdate(ch, 1, { timestamp: 12345 });
    const body = Buffer.concat([u.raw.subarray(66, 106), u.raw.subarray(110)]);
    assert.equal(body.length, 32 + 8 + 1 + 1 + 2 + 8 + 4 + 4 + 8);
    assert.equal(channelUpdateChecksum(u.raw), crc32c(body));
  });
});

describe('funding script (BOLT 3 funding output)', () => {
  const t = { timeout: 5_000 };
  it('is P2WSH of 2 <lesser> <greater> 2 OP_CHECKMULTISIG regardless of argument order', t, () => {
    const k1 = pub(priv(7));
    const k2 = pub(priv(8));
    const [lo, hi] = Buffer.compare(k1, k2) < 0 ? [k1, k2] : [k2, k1];
    const ws = fundingWitnessScript(k1, k2);
    assert.deepEqual(
      Buffer.from(ws),
      Buffer.concat([Buffer.from([0x52, 0x21]), lo, Buffer.from([0x21]), hi, Buffer.from([0x52, 0xae])]),
    );
    assert.deepEqual(fundingWitnessScript(k2, k1), ws);
    const spk = fundingScriptPubKey(k2, k1);
    assert.deepEqual(Buffer.from(spk), Buffer.concat([Buffer.from([0x00, 0x20]), sha256(ws)]));
    assert.notDeepEqual(Buffer.from(spk.subarray(2)), hash256(ws));
  });
});

describe('RateLimiter', () => {
  const t = { timeout: 5_000 };
  it('allows a burst, then refills over time', t, () => {
    const clock = new FakeClock();
    const rl = new RateLimiter(clock, { burst: 3, perHour: 6 });
    assert.deepEqual([rl.take('a'), rl.take('a'), rl.take('a'), rl.take('a')], [true, true, true, false]);
    assert.equal(rl.take('b'), true, 'keys are independent');
    clock.advanceSeconds(599);
    assert.equal(rl.take('a'), false);
    clock.advanceSeconds(1);
    assert.equal(rl.take('a'), true);
    assert.equal(rl.take('a'), false);
    clock.advanceSeconds(3600);
    rl.sweep();
    assert.equal(rl.size, 0, 'full buckets are forgotten');
  });
  it('rejects nonsense options', t, () => {
    assert.throws(() => new RateLimiter(new FakeClock(), { burst: 0, perHour: 1 }), GossipError);
  });
});

describe('GossipError and penalties', () => {
  it('round-trips through JSON', { timeout: 5_000 }, () => {
    const e = new GossipError('GOSSIP_BAD_QUERY', 'x', { n: 1 });
    const back = GossipError.fromJSON(JSON.parse(JSON.stringify(e)));
    assert.equal(back.code, 'GOSSIP_BAD_QUERY');
    assert.deepEqual(back.meta, { n: 1 });
    assert.equal(back.name, 'GossipError');
  });
  it('penalises invalid gossip but not old gossip', { timeout: 5_000 }, () => {
    assert.equal(isPenalised('bad_signature'), true);
    assert.equal(isPenalised('malformed'), true);
    assert.equal(isPenalised('stale'), false);
    assert.equal(isPenalised('unknown_channel'), false);
  });
});

describe('connectable addresses (BOLT 7 node_announcement receiver)', () => {
  it('drops port 0, Tor v2, unknown types and extra DNS names', { timeout: 5_000 }, () => {
    const v4 = { type: 'ipv4' as const, addr: new Uint8Array([1, 2, 3, 4]), port: 9735 };
    const got = connectableAddresses([
      v4,
      { type: 'ipv6', addr: new Uint8Array(16), port: 0 },
      { type: 'torv2', addr: new Uint8Array(10), port: 9735 },
      { type: 'dns', hostname: 'a.example', port: 9735 },
      { type: 'dns', hostname: 'b.example', port: 9735 },
      { type: 'unknown', descriptorType: 9, data: new Uint8Array(2) },
    ]);
    assert.deepEqual(got, [v4, { type: 'dns', hostname: 'a.example', port: 9735 }]);
  });
});

describe('our own announcements (BOLT 7 announcement_signatures)', () => {
  const t = { timeout: 5_000 };
  it('completes a channel_announcement from our keys and the peer signatures, either side', t, () => {
    const ch = makeChannel(priv(1), priv(2), scid(100));
    const m = ch.ann.message;
    const h = channelAnnouncementDigest(m);
    assert.deepEqual(h, hash256(ch.ann.raw.subarray(2 + 256)));
    for (const side of [0, 1] as const) {
      const ours = ch.nodePrivs[side];
      const theirs =
        side === 0
          ? { n: m.nodeSignature2, b: m.bitcoinSignature2 }
          : { n: m.nodeSignature1, b: m.bitcoinSignature1 };
      const bitcoinKey = side === 0 ? ch.bitcoinPrivs[0] : ch.bitcoinPrivs[1];
      const done = completeChannelAnnouncement(m, {
        nodeKey: ours,
        bitcoinKey,
        remoteNodeSignature: theirs.n,
        remoteBitcoinSignature: theirs.b,
      });
      assert.ok(done);
      const g = decodeGossip(done.raw);
      assert.ok(g.ok && g.gossip.kind === 'channel_announcement');
      assert.equal(checkChannelAnnouncementSignatures(g.gossip).ok, true);
      const bad = completeChannelAnnouncement(m, {
        nodeKey: ours,
        bitcoinKey,
        remoteNodeSignature: theirs.b,
        remoteBitcoinSignature: theirs.b,
      });
      assert.equal(bad, undefined, 'a wrong peer signature is refused');
    }
    assert.throws(
      () =>
        completeChannelAnnouncement(m, {
          nodeKey: priv(9),
          bitcoinKey: priv(9),
          remoteNodeSignature: m.nodeSignature1,
          remoteBitcoinSignature: m.bitcoinSignature1,
        }),
      GossipError,
    );
  });
  it('picks increasing node_announcement timestamps', t, () => {
    assert.equal(nextAnnouncementTimestamp(undefined, 1000.7), 1000);
    assert.equal(nextAnnouncementTimestamp(999, 1000), 1000);
    assert.equal(nextAnnouncementTimestamp(1000, 1000), 1001);
  });
});
