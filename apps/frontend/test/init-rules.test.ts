import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeMessage, Features, type InitMessage } from '@shoal/wire';
import { buildInit, checkRemoteInit, remoteAddrTlv } from '../src/index.js';

const CHAIN = Buffer.alloc(32, 1);
const OTHER = Buffer.alloc(32, 2);
const OURS = Features.of({ var_onion_optin: 'compulsory', payment_secret: 'optional' }).toBytes();

function init(features: Features, networks?: Uint8Array[]): InitMessage {
  return {
    type: 'init',
    globalFeatures: new Uint8Array(0),
    features: features.toBytes(),
    tlvs: { ...(networks ? { networks } : {}), unknown: [] },
  };
}

describe('BOLT 1 init rules', () => {
  it('builds init with our features, networks and remote_addr only for public IPs', () => {
    const m = decodeMessage(buildInit(OURS, [CHAIN], { host: '8.8.4.4', port: 9735 })) as InitMessage;
    assert.deepEqual(Buffer.from(m.features), Buffer.from(OURS));
    assert.deepEqual(m.globalFeatures.length, 0);
    assert.deepEqual(
      m.tlvs.networks?.map((c) => Buffer.from(c)),
      [CHAIN],
    );
    assert.deepEqual(m.tlvs.remoteAddr, { type: 'ipv4', addr: Uint8Array.from([8, 8, 4, 4]), port: 9735 });
    const local = decodeMessage(buildInit(OURS, [CHAIN], { host: '127.0.0.1', port: 1 })) as InitMessage;
    assert.equal(local.tlvs.remoteAddr, undefined);
  });

  it('classifies remote addresses (BOLT 1: SHOULD NOT set private addresses)', () => {
    for (const host of [
      '10.1.2.3',
      '192.168.1.1',
      '172.16.0.1',
      '169.254.1.1',
      '100.64.0.1',
      '::1',
      'fe80::1',
      'fd00::5',
      'localhost',
    ]) {
      assert.equal(remoteAddrTlv({ host, port: 1 }), undefined, host);
    }
    assert.deepEqual(remoteAddrTlv({ host: '::ffff:1.2.3.4', port: 2 }), {
      type: 'ipv4',
      addr: Uint8Array.from([1, 2, 3, 4]),
      port: 2,
    });
    const v6 = remoteAddrTlv({ host: '2001:db8::1', port: 3 });
    assert.ok(v6?.type === 'ipv6');
    assert.equal(Buffer.from(v6.addr).toString('hex'), '20010db8000000000000000000000001');
  });

  it('accepts a compatible init, with or without networks', () => {
    const theirs = Features.of({ var_onion_optin: 'optional', payment_secret: 'compulsory' });
    assert.equal(checkRemoteInit(init(theirs, [OTHER, CHAIN]), OURS, [CHAIN]), undefined);
    assert.equal(checkRemoteInit(init(theirs), OURS, [CHAIN]), undefined);
    // Unknown odd bits are ignored (BOLT 1).
    assert.equal(checkRemoteInit(init(theirs.or(Features.fromBits([201]))), OURS, [CHAIN]), undefined);
  });

  it('refuses unknown even bits, unsupported compulsory features, missing dependencies, our compulsory features missing, foreign networks', () => {
    const base = Features.of({ var_onion_optin: 'optional' });
    const cases: [InitMessage, RegExp][] = [
      [init(base.or(Features.fromBits([300])), [CHAIN]), /unknown compulsory feature bits 300/],
      [
        init(base.or(Features.of({ option_anchors: 'compulsory' })), [CHAIN]),
        /compulsory features we do not support: option_anchors/,
      ],
      [
        init(base.or(Features.of({ basic_mpp: 'optional' })), [CHAIN]),
        /missing feature dependencies: basic_mpp needs payment_secret/,
      ],
      [init(Features.fromBits([]), [CHAIN]), /peer lacks our compulsory features: var_onion_optin/],
      [init(base, [OTHER]), /no common network/],
    ];
    for (const [m, re] of cases) assert.match(checkRemoteInit(m, OURS, [CHAIN])?.reason ?? '(accepted)', re);
  });
});
