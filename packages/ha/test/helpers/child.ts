import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

export type Event = { ev: string } & Record<string, unknown>;

/** A child process speaking JSON lines; waits for events by predicate. */
export class Child {
  readonly proc: ChildProcess;
  readonly events: Event[] = [];
  #waiters: { pred: (e: Event) => boolean; resolve: (e: Event) => void }[] = [];
  stderr = '';

  constructor(script: string, arg: unknown) {
    this.proc = spawn(process.execPath, [script, JSON.stringify(arg)], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.proc.stderr?.on('data', (d: Buffer) => {
      this.stderr = (this.stderr + d.toString()).slice(-4000);
    });
    createInterface({ input: this.proc.stdout! }).on('line', (line) => {
      const e = JSON.parse(line) as Event;
      this.events.push(e);
      this.#waiters = this.#waiters.filter((w) => {
        if (!w.pred(e)) return true;
        w.resolve(e);
        return false;
      });
    });
  }

  /** The first event (past or future) matching `pred`; rejects after `timeoutMs` or if the child exits. */
  wait(pred: (e: Event) => boolean, timeoutMs: number, what: string): Promise<Event> {
    const seen = this.events.find(pred);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const t = setTimeout(
        () => reject(new Error(`timed out waiting for ${what}; stderr: ${this.stderr}`)),
        timeoutMs,
      );
      const onExit = () =>
        reject(new Error(`child exited while waiting for ${what}; stderr: ${this.stderr}`));
      this.proc.once('exit', onExit);
      this.#waiters.push({
        pred,
        resolve: (e) => {
          clearTimeout(t);
          this.proc.off('exit', onExit);
          resolve(e);
        },
      });
    });
  }

  send(line: string): void {
    this.proc.stdin?.write(`${line}\n`);
  }

  signal(sig: NodeJS.Signals): void {
    this.proc.kill(sig);
  }

  /** SIGKILLs the child (after SIGCONT, in case it is stopped) and waits for it to exit. */
  async kill(): Promise<void> {
    if (this.proc.exitCode !== null || this.proc.signalCode !== null) return;
    const exited = new Promise((r) => this.proc.once('exit', r));
    this.proc.kill('SIGCONT');
    this.proc.kill('SIGKILL');
    await exited;
  }
}
