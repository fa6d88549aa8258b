import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  decodeMessageFrame,
  decodePing,
  encodeControl,
  encodeMessageFrame,
  encodePing,
  FrameKind,
  parseIdentity,
  parseRegistryOp,
  TargetMode,
} from '../src/codec/frame.js';
import {
  ByteReader,
  ByteWriter,
  ClusterError,
  CodecRegistry,
  decodeRef,
  encodeRef,
  rawBytesCodec,
} from '../src/index.js';
import { membershipEventType } from '../src/membership/event-type.js';
import { versionMismatch } from '../src/membership/handshake.js';

const isCode = (code: string) => (e: unknown) => e instanceof ClusterError && e.code === code;

describe('codecs and frames', { timeout: 10_000 }, () => {
  it('round-trips actor refs, including 64-bit incarnations and unicode paths', () => {
    for (const ref of [
      { address: '127.0.0.1:25520', incarnation: 0n, path: '/user/a' },
      { address: '[::1]:1', incarnation: 2n ** 64n - 1n, path: '/user/ü/€' },
    ]) {
      assert.deepEqual(decodeRef(encodeRef(ref)), ref);
    }
    assert.throws(() => decodeRef(Buffer.from([0, 5, 65])), isCode('CLUSTER_BAD_FRAME'));
  });

  it('round-trips message frames with and without a sender', () => {
    const sender = { address: 'h:1', incarnation: 42n, path: '/temp/ask-7' };
    for (const s of [undefined, sender]) {
      for (const size of [0, 1, 1024, 70_000]) {
        const payload = Buffer.alloc(size, 9);
        const f = decodeMessageFrame(encodeMessageFrame(TargetMode.path, 0xabcd, '/backend/x', s, payload));
        assert.equal(f.mode, TargetMode.path);
        assert.equal(f.typeId, 0xabcd);
        assert.equal(f.target, '/backend/x');
        assert.deepEqual(f.sender, s);
        assert.deepEqual(Buffer.from(f.payload), payload);
      }
    }
  });

  it('rejects truncated or inconsistent frames with CLUSTER_BAD_FRAME', () => {
    const good = encodeMessageFrame(TargetMode.actor, 1, '/user/a', undefined, Buffer.from('x'));
    for (let n = 1; n < 7; n++)
      assert.throws(() => decodeMessageFrame(good.subarray(0, n)), isCode('CLUSTER_BAD_FRAME'));
    const badMode = Buffer.from(good);
    badMode[1] = 9;
    assert.throws(() => decodeMessageFrame(badMode), isCode('CLUSTER_BAD_FRAME'));
    assert.throws(() => decodePing(Buffer.from([FrameKind.ping, 1])), isCode('CLUSTER_BAD_FRAME'));
    assert.equal(decodePing(encodePing(FrameKind.pong, 123n)), 123n);
    assert.throws(
      () => parseIdentity({ address: 'x', incarnation: 'abc', roles: [], protocolVersion: 1 }),
      isCode('CLUSTER_BAD_FRAME'),
    );
    assert.throws(() => parseRegistryOp({ op: 'put' }), isCode('CLUSTER_BAD_FRAME'));
    assert.deepEqual(parseRegistryOp({ op: 'subscribe', topic: 't' }), { op: 'subscribe', topic: 't' });
    assert.match(encodeControl(FrameKind.gossip, { n: 1n }).subarray(1).toString(), /"n":"1"/);
  });

  it('registers uint16 type ids once, reserves 0xff00+, and decodes unknown or malformed payloads as errors', () => {
    const reg = new CodecRegistry();
    const t = reg.register<Uint8Array>(7, 'raw', rawBytesCodec.encode, rawBytesCodec.decode);
    assert.throws(
      () => reg.register(7, 'other', rawBytesCodec.encode, rawBytesCodec.decode),
      isCode('CLUSTER_CODEC'),
    );
    assert.throws(
      () => reg.register(8, 'raw', rawBytesCodec.encode, rawBytesCodec.decode),
      isCode('CLUSTER_CODEC'),
    );
    assert.throws(
      () => reg.register(0x10000, 'big', rawBytesCodec.encode, rawBytesCodec.decode),
      isCode('CLUSTER_CODEC'),
    );
    assert.throws(
      () => reg.register(0xff00, 'mine', rawBytesCodec.encode, rawBytesCodec.decode),
      isCode('CLUSTER_CODEC'),
    );
    const m = reg.decode(7, Buffer.from([1, 2]));
    assert.ok(t.is(m));
    assert.deepEqual([...m.value], [1, 2]);
    assert.throws(() => reg.decode(9, Buffer.alloc(0)), isCode('CLUSTER_BAD_FRAME'));
    const num = reg.register<number>(
      10,
      'u32',
      (n) => new ByteWriter(4).u32(n).finish(),
      (b) => {
        const r = new ByteReader(b);
        const v = r.u32();
        r.end();
        return v;
      },
    );
    assert.equal(reg.decode(num.id, num.encode(0xdeadbeef)).value, 0xdeadbeef);
    assert.throws(() => reg.decode(num.id, Buffer.alloc(5)), isCode('CLUSTER_BAD_FRAME'));
  });

  it('encodes membership events and names both versions on a mismatch', () => {
    const e = {
      kind: 'member-up' as const,
      member: {
        address: 'h:1',
        incarnation: 2n ** 63n,
        roles: ['backend'],
        protocolVersion: 1,
        status: 'up' as const,
      },
    };
    assert.deepEqual(membershipEventType.decode(membershipEventType.encode(e)), e);
    assert.equal(versionMismatch(3, 3), undefined);
    assert.match(versionMismatch(3, 4) ?? '', /this member speaks 3, the peer speaks 4/);
  });

  it('ClusterError serialises to JSON and back', () => {
    const err = new ClusterError('CLUSTER_UNREACHABLE', 'gone', { address: 'h:1' });
    const back = ClusterError.fromJSON(JSON.parse(JSON.stringify(err)));
    assert.equal(back.code, 'CLUSTER_UNREACHABLE');
    assert.deepEqual(back.meta, { address: 'h:1' });
    assert.equal(back.name, 'ClusterError');
  });
});
