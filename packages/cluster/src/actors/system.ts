import { dispatch, type Ref, spawn, start, stop } from 'nact';
import type { Message } from '../codec/registry.js';
import { ClusterError, errorMessage } from '../errors.js';
import type { ActorRef, Logger } from '../types.js';
import { Fifo } from './queue.js';

/** What a handler sees besides the message. */
export interface ActorContext {
  readonly self: ActorRef;
  /** The sender, when the message was sent with one (replies go there). */
  readonly sender: ActorRef | undefined;
  /** Sends `msg` to the sender; throws `CLUSTER_NO_ACTOR` when there is none. */
  reply(msg: Message): boolean;
  /** Sends a message to any ref, with this actor as the sender. */
  tell(target: ActorRef, msg: Message): boolean;
}

/** What happens after a handler throws: the error is always logged first. */
export type CrashPolicy = 'restart' | 'resume' | 'stop';

/** Definition of an actor spawned through {@link ActorSystem.spawn}. */
export interface ActorSpec<S> {
  initialState: S;
  handle(state: S, msg: Message, ctx: ActorContext): S | Promise<S>;
  /** Messages waiting beyond this are refused with `CLUSTER_MAILBOX_FULL` (default 100,000). */
  mailboxLimit?: number;
  /** Default `restart`: state back to `initialState`, processing goes on with the next message. */
  onCrash?: CrashPolicy;
}

/** Routes a message to a ref of another member; provided by the cluster member. */
export type RemoteRouter = (target: ActorRef, msg: Message, sender: ActorRef | undefined) => boolean;

/** Called for every message that could not be delivered. */
export type DeadLetterSink = (target: ActorRef, msg: Message, err: ClusterError) => void;

interface Envelope {
  msg: Message;
  sender: ActorRef | undefined;
}

interface Cell {
  readonly ref: ActorRef;
  readonly mailbox: Fifo<Envelope>;
  readonly limit: number;
  scheduled: boolean;
  /** Mailbox went over half its limit and has not yet fallen to a quarter. */
  pressured: boolean;
  stopped: boolean;
  nact: Ref<0>;
}

interface Pending {
  resolve(msg: Message): void;
  reject(err: Error): void;
  timer: NodeJS.Timeout;
}

const BATCH = 256;
const ASK_PREFIX = '/temp/ask-';

/**
 * A thin wrapper over nact: nact schedules and supervises, the wrapper adds a bounded FIFO mailbox,
 * supervision that logs and restarts by default, and `ask` with 64-bit+ (bigint) correlation ids.
 */
export class ActorSystem {
  private readonly root = start();
  private readonly cells = new Map<string, Cell>();
  private readonly pending = new Map<bigint, Pending>();
  private nextAskId = 1n;
  private anonymous = 0;
  private pressuredCells = 0;
  /**
   * Called with true when some mailbox passes half its limit and with false once every such
   * mailbox is back to a quarter; the member pauses reading its links in between, so remote
   * producers see a saturated link instead of their messages being refused here.
   */
  onPressure: (pressured: boolean) => void = () => {};

  constructor(
    private readonly deps: { logger: Logger },
    private readonly self: { address: string; incarnation: bigint },
    private readonly remote: RemoteRouter,
    private readonly deadLetter: DeadLetterSink = () => {},
  ) {}

  /** Spawns an actor at `/user/<name>` (a unique name is made up when omitted). */
  spawn<S>(name: string | undefined, spec: ActorSpec<S>): ActorRef {
    const actorName = name ?? `anon-${++this.anonymous}`;
    const path = `/user/${actorName}`;
    if (this.cells.has(path))
      throw new ClusterError('CLUSTER_BAD_STATE', `actor ${path} already exists`, { path });
    const ref: ActorRef = { address: this.self.address, incarnation: this.self.incarnation, path };
    const policy = spec.onCrash ?? 'restart';
    let state = spec.initialState;
    const cell: Cell = {
      ref,
      mailbox: new Fifo<Envelope>(),
      limit: spec.mailboxLimit ?? 100_000,
      scheduled: false,
      stopped: false,
      pressured: false,
      nact: undefined as unknown as Ref<0>,
    };
    const log = this.deps.logger;
    // nact runs one "drain" token at a time per actor; the token handler works through a batch of
    // our mailbox so a message does not cost a setImmediate each, and throws to nact on a crash.
    const drain = async (_s: number, _token: 0): Promise<number> => {
      let n = 0;
      while (n < BATCH) {
        const env = cell.mailbox.shift();
        if (env === undefined) break;
        if (cell.pressured && cell.mailbox.length <= cell.limit / 4) this.relieve(cell);
        n++;
        const ctx = this.context(ref, env.sender);
        try {
          // Await only real promises: a microtask per message halves throughput for sync handlers.
          const next = spec.handle(state, env.msg, ctx);
          state = next instanceof Promise ? await next : next;
        } catch (err) {
          throw new CrashError(err, env.msg);
        }
      }
      this.reschedule(cell);
      return 0;
    };
    cell.nact = spawn(this.root, drain, actorName.replace(/[^A-Za-z0-9_-]/g, '_'), {
      initialState: 0,
      onCrash: (_msg, error, ctx) => {
        const e = error instanceof CrashError ? error : new CrashError(error, undefined);
        log.error('actor crashed', { path, policy, type: e.msgType, error: errorMessage(e.cause) });
        if (policy === 'stop') {
          this.stopCell(cell);
          return ctx.stop;
        }
        if (policy === 'restart') state = spec.initialState;
        this.reschedule(cell);
        return ctx.resume;
      },
    });
    this.cells.set(path, cell);
    return ref;
  }

  private reschedule(cell: Cell): void {
    if (cell.mailbox.length > 0 && !cell.stopped) dispatch(cell.nact, 0);
    else cell.scheduled = false;
  }

  private context(self: ActorRef, sender: ActorRef | undefined): ActorContext {
    return {
      self,
      sender,
      reply: (msg) => {
        if (sender === undefined)
          throw new ClusterError('CLUSTER_NO_ACTOR', 'no sender to reply to', { self: self.path });
        return this.tell(sender, msg, self);
      },
      tell: (target, msg) => this.tell(target, msg, self),
    };
  }

  /** True when the ref names this member (this incarnation). */
  isLocal(ref: ActorRef): boolean {
    return ref.address === this.self.address && ref.incarnation === this.self.incarnation;
  }

  /** True when a local actor or a pending ask lives at `path`. */
  has(path: string): boolean {
    return this.cells.has(path);
  }

  /**
   * Sends a message. Local refs go to the mailbox; others to the remote router. Returns `false`
   * when the message was queued but the path to it is saturated (pause the producer); throws a
   * {@link ClusterError} (and records a dead letter) when it cannot be delivered at all.
   */
  tell(target: ActorRef, msg: Message, sender?: ActorRef): boolean {
    if (!this.isLocal(target)) return this.remote(target, msg, sender);
    this.deliverLocal(target.path, msg, sender);
    return true;
  }

  /** Delivers to a local path (an actor or a pending ask); throws when there is none or it is full. */
  deliverLocal(path: string, msg: Message, sender: ActorRef | undefined): void {
    if (path.startsWith(ASK_PREFIX)) {
      const id = parseAskId(path);
      const p = id === undefined ? undefined : this.pending.get(id);
      if (p === undefined || id === undefined) {
        throw this.dead(
          path,
          msg,
          new ClusterError('CLUSTER_NO_ACTOR', `no pending ask at ${path}`, { path }),
        );
      }
      this.pending.delete(id);
      clearTimeout(p.timer);
      p.resolve(msg);
      return;
    }
    const cell = this.cells.get(path);
    if (cell === undefined || cell.stopped) {
      throw this.dead(path, msg, new ClusterError('CLUSTER_NO_ACTOR', `no actor at ${path}`, { path }));
    }
    if (cell.mailbox.length >= cell.limit) {
      throw this.dead(
        path,
        msg,
        new ClusterError('CLUSTER_MAILBOX_FULL', `mailbox of ${path} is full`, { path, limit: cell.limit }),
      );
    }
    cell.mailbox.push({ msg, sender });
    if (!cell.pressured && cell.mailbox.length >= cell.limit / 2) {
      cell.pressured = true;
      if (++this.pressuredCells === 1) this.onPressure(true);
    }
    if (!cell.scheduled) {
      cell.scheduled = true;
      dispatch(cell.nact, 0);
    }
  }

  private dead(path: string, msg: Message, err: ClusterError): ClusterError {
    this.deadLetter({ address: this.self.address, incarnation: this.self.incarnation, path }, msg, err);
    return err;
  }

  /**
   * Request/response: `send` is called with a temporary reply ref (its correlation id is a bigint
   * counter, never reused); resolves with the first message sent to it, rejects with
   * `CLUSTER_ASK_TIMEOUT` after `timeoutMs`, or with whatever `send` throws.
   */
  ask(timeoutMs: number, send: (replyTo: ActorRef) => unknown): Promise<Message> {
    const id = this.nextAskId++;
    const replyTo: ActorRef = {
      address: this.self.address,
      incarnation: this.self.incarnation,
      path: `${ASK_PREFIX}${id}`,
    };
    return new Promise<Message>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(
          new ClusterError('CLUSTER_ASK_TIMEOUT', `no reply within ${timeoutMs} ms`, {
            timeoutMs,
            id: String(id),
          }),
        );
      }, timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      try {
        send(replyTo);
      } catch (err) {
        this.pending.delete(id);
        clearTimeout(timer);
        reject(err);
      }
    });
  }

  /** Number of asks waiting for a reply. */
  get pendingAsks(): number {
    return this.pending.size;
  }

  /** Stops one local actor; messages still in its mailbox become dead letters. */
  stopActor(ref: ActorRef): void {
    const cell = this.cells.get(ref.path);
    if (cell === undefined || !this.isLocal(ref)) return;
    this.stopCell(cell);
    stop(cell.nact);
  }

  private relieve(cell: Cell): void {
    cell.pressured = false;
    if (--this.pressuredCells === 0) this.onPressure(false);
  }

  private stopCell(cell: Cell): void {
    if (cell.pressured) this.relieve(cell);
    cell.stopped = true;
    this.cells.delete(cell.ref.path);
    for (const env of cell.mailbox.clear()) {
      this.deadLetter(
        cell.ref,
        env.msg,
        new ClusterError('CLUSTER_NO_ACTOR', `actor ${cell.ref.path} stopped`),
      );
    }
  }

  /** Stops every actor and rejects every pending ask. */
  stop(): void {
    for (const cell of [...this.cells.values()]) this.stopCell(cell);
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(new ClusterError('CLUSTER_BAD_STATE', 'actor system stopped', { id: String(id) }));
    }
    this.pending.clear();
    stop(this.root);
  }
}

function parseAskId(path: string): bigint | undefined {
  const s = path.slice(ASK_PREFIX.length);
  return /^[0-9]{1,40}$/.test(s) ? BigInt(s) : undefined;
}

/** Carries the failing message's type to the supervisor. */
class CrashError extends Error {
  readonly msgType: string;
  constructor(
    override readonly cause: unknown,
    msg: Message | undefined,
  ) {
    super(errorMessage(cause));
    this.msgType = msg?.type.name ?? 'unknown';
  }
}
