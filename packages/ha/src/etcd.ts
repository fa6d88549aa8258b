import { hostname } from 'node:os';
import type { Logger } from '@shoal/log';
import { silentLogger } from '@shoal/log';
import { ConsecutiveBreaker, circuitBreaker, handleAll, type IBackoff } from 'cockatiel';
import { Etcd3, type IOptions, type Namespace } from 'etcd3';
import { HaError } from './errors.js';
import { EtcdLeaderObserver, parseValue, waitForDelete } from './etcd-observer.js';
import { LeaseSession } from './etcd-session.js';
import { LocalLeadership } from './leadership.js';
import { HaMetrics } from './metrics.js';
import type { ElectorDeps, LeaderElector, LeaderObserver, Leadership } from './types.js';

/** Options of the etcd elector (`cluster.leader-elector = etcd`). */
export interface EtcdElectorOptions {
  /** etcd client URLs (`cluster.etcd.endpoints`), several for an etcd cluster. */
  endpoints: readonly string[];
  /** The logical node (`cluster.id`): its backends compete under `prefix + clusterId + '/'`. */
  clusterId: string;
  /** This backend's name in the election (default: the host name). */
  candidateId?: string;
  /** `cluster.etcd-election-prefix` (default `/shoal/election/`). */
  prefix?: string;
  /** Lease TTL in whole seconds (`cluster.leader-session-ttl`, default 2; etcd grants at least ~2). */
  ttlSeconds?: number;
  /**
   * How long before the lease's earliest possible expiry on etcd we stop (default: a quarter of
   * the TTL, at most 1 s). Must be below the TTL.
   */
  safetyMarginMs?: number;
  /** A string shown to observers, e.g. this backend's API URL. */
  advertise?: string;
  /** TLS to etcd (https endpoints): CA, and client certificate and key for mutual TLS. */
  tls?: { ca: Uint8Array; cert?: Uint8Array; key?: Uint8Array };
  /** etcd user and password (etcd auth). */
  auth?: { username: string; password: string };
  /** Deadline of each unary etcd call (default: the TTL). */
  callTimeoutMs?: number;
  /** Pause between campaign attempts after a failure (default 500 ms). */
  retryDelayMs?: number;
}

const DEFAULT_PREFIX = '/shoal/election/';

/**
 * Leader election on etcd, as etcd's own `concurrency.Election`: each candidate puts a key under
 * the election prefix, attached to its lease; the key with the lowest create revision leads. The
 * leader's fencing epoch is that create revision, so each leader's epoch is greater than every
 * earlier leader's (a candidate only leads once all keys created before its own are gone).
 */
export class EtcdElector implements LeaderElector {
  readonly kind = 'etcd';
  readonly #opts: Required<Omit<EtcdElectorOptions, 'tls' | 'auth' | 'advertise'>> &
    Pick<EtcdElectorOptions, 'tls' | 'auth' | 'advertise'>;
  readonly #log: Logger;
  readonly #metrics: HaMetrics;
  readonly #now: () => number;
  #client: Etcd3 | undefined;
  #ns: Namespace | undefined;
  readonly #stopping = new AbortController();
  readonly #sessions = new Set<LeaseSession>();
  readonly #observers = new Set<EtcdLeaderObserver>();

  constructor(deps: ElectorDeps, options: EtcdElectorOptions) {
    const ttlSeconds = options.ttlSeconds ?? 2;
    const safetyMarginMs = options.safetyMarginMs ?? Math.min(1000, (ttlSeconds * 1000) / 4);
    if (options.endpoints.length === 0) throw new HaError('HA_BAD_OPTIONS', 'no etcd endpoints given');
    if (!Number.isInteger(ttlSeconds) || ttlSeconds < 1) {
      throw new HaError(
        'HA_BAD_OPTIONS',
        `lease TTL must be a whole number of seconds >= 1, got ${ttlSeconds}`,
        {
          ttlSeconds,
        },
      );
    }
    if (safetyMarginMs < 0 || safetyMarginMs >= ttlSeconds * 1000) {
      throw new HaError('HA_BAD_OPTIONS', 'the safety margin must be >= 0 and below the TTL', {
        safetyMarginMs,
      });
    }
    if (options.clusterId === '' || options.clusterId.includes('/')) {
      throw new HaError('HA_BAD_OPTIONS', 'cluster id must be non-empty without "/"', {
        clusterId: options.clusterId,
      });
    }
    this.#opts = {
      endpoints: options.endpoints,
      clusterId: options.clusterId,
      candidateId: options.candidateId ?? hostname(),
      prefix: options.prefix ?? DEFAULT_PREFIX,
      ttlSeconds,
      safetyMarginMs,
      advertise: options.advertise,
      tls: options.tls,
      auth: options.auth,
      callTimeoutMs: options.callTimeoutMs ?? ttlSeconds * 1000,
      retryDelayMs: options.retryDelayMs ?? 500,
    };
    this.#log = (deps.logger ?? silentLogger).child({ component: 'leader-elector' });
    this.#metrics = new HaMetrics(deps.metrics);
    this.#now = deps.now ?? (() => performance.now());
  }

  /** The election's key prefix, e.g. `/shoal/election/shoal/`. */
  get electionPrefix(): string {
    return `${this.#opts.prefix}${this.#opts.clusterId}/`;
  }

  async start(): Promise<void> {
    if (this.#client) return;
    const o = this.#opts;
    const callTimeoutMs = o.callTimeoutMs;
    const options: IOptions = {
      hosts: [...o.endpoints],
      dialTimeout: callTimeoutMs,
      // Unary calls get a deadline so that an unreachable etcd fails fast; streams (watches and
      // keep-alives) must not have one.
      defaultCallOptions: (ctx) => (ctx.isStream ? {} : { deadline: Date.now() + callTimeoutMs }),
      faultHandling: {
        // The default breaker stays open 5 s after 3 failures: longer than a failover should take.
        host: () => circuitBreaker(handleAll, { halfOpenAfter: 250, breaker: new ConsecutiveBreaker(3) }),
        // The default watch reconnection backs off to 30 s; a follower waiting on a watch would
        // then take over that late after an etcd restart (and the timer keeps a stopped process up).
        watchBackoff: cappedBackoff(50, 500),
      },
    };
    if (o.tls) {
      options.credentials = {
        rootCertificate: Buffer.from(o.tls.ca),
        ...(o.tls.key ? { privateKey: Buffer.from(o.tls.key) } : {}),
        ...(o.tls.cert ? { certChain: Buffer.from(o.tls.cert) } : {}),
      };
    }
    if (o.auth) options.auth = { username: o.auth.username, password: o.auth.password };
    this.#client = new Etcd3(options);
    this.#ns = this.#client.namespace(this.electionPrefix);
  }

  async stop(): Promise<void> {
    if (this.#stopping.signal.aborted) return;
    const reason = new HaError('HA_STOPPED', 'leader elector stopped');
    this.#stopping.abort(reason);
    await Promise.allSettled([...this.#observers].map((o) => o.close()));
    // Revoke our leases so that a follower takes over at once instead of after the TTL.
    await Promise.allSettled([...this.#sessions].map((s) => s.revoke(reason, this.#opts.callTimeoutMs)));
    this.#client?.close();
  }

  async campaign(signal?: AbortSignal): Promise<Leadership> {
    const ns = this.#namespace();
    const started = this.#now();
    const abort = signal ? AbortSignal.any([signal, this.#stopping.signal]) : this.#stopping.signal;
    for (;;) {
      abort.throwIfAborted();
      try {
        return await this.#campaignOnce(ns, started, abort);
      } catch (err) {
        if (abort.aborted) throw abort.reason;
        this.#log.warn('campaign failed; retrying', { err, retryInMs: this.#opts.retryDelayMs });
        await sleep(this.#opts.retryDelayMs, abort);
      }
    }
  }

  async observe(): Promise<LeaderObserver> {
    const observer = new EtcdLeaderObserver(this.#namespace(), this.#log);
    this.#observers.add(observer);
    observer.onClose(() => this.#observers.delete(observer));
    await observer.ready();
    return observer;
  }

  async #campaignOnce(ns: Namespace, started: number, abort: AbortSignal): Promise<Leadership> {
    const o = this.#opts;
    const session = new LeaseSession(ns, o.ttlSeconds, o.safetyMarginMs, this.#now);
    this.#sessions.add(session);
    session.onEnd(() => this.#sessions.delete(session));
    const aborted = new Promise<never>((_, reject) => {
      const onAbort = () => reject(abort.reason);
      if (abort.aborted) onAbort();
      else abort.addEventListener('abort', onAbort, { once: true });
      session.onEnd(() => abort.removeEventListener('abort', onAbort));
    });
    aborted.catch(() => undefined);
    // Ends this attempt's watches however it ends (else etcd3 keeps reconnecting them forever).
    const attempt = new AbortController();
    session.onEnd(() => attempt.abort());
    const watchSignal = AbortSignal.any([abort, attempt.signal]);
    const guard = <T>(p: Promise<T>) => Promise.race([p, session.ended, aborted]);
    try {
      const key = await guard(session.grant());
      const value = JSON.stringify({ id: o.candidateId, advertise: o.advertise ?? null });
      const res = await guard(
        ns.if(key, 'Create', '==', 0).then(ns.put(key).value(value).lease(key)).else(ns.get(key)).commit(),
      );
      // A retried put finds the key already there: its create revision is then in the else branch.
      const existing = res.responses[0]?.response_range?.kvs[0];
      const epoch = BigInt(res.succeeded || !existing ? res.header.revision : existing.create_revision);
      this.#log.info('campaigning', { candidate: o.candidateId, epoch: epoch.toString() });
      let goneAt = started;
      for (;;) {
        const older = await guard(
          ns
            .getAll()
            .maxCreateRevision((epoch - 1n).toString())
            .sort('Create', 'Descend')
            .limit(1)
            .exec(),
        );
        const ahead = older.kvs[0];
        if (!ahead) break;
        this.#log.debug('waiting for an older candidate to go', { ahead: parseValue(ahead.value).id });
        await guard(waitForDelete(ns, ahead.key.toString(), older.header.revision, watchSignal));
        goneAt = this.#now();
      }
      return this.#lead(ns, session, key, epoch, this.#now() - goneAt);
    } catch (err) {
      const reason =
        err instanceof HaError ? err : new HaError('HA_ETCD_UNAVAILABLE', String(err), {}, { cause: err });
      // Best effort: a campaign that failed must not leave a key that would later block others.
      await session.revoke(reason, o.callTimeoutMs).catch((revokeErr: unknown) => {
        this.#log.debug('revoking a failed campaign lease failed (it will expire)', { err: revokeErr });
      });
      throw err instanceof HaError || abort.aborted ? err : reason;
    } finally {
      attempt.abort();
    }
  }

  #lead(ns: Namespace, session: LeaseSession, key: string, epoch: bigint, takeoverMs: number): Leadership {
    const o = this.#opts;
    const leadership = new LocalLeadership(o.candidateId, epoch, takeoverMs, session.deadline, {
      now: this.#now,
      onEnd: (reason) => {
        session.end(reason);
        this.#metrics.lost();
        this.#log.warn('leadership lost', {
          epoch: epoch.toString(),
          code: reason.code,
          reason: reason.message,
        });
      },
      resign: () => session.revoke(new HaError('HA_RESIGNED', 'resigned'), o.callTimeoutMs),
    });
    session.onExtend((deadline) => leadership.extend(deadline));
    session.onEnd((reason) => leadership.abandon(reason));
    // Someone deleting our key (an operator) deposes us as surely as a lost lease.
    waitForDelete(ns, key, epoch.toString(), leadership.signal).then(
      () =>
        leadership.abandon(
          new HaError('HA_KEY_DELETED', 'our election key was deleted', { epoch: epoch.toString() }),
        ),
      () => undefined, // the watch ends with leadership itself; the lease deadline covers a broken watch
    );
    // Elected too late (e.g. a freeze while waiting): the caller's campaign starts over.
    leadership.assertLeader();
    this.#metrics.elected(epoch, takeoverMs);
    this.#log.info('elected leader', { candidate: o.candidateId, epoch: epoch.toString(), takeoverMs });
    return leadership;
  }

  #namespace(): Namespace {
    if (!this.#ns) throw new HaError('HA_STOPPED', 'leader elector not started');
    if (this.#stopping.signal.aborted) throw this.#stopping.signal.reason;
    return this.#ns;
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** Doubling delays from `first` ms, capped at `max` ms (etcd3 calls `next()` without a context). */
function cappedBackoff(first: number, max: number): IBackoff<unknown> {
  return { duration: first, next: () => cappedBackoff(Math.min(first * 2, max), max) };
}
