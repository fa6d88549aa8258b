import { type ChildProcess, fork } from 'node:child_process';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const FIXTURE = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'member.js');

export interface MemberConfig {
  host: string;
  port: number;
  seeds: string[];
  keystore: string;
  version: number;
  roles: string[];
  foreignCert?: boolean;
  thresholdMs: number;
  downAfterMs: number;
  highWaterMark?: number;
}

export type Event = { ev: string; [k: string]: unknown };

/** Reply error of a command, carrying the member's error code. */
export class CommandError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** A member process driven over IPC; events are kept so waits never miss one that already came. */
export class MemberProc {
  readonly events: Event[] = [];
  private readonly waiters = new Set<() => void>();
  private nextId = 1;
  private readonly pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  readonly child: ChildProcess;
  exited = false;

  constructor(
    readonly config: MemberConfig,
    env: Record<string, string> = { CLUSTER_TLS_PASSWORD: 'test-password' },
  ) {
    this.child = fork(FIXTURE, [JSON.stringify(config)], {
      env: { ...process.env, CLUSTER_TLS_PASSWORD: '', AKKA_TLS_PASSWORD: '', ...env },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.child.on('message', (raw) => {
      const m = raw as {
        id?: number;
        ok?: boolean;
        value?: unknown;
        code?: string;
        message?: string;
        ev?: string;
      };
      if (typeof m.id === 'number') {
        const p = this.pending.get(m.id);
        this.pending.delete(m.id);
        if (m.ok === true) p?.resolve(m.value);
        else p?.reject(new CommandError(m.code ?? 'ERROR', m.message ?? ''));
        return;
      }
      this.events.push(m as Event);
      for (const w of [...this.waiters]) w();
    });
    this.child.on('exit', (code) => {
      this.exited = true;
      this.events.push({ ev: 'exit', code });
      for (const p of this.pending.values()) p.reject(new Error('member exited'));
      this.pending.clear();
      for (const w of [...this.waiters]) w();
    });
  }

  get address(): string {
    return `${this.config.host}:${this.config.port}`;
  }

  request<T = unknown>(cmd: string, args: Record<string, unknown> = {}, timeoutMs = 20_000): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`${cmd} timed out`));
      }, timeoutMs);
      this.pending.set(id, {
        resolve: (v) => {
          clearTimeout(timer);
          resolve(v as T);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      this.child.send({ id, cmd, ...args });
    });
  }

  /** Resolves with the first event (already seen or future) matching `pred`; rejects at the deadline. */
  waitFor(pred: (e: Event) => boolean, timeoutMs: number, what = 'event'): Promise<Event> {
    return new Promise<Event>((resolve, reject) => {
      const check = () => {
        const hit = this.events.find(pred);
        if (hit !== undefined) {
          done();
          resolve(hit);
        }
      };
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(check);
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`timed out waiting for ${what} on ${this.address}`));
      }, timeoutMs);
      this.waiters.add(check);
      check();
    });
  }

  ready(timeoutMs = 15_000): Promise<Event> {
    return this.waitFor(
      (e) => e.ev === 'ready' || e.ev === 'start-error' || e.ev === 'exit',
      timeoutMs,
      'ready',
    );
  }

  kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    if (this.exited) return Promise.resolve();
    const gone = new Promise<void>((r) => this.child.once('exit', () => r()));
    this.child.kill(signal);
    return gone;
  }
}

/** A free TCP port on 127.0.0.1 (bound then released). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a !== null ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}
