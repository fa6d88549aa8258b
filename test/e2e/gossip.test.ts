// Issue 6 end to end: BOLT 7 gossip across a real backend and real frontends (processes). The test
// owns the regtest chain (served to the backend as its bitcoind), mines the funding outputs of
// the channels it announces, and spends one of them.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import nlWire from '@node-lightning/wire';
import { GossipProcessor } from '@shoal/gossip';
import { TestChain } from '../lib/gossip-chain.js';
import {
  channelUpdate,
  corruptFirstSignature,
  type GenChannel,
  type GenKey,
  keyFrom,
  nodeAnnouncement,
  planChannel,
  REGTEST_CHAIN_HASH,
  scidText,
} from '../lib/gossip-gen.js';
import {
  collectGossip,
  gossipInit,
  nextOf,
  queryChannelRange,
  queryShortChannelIds,
  sendTimestampFilter,
  serveGraph,
} from '../lib/gossip-peer.js';
import { TestPeer } from '../lib/peer.js';
import { eventually, stopAll } from '../lib/processes.js';
import {
  type BackendProcess,
  type FrontendProcess,
  makeTestNode,
  startBackend,
  startFrontend,
  type TestNode,
} from '../lib/shoal.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const nowS = (): number => Math.floor(Date.now() / 1000);

/** A small graph: `nodes` keys, a channel between each consecutive pair, funded in one transaction. */
interface TestGraph {
  nodes: GenKey[];
  channels: GenChannel[];
  /** Every gossip message of the graph as wire hex: announcements, both updates, node announcements. */
  messages: Set<string>;
  /** Wire bytes in sending order (announcements before their updates, node announcements last). */
  ordered: Uint8Array[];
}

async function makeGraph(chain: TestChain, label: string, nodeCount: number): Promise<TestGraph> {
  const nodes = Array.from({ length: nodeCount }, (_, i) => keyFrom(`${label}-node`, i));
  const plans = nodes.slice(1).map((b, i) => {
    const a = nodes[i] as GenKey;
    return planChannel(a, b, keyFrom(`${label}-btc`, 2 * i), keyFrom(`${label}-btc`, 2 * i + 1), 1_000_000n);
  });
  const channels = await chain.fund(plans);
  const t = nowS() - 60;
  const ordered: Uint8Array[] = [];
  for (const ch of channels) ordered.push(ch.announcement, channelUpdate(ch, 0, t), channelUpdate(ch, 1, t));
  nodes.forEach((k, i) => {
    ordered.push(nodeAnnouncement(k, t, `${label}-${i}`));
  });
  return { nodes, channels, ordered, messages: new Set(ordered.map(hex)) };
}

describe('gossip generator', { timeout: 60_000 }, () => {
  const chain = new TestChain();
  after(() => chain.stop());

  it('its announcements, updates and node announcements pass BOLT 7 validation against the mined funding outputs', {
    timeout: 60_000,
  }, async () => {
    await chain.start(1);
    const graph = await makeGraph(chain, 'gen', 4);
    const router = new GossipProcessor(
      {
        funding: {
          lookup: async (scid) => {
            const o = await chain.chain.outputAtShortChannelId({
              blockHeight: Number(scid >> 40n),
              txIndex: Number((scid >> 16n) & 0xffffffn),
              outputIndex: Number(scid & 0xffffn),
            });
            return o && { script: o.script, amountSat: o.value, spent: !o.unspent };
          },
        },
      },
      { chainHash: REGTEST_CHAIN_HASH },
    );
    await router.start();
    for (const raw of graph.ordered) {
      const d = await router.submit(raw);
      if (!d.accepted) assert.fail(`rejected: ${d.reason} ${d.detail}`);
    }
    const stats = router.graph.stats();
    assert.equal(stats.channels, 3);
    assert.equal(stats.nodes, 4);
    assert.equal((await chain.chain.getTip()).height, 1 + 100 + 6);
    for (const ch of graph.channels) assert.equal(ch.scid >> 40n, 102n, scidText(ch.scid));
  });
});

/** Frontend settings: rebroadcast every second, so the test waits for seconds, not the default minute. */
const FRONT_ARGS = ['--router.broadcast-interval=1s'];
const sortScids = (ids: readonly bigint[]): bigint[] => [...ids].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));

/** One frontend's whole answer: the range replies (as sent) and the messages for all their ids. */
async function graphAnswer(
  peer: TestPeer,
): Promise<{ replies: unknown[]; scids: bigint[]; messages: string[] }> {
  const range = await queryChannelRange(peer);
  const ids = await queryShortChannelIds(peer, range.scids);
  assert.equal(ids.fullInformation, 1, 'reply_short_channel_ids_end.full_information');
  const replies = range.replies.map((r) => ({
    firstBlocknum: r.firstBlocknum,
    numberOfBlocks: r.numberOfBlocks,
    syncComplete: r.syncComplete,
    ids: r.shortChannelIds.map(String),
    timestamps: r.tlvs.timestamps,
    checksums: r.tlvs.checksums,
  }));
  return { replies, scids: sortScids(range.scids), messages: [...ids.messages].sort() };
}

/** A frontend's `shoal_front_gossip_received_total` for one message type and outcome. */
async function counter(fe: FrontendProcess, type: string, outcome: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${fe.httpPort}/metrics`)).text();
  const line = text
    .split('\n')
    .find(
      (l) =>
        l.startsWith('shoal_front_gossip_received_total{') &&
        l.includes(`type="${type}"`) &&
        l.includes(`outcome="${outcome}"`),
    );
  return line === undefined ? 0 : Number(line.slice(line.lastIndexOf(' ') + 1));
}

/** Sends a ping and returns the types of the messages the node sent before its pong. */
async function typesUntilPong(peer: TestPeer): Promise<string[]> {
  const ping = new nlWire.PingMessage();
  ping.numPongBytes = 4;
  peer.write(ping.serialize());
  const seen: string[] = [];
  const deadline = Date.now() + 10_000;
  for (;;) {
    const m = await peer.next(Math.max(1, deadline - Date.now()));
    if (m.type === 'pong') return seen;
    if (m.type !== 'ping') seen.push(String(m.type));
  }
}

describe('gossip across a backend and frontends (processes)', { timeout: 240_000 }, () => {
  const chain = new TestChain();
  let node: TestNode;
  let backend: BackendProcess;
  let frontA: FrontendProcess;
  let frontB: FrontendProcess;
  let frontC: FrontendProcess | undefined;
  const peers: TestPeer[] = [];
  let graph: TestGraph;
  let receiver: TestPeer;
  const byFrontend = new Map<string, TestPeer>();
  let badSender: TestPeer | undefined;
  let badChannel: GenChannel | undefined;

  const connect = async (fe: FrontendProcess): Promise<TestPeer> => {
    const peer = new TestPeer();
    peers.push(peer);
    await peer.connect('127.0.0.1', fe.port, node.nodeId);
    await gossipInit(peer);
    return peer;
  };
  const api = async (call: string, params: Record<string, string> = {}): Promise<unknown> => {
    const { status, body } = await backend.api(call, params);
    assert.equal(status, 200, `${call}: ${JSON.stringify(body)}`);
    return body;
  };

  before(async () => {
    await chain.start(4);
    node = await makeTestNode();
    backend = await startBackend(node, {}, chain.backendArgs());
    frontA = await startFrontend('front-a', node, backend.clusterPort, { args: FRONT_ARGS });
    frontB = await startFrontend('front-b', node, backend.clusterPort, { args: FRONT_ARGS });
  });
  after(async () => {
    for (const p of peers) p.close();
    await stopAll();
    await chain.stop();
    node?.cleanup();
  });

  it('a peer on frontend B receives by rebroadcast what a peer announced through frontend A', {
    timeout: 60_000,
  }, async () => {
    graph = await makeGraph(chain, 'e2e', 4);
    receiver = await connect(frontB);
    sendTimestampFilter(receiver);
    const announcer = await connect(frontA);
    for (const raw of graph.ordered) announcer.write(raw);
    const seen = await collectGossip(receiver, (s) => [...graph.messages].every((m) => s.has(m)), 30_000);
    assert.deepEqual(seen, graph.messages, 'exactly the announced messages, byte for byte');
  });

  it('the API shows the graph: allchannels, allnodes, networkstats', { timeout: 60_000 }, async () => {
    await eventually(
      'allchannels lists every channel',
      async () => {
        const text = JSON.stringify(await api('allchannels'));
        return graph.channels.every((c) => text.includes(scidText(c.scid))) || undefined;
      },
      15_000,
    );
    const nodes = JSON.stringify(await api('allnodes'));
    for (const k of graph.nodes) assert.ok(nodes.includes(hex(k.pub)), `allnodes lists ${hex(k.pub)}`);
    const stats = (await api('networkstats')) as Record<string, unknown>;
    assert.equal(stats.channels, graph.channels.length, JSON.stringify(stats));
    assert.equal(stats.nodes, graph.nodes.length, JSON.stringify(stats));
  });

  it('the peer on B gets the graph by query_channel_range (sync_complete) then query_short_channel_ids', {
    timeout: 60_000,
  }, async () => {
    const range = await queryChannelRange(receiver);
    assert.deepEqual(sortScids(range.scids), sortScids(graph.channels.map((c) => c.scid)));
    const first = range.replies[0];
    const last = range.replies.at(-1);
    assert.ok(first && last);
    assert.equal(first.firstBlocknum, 0, 'the replies start at the queried first block');
    assert.ok(last.firstBlocknum + last.numberOfBlocks >= 0xffffffff, 'and cover the whole queried range');
    for (const r of range.replies) {
      assert.equal(r.tlvs.timestamps?.length, r.shortChannelIds.length, 'timestamps asked, one pair per id');
      assert.equal(r.tlvs.checksums?.length, r.shortChannelIds.length, 'checksums asked, one pair per id');
    }
    const ids = await queryShortChannelIds(receiver, range.scids);
    assert.equal(ids.fullInformation, 1);
    assert.deepEqual(new Set(ids.messages), graph.messages);
    byFrontend.set(frontB.name, receiver);
  });

  it('a peer that joins later gets the whole graph by query_channel_range', { timeout: 60_000 }, async () => {
    const late = await connect(frontA);
    const answer = await graphAnswer(late);
    assert.deepEqual(answer.scids, sortScids(graph.channels.map((c) => c.scid)));
    assert.deepEqual(new Set(answer.messages), graph.messages);
    byFrontend.set(frontA.name, late);
  });

  it('an announcement with a bad signature is rejected and its sender gets a warning', {
    timeout: 60_000,
  }, async () => {
    const [bad] = await chain.fund([
      planChannel(
        keyFrom('bad-node', 0),
        keyFrom('bad-node', 1),
        keyFrom('bad-btc', 0),
        keyFrom('bad-btc', 1),
        500_000n,
      ),
    ]);
    assert.ok(bad);
    const sender = await connect(frontB);
    badSender = sender;
    badChannel = bad;
    sender.write(corruptFirstSignature(bad.announcement));
    const warning = await nextOf(sender, 'warning', Date.now() + 15_000);
    assert.ok(warning.data.length > 0, 'the warning says why');
    const range = await queryChannelRange(receiver);
    assert.ok(!range.scids.includes(bad.scid), 'the bad announcement is not in the graph');
    const text = JSON.stringify(await api('allchannels'));
    assert.ok(!text.includes(scidText(bad.scid)), 'nor in allchannels');
  });

  it('a second offence puts the sender in the penalty box: no second warning, and its valid gossip is ignored', {
    timeout: 60_000,
  }, async () => {
    const sender = badSender;
    assert.ok(sender && badChannel);
    const ignoredBefore = await counter(frontB, 'channel_announcement', 'ignored');
    sender.write(corruptFirstSignature(badChannel.announcement));
    assert.deepEqual(await typesUntilPong(sender), [], 'nothing (no warning) before the pong');
    sender.write(badChannel.announcement);
    assert.deepEqual(await typesUntilPong(sender), []);
    assert.equal(
      await counter(frontB, 'channel_announcement', 'ignored'),
      ignoredBefore + 1,
      'dropped unread',
    );
    const range = await queryChannelRange(receiver);
    assert.ok(!range.scids.includes(badChannel.scid), 'never forwarded: not in the graph');
  });

  it('a frontend started mid-way serves the same graph as the others', { timeout: 60_000 }, async () => {
    const c = await startFrontend('front-c', node, backend.clusterPort, { args: FRONT_ARGS });
    frontC = c;
    await eventually('front-c /ready', async () => (await c.ready()) || undefined, 20_000);
    byFrontend.set(c.name, await connect(c));
    const answers = new Map<string, Awaited<ReturnType<typeof graphAnswer>>>();
    for (const [name, peer] of byFrontend) answers.set(name, await graphAnswer(peer));
    const reference = answers.get(frontA.name);
    assert.ok(reference);
    assert.deepEqual(new Set(reference.messages), graph.messages);
    for (const [name, answer] of answers)
      assert.deepEqual(answer, reference, `${name} answers as front-a does`);
  });

  it("a spent funding output removes the channel from every frontend's copy", {
    timeout: 60_000,
  }, async () => {
    const victim = graph.channels[0];
    assert.ok(victim && frontC);
    await chain.spend(victim);
    for (const [name, peer] of byFrontend) {
      await eventually(
        `${name} stops listing ${scidText(victim.scid)}`,
        async () => ((await queryChannelRange(peer)).scids.includes(victim.scid) ? undefined : true),
        30_000,
        250,
      );
      const ids = await queryShortChannelIds(peer, [victim.scid]);
      assert.deepEqual(ids.messages, [], `${name} answers nothing for the spent channel`);
    }
    const answers = await Promise.all([...byFrontend.values()].map((p) => graphAnswer(p)));
    for (const a of answers) assert.deepEqual(a, answers[0]);
    assert.deepEqual(
      answers[0]?.scids,
      sortScids(graph.channels.slice(1).map((c) => c.scid)),
      'the other channels stay',
    );
    const stats = (await api('networkstats')) as Record<string, unknown>;
    assert.equal(stats.spentChannels, 1, `networkstats counts the spent channel: ${JSON.stringify(stats)}`);
    const endpoint = (await api('node', { nodeId: hex(victim.node1.pub) })) as { activeChannels: number };
    const others = graph.channels
      .slice(1)
      .filter((c) => c.node1.pub.equals(victim.node1.pub) || c.node2.pub.equals(victim.node1.pub));
    assert.equal(endpoint.activeChannels, others.length, 'node: the spent channel is no longer active');
  });

  it('72 blocks after the spend the backend forgets the channel (BOLT 7 pruning)', {
    timeout: 60_000,
  }, async () => {
    const victim = graph.channels[0];
    assert.ok(victim);
    await chain.mine(72);
    await eventually(
      'allchannels drops the spent channel',
      async () =>
        JSON.stringify(await api('allchannels')).includes(scidText(victim.scid)) ? undefined : true,
      30_000,
      250,
    );
    const stats = (await api('networkstats')) as Record<string, unknown>;
    assert.equal(stats.spentChannels, 0);
    assert.equal(stats.channels, graph.channels.length - 1);
  });
});

describe('our own initial sync from a peer that holds a graph (processes)', { timeout: 120_000 }, () => {
  const chain = new TestChain();
  let node: TestNode;
  let backend: BackendProcess;
  let front: FrontendProcess;
  let seeder: TestPeer | undefined;

  before(async () => {
    await chain.start(1);
    node = await makeTestNode();
    backend = await startBackend(node, {}, chain.backendArgs());
    front = await startFrontend('front-s', node, backend.clusterPort, { args: FRONT_ARGS });
  });
  after(async () => {
    seeder?.close();
    await stopAll();
    await chain.stop();
    node?.cleanup();
  });

  it('the node queries a gossip_queries peer (range, then ids, then a timestamp filter), takes the whole graph, and getinfo shows the sync', {
    timeout: 60_000,
  }, async () => {
    const graph = await makeGraph(chain, 'sync', 5);
    const peer = new TestPeer();
    seeder = peer;
    await peer.connect('127.0.0.1', front.port, node.nodeId);
    const served = serveGraph(peer, graph.ordered);
    await gossipInit(peer);
    const api = async (call: string): Promise<Record<string, unknown>> => {
      const { status, body } = await backend.api(call);
      assert.equal(status, 200, `${call}: ${JSON.stringify(body)}`);
      return body as Record<string, unknown>;
    };
    const stats = await eventually(
      'networkstats counts the synced graph',
      async () => {
        const s = await api('networkstats');
        return s.channels === graph.channels.length &&
          s.nodes === graph.nodes.length &&
          s.updates === 2 * graph.channels.length
          ? s
          : undefined;
      },
      30_000,
    );
    assert.equal(stats.announcedNodes, graph.nodes.length, 'node announcements came with the ids');
    assert.equal(served.queries.get('query_channel_range'), 1, 'one range query');
    assert.ok((served.queries.get('query_short_channel_ids') ?? 0) >= 1, 'then id queries');
    const sync = await eventually(
      'getinfo.gossipSync reports the completed sync',
      async () => {
        const s = (await api('getinfo')).gossipSync as
          | {
              running: boolean;
              completed: number;
              peers: { nodeId: string; phase: string; listed: number }[];
            }
          | undefined;
        return s && s.completed >= 1 && !s.running ? s : undefined;
      },
      15_000,
    );
    const mine = sync.peers.find((p) => p.nodeId === peer.nodeId);
    assert.ok(mine, `getinfo.gossipSync.peers names the seeder: ${JSON.stringify(sync)}`);
    assert.equal(mine.phase, 'done');
    assert.equal(mine.listed, graph.channels.length, 'every channel the peer listed');
    await eventually('a gossip_timestamp_filter after the sync', () =>
      (served.queries.get('gossip_timestamp_filter') ?? 0) >= 1 ? true : undefined,
    );
    served.stop();
  });
});
