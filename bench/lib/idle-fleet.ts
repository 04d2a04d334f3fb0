// Parent side of the idle connections: a fleet of idle-holder child processes, each holding at most
// `perProcess` connections (bounded by its descriptor limit), spread over loopback source addresses once a
// single address would run out of ephemeral ports. Aggregates their progress; closes and stops them.

import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { track, waitExit } from './children.js';
import type { HolderCommand, HolderStatus, OpenCommand } from './idle-holder.js';
import { benchLibDir } from './paths.js';

export interface FleetOptions {
  host: string;
  port: number;
  perProcess: number;
  perAddress: number;
  sourceAddresses: string[];
  concurrency: number;
  connectTimeoutMs: number;
  lifetimeMs: number;
}

export interface FleetStatus {
  holders: number;
  requested: number;
  open: number;
  attempted: number;
  failed: number;
  closedByServer: number;
  serverMessage: string | null;
  errors: Record<string, number>;
  settled: boolean;
}

interface Holder {
  child: ChildProcess;
  assigned: number;
  status: HolderStatus;
  waiters: ((status: HolderStatus) => void)[];
}

/** Loopback source addresses 127.0.0.1, 127.0.0.2, ...: all of 127/8 is local on Linux. */
export function loopbackAddresses(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `127.0.${Math.floor((i + 1) / 256)}.${(i + 1) % 256}`);
}

export class IdleFleet {
  private readonly holders: Holder[] = [];
  private requested = 0;

  constructor(private readonly options: FleetOptions) {}

  /** Opens more idle connections until `total` have been requested (never closes any). */
  async openTo(total: number): Promise<void> {
    while (this.requested < total) {
      let holder = this.holders.find((h) => h.assigned < this.options.perProcess);
      if (!holder) holder = await this.spawnHolder();
      const count = Math.min(total - this.requested, this.options.perProcess - holder.assigned);
      const command: OpenCommand = {
        type: 'open',
        host: this.options.host,
        port: this.options.port,
        firstIndex: this.requested,
        count,
        sourceAddresses: this.options.sourceAddresses,
        perAddress: this.options.perAddress,
        concurrency: this.options.concurrency,
        connectTimeoutMs: this.options.connectTimeoutMs,
      };
      holder.assigned += count;
      holder.status = { ...holder.status, idle: false };
      this.requested += count;
      holder.child.send(command);
    }
  }

  /** Asks every holder for its status and aggregates. */
  async status(): Promise<FleetStatus> {
    const statuses = await Promise.all(this.holders.map((h) => this.ask(h, { type: 'status' })));
    const errors: Record<string, number> = {};
    for (const s of statuses)
      for (const [code, n] of Object.entries(s.errors)) errors[code] = (errors[code] ?? 0) + n;
    return {
      holders: this.holders.length,
      requested: this.requested,
      open: sum(statuses.map((s) => s.open)),
      attempted: sum(statuses.map((s) => s.attempted)),
      failed: sum(statuses.map((s) => s.failed)),
      closedByServer: sum(statuses.map((s) => s.closedByServer)),
      serverMessage: statuses.find((s) => s.serverMessage !== null)?.serverMessage ?? null,
      errors,
      settled: statuses.every((s) => s.idle) && sum(statuses.map((s) => s.attempted)) >= this.requested,
    };
  }

  /** Closes every idle connection (all holders at once); resolves when each holder has destroyed its sockets. */
  async closeAll(): Promise<void> {
    await Promise.all(
      this.holders.map(
        (h) =>
          new Promise<void>((resolve) => {
            const onMessage = (message: { type: string }): void => {
              if (message.type === 'closed') {
                h.child.off('message', onMessage);
                resolve();
              }
            };
            h.child.on('message', onMessage);
            h.child.once('exit', () => resolve());
            h.child.send({ type: 'close' } satisfies HolderCommand);
          }),
      ),
    );
    for (const h of this.holders) h.assigned = 0;
    this.requested = 0;
  }

  async stop(): Promise<void> {
    await Promise.all(
      this.holders.map((h) => {
        h.child.kill('SIGTERM');
        return waitExit(h.child, 3000);
      }),
    );
    this.holders.length = 0;
  }

  private async spawnHolder(): Promise<Holder> {
    const script = path.join(benchLibDir, 'idle-holder.js');
    // Raise the soft descriptor limit to the hard one where the shell may (ulimit), then exec node.
    const child = track(
      spawn(
        '/bin/sh',
        ['-c', 'ulimit -n "$(ulimit -Hn)" 2>/dev/null; exec "$0" "$@"', process.execPath, script],
        {
          stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
          env: { ...process.env, IDLE_HOLDER_LIFETIME_MS: String(this.options.lifetimeMs) },
        },
      ),
    );
    const holder: Holder = {
      child,
      assigned: 0,
      status: {
        type: 'status',
        open: 0,
        attempted: 0,
        failed: 0,
        closedByServer: 0,
        serverMessage: null,
        errors: {},
        idle: true,
      },
      waiters: [],
    };
    child.on('message', (message: HolderStatus | { type: 'closed' }) => {
      if (message.type !== 'status') return;
      holder.status = message;
      for (const waiter of holder.waiters.splice(0)) waiter(message);
    });
    child.once('exit', (code, signal) => {
      holder.status = { ...holder.status, idle: true, open: 0 };
      for (const waiter of holder.waiters.splice(0)) waiter(holder.status);
      if (code !== 0 && signal === null)
        process.stderr.write(`idle holder ${child.pid} exited with code ${code}\n`);
    });
    // The holder sends one status message when it is ready for commands.
    await new Promise<void>((resolve, reject) => {
      holder.waiters.push(() => resolve());
      child.once('error', reject);
    });
    this.holders.push(holder);
    return holder;
  }

  private ask(holder: Holder, command: HolderCommand): Promise<HolderStatus> {
    if (holder.child.exitCode !== null || holder.child.signalCode !== null)
      return Promise.resolve(holder.status);
    return new Promise((resolve) => {
      holder.waiters.push(resolve);
      holder.child.send(command);
    });
  }
}

function sum(values: number[]): number {
  return values.reduce((a, b) => a + b, 0);
}
