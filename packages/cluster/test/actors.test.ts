import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ActorSystem } from '../src/actors/system.js';
import { CodecRegistry, type Message } from '../src/codec/registry.js';
import { ClusterError } from '../src/errors.js';
import type { ActorRef, Logger } from '../src/types.js';

const codecs = new CodecRegistry();
const Num = codecs.register<number>(
  1,
  'num',
  (n) => Buffer.from(String(n)),
  (b) => Number(Buffer.from(b).toString()),
);

function recordingLogger(): Logger & { errors: string[] } {
  const errors: string[] = [];
  return { errors, debug() {}, info() {}, warn() {}, error: (m) => errors.push(m) };
}

function system(logger: Logger = recordingLogger()) {
  const dead: { target: ActorRef; msg: Message; err: ClusterError }[] = [];
  const sys = new ActorSystem(
    { logger },
    { address: '127.0.0.1:1', incarnation: 7n },
    (target) => {
      throw new ClusterError('CLUSTER_UNREACHABLE', 'no remote', { address: target.address });
    },
    (target, msg, err) => dead.push({ target, msg, err }),
  );
  return { sys, dead };
}

describe('ActorSystem', { timeout: 10_000 }, () => {
  it('delivers in order and keeps state', async () => {
    const { sys } = system();
    const seen: number[] = [];
    let done!: () => void;
    const finished = new Promise<void>((r) => {
      done = r;
    });
    const ref = sys.spawn('counter', {
      initialState: 0,
      handle: (s, msg) => {
        if (Num.is(msg)) seen.push(msg.value);
        if (s + 1 === 1000) done();
        return s + 1;
      },
    });
    for (let i = 0; i < 1000; i++) sys.tell(ref, Num.of(i));
    await finished;
    assert.deepEqual(
      seen,
      Array.from({ length: 1000 }, (_, i) => i),
    );
    sys.stop();
  });

  it('logs a crash and restarts with the initial state by default', async () => {
    const logger = recordingLogger();
    const { sys } = system(logger);
    const states: number[] = [];
    let done!: () => void;
    const finished = new Promise<void>((r) => {
      done = r;
    });
    const ref = sys.spawn('crashy', {
      initialState: 10,
      handle: (s, msg) => {
        if (Num.is(msg) && msg.value < 0) throw new Error('negative');
        states.push(s);
        if (states.length === 3) done();
        return s + 1;
      },
    });
    sys.tell(ref, Num.of(1));
    sys.tell(ref, Num.of(-1));
    sys.tell(ref, Num.of(2));
    sys.tell(ref, Num.of(3));
    await finished;
    assert.deepEqual(states, [10, 10, 11]);
    assert.deepEqual(logger.errors, ['actor crashed']);
    sys.stop();
  });

  it('refuses messages beyond the mailbox bound with a typed error and a dead letter', () => {
    const { sys, dead } = system();
    const ref = sys.spawn('small', { initialState: 0, mailboxLimit: 2, handle: (s) => s });
    sys.tell(ref, Num.of(1));
    sys.tell(ref, Num.of(2));
    assert.throws(
      () => sys.tell(ref, Num.of(3)),
      (e) => e instanceof ClusterError && e.code === 'CLUSTER_MAILBOX_FULL',
    );
    assert.equal(dead.length, 1);
    sys.stop();
  });

  it('ask gets the reply, times out with a typed error, and uses increasing bigint ids', async () => {
    const { sys } = system();
    const echo = sys.spawn('echo', {
      initialState: undefined,
      handle: (s, msg, ctx) => {
        if (Num.is(msg) && msg.value >= 0) ctx.reply(Num.of(msg.value * 2));
        return s;
      },
    });
    const replies = await Promise.all(
      Array.from({ length: 2000 }, (_, i) => sys.ask(1000, (replyTo) => sys.tell(echo, Num.of(i), replyTo))),
    );
    assert.deepEqual(
      replies.map((m) => m.value),
      Array.from({ length: 2000 }, (_, i) => i * 2),
    );
    await assert.rejects(
      sys.ask(50, (replyTo) => sys.tell(echo, Num.of(-1), replyTo)),
      (e) => e instanceof ClusterError && e.code === 'CLUSTER_ASK_TIMEOUT',
    );
    assert.equal(sys.pendingAsks, 0);
    sys.stop();
  });

  it('fails fast for a remote ref it cannot route', async () => {
    const { sys } = system();
    const remote: ActorRef = { address: '127.0.0.1:2', incarnation: 1n, path: '/user/x' };
    await assert.rejects(
      sys.ask(1000, (replyTo) => sys.tell(remote, Num.of(1), replyTo)),
      (e) => e instanceof ClusterError && e.code === 'CLUSTER_UNREACHABLE',
    );
    sys.stop();
  });
});
