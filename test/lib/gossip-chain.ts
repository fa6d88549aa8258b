// A regtest chain owned by the test process and served to the backend over Bitcoin Core's
// JSON-RPC (`--bitcoind.*`): the test mines funding outputs where it wants them, knows their
// short channel ids, and spends them with the funding keys it generated.
import { ANYONE_CAN_SPEND_SCRIPT, RegtestChain, RegtestRpcServer } from '@shoal/chain';
import { Block } from 'bitcoinjs-lib';
import {
  type AnyoneCanSpendCoin,
  announceChannel,
  type ChannelPlan,
  fundingTransaction,
  type GenChannel,
  scidOf,
  spendFunding,
} from './gossip-gen.js';

const RPC_USER = 'shoal-e2e';
const RPC_PASSWORD = 'e2e-rpc-password';
/** Flat fee of the test's transactions: comfortably above 1 sat/vB for a few hundred outputs. */
const FEE_SAT = 50_000n;

export class TestChain {
  readonly chain = new RegtestChain();
  readonly #server = new RegtestRpcServer({ chain: this.chain }, { user: RPC_USER, password: RPC_PASSWORD });
  readonly #coins: AnyoneCanSpendCoin[] = [];

  /** Starts the chain with `coins` mature anyone-can-spend coinbases, and the RPC server. */
  async start(coins = 4): Promise<void> {
    await this.chain.start();
    const hashes = await this.chain.generate(coins);
    await this.chain.generate(100);
    for (const hash of hashes) {
      const block = await this.chain.getBlock(hash);
      const coinbase = Block.fromBuffer(Buffer.from(block?.raw ?? [])).transactions?.[0];
      const out = coinbase?.outs[0];
      if (!coinbase || !out) throw new Error('regtest block without a coinbase output');
      this.#coins.push({ txid: coinbase.getHash(), vout: 0, value: out.value });
    }
    await this.#server.start();
  }

  async stop(): Promise<void> {
    await this.#server.stop();
    await this.chain.stop();
  }

  /** The backend's arguments to use this chain as its bitcoind. */
  backendArgs(): string[] {
    return [
      `--bitcoind.rpc-url=${this.#server.url}`,
      `--bitcoind.rpcuser=${RPC_USER}`,
      `--bitcoind.rpcpassword=${RPC_PASSWORD}`,
    ];
  }

  async height(): Promise<number> {
    return (await this.chain.getTip()).height;
  }

  /**
   * Pays every plan's funding output in one transaction, mines it and `depth - 1` more blocks,
   * and returns the channels announced at the outputs' real positions.
   */
  async fund(plans: readonly ChannelPlan[], depth = 6): Promise<GenChannel[]> {
    const coin = this.#coins.shift();
    if (!coin) throw new Error('TestChain: out of coins; start() with more');
    const tx = fundingTransaction(
      coin,
      plans.map((p) => ({ script: p.script, value: p.capacitySat })),
      ANYONE_CAN_SPEND_SCRIPT,
      FEE_SAT,
    );
    await this.chain.sendRawTransaction(tx.raw);
    const [hash] = await this.chain.generate(1);
    const block = await this.chain.getBlock(hash ?? new Uint8Array(32));
    if (!block) throw new Error('mined block not found');
    const txs = Block.fromBuffer(Buffer.from(block.raw)).transactions ?? [];
    const txIndex = txs.findIndex((t) => tx.txid.equals(t.getHash()));
    if (txIndex < 0) throw new Error('funding transaction not in the mined block');
    if (depth > 1) await this.chain.generate(depth - 1);
    return plans.map((p, i) =>
      announceChannel(p, scidOf(block.height, txIndex, i), { txid: tx.txid, vout: i }),
    );
  }

  /** Spends a channel's funding output with its 2-of-2 keys and mines the spend. */
  async spend(ch: GenChannel): Promise<number> {
    const tx = spendFunding(ch, ANYONE_CAN_SPEND_SCRIPT, 1_000n);
    await this.chain.sendRawTransaction(tx.raw);
    await this.chain.generate(1);
    return this.height();
  }

  /** Mines `n` empty blocks. */
  async mine(n: number): Promise<void> {
    await this.chain.generate(n);
  }
}
