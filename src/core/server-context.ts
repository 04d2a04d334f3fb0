// Builds the ServerContext commands see (CONFIG, INFO, CLIENT, AUTH) from what the server wiring provides,
// and the server-wide counters INFO reports. The counters live in a SharedArrayBuffer so the pool's worker
// threads add to one total: pass `counters.buffer` to each worker and `SharedServerCounters.attach` it there.
// Knows nothing of sockets or of which transport supplies the client list and figures.

import type {
  ClientInfo,
  CommandTable,
  ServerContext,
  ServerCounters,
  StatTotals,
  TransportStats,
} from './command.js';
import type { Config } from './config.js';
import type { Clock } from './store/types.js';

// Layout of the shared counters: a 64-bit command count as two Uint32 words (Atomics.add on a Uint32 returns a
// plain number, so the per-command path allocates nothing, unlike BigInt64), then the RESETSTAT baselines.
const LO = 0;
const HI = 1;
const BASE_CONNECTIONS = 1; // Float64 indexes from here on
const BASE_REJECTED = 2;
const BASE_EXPIRED = 3;
const BYTES = 4 * 8;

export class SharedServerCounters implements ServerCounters {
  private readonly words: Uint32Array;
  private readonly floats: Float64Array;

  private constructor(readonly buffer: SharedArrayBuffer) {
    this.words = new Uint32Array(buffer, 0, 2);
    this.floats = new Float64Array(buffer);
  }

  static create(): SharedServerCounters {
    return new SharedServerCounters(new SharedArrayBuffer(BYTES));
  }

  /** The same counters, in another thread. */
  static attach(buffer: SharedArrayBuffer): SharedServerCounters {
    return new SharedServerCounters(buffer);
  }

  commandProcessed(): void {
    if (Atomics.add(this.words, LO, 1) === 0xffffffff) Atomics.add(this.words, HI, 1);
  }

  commandsProcessed(): number {
    return Atomics.load(this.words, HI) * 2 ** 32 + Atomics.load(this.words, LO);
  }

  resetBaseline(totals: StatTotals): void {
    Atomics.store(this.words, LO, 0);
    Atomics.store(this.words, HI, 0);
    this.floats[BASE_CONNECTIONS] = totals.connections;
    this.floats[BASE_REJECTED] = totals.rejectedConnections;
    this.floats[BASE_EXPIRED] = totals.expiredKeys;
  }

  baseline(): StatTotals {
    return {
      connections: this.floats[BASE_CONNECTIONS],
      rejectedConnections: this.floats[BASE_REJECTED],
      expiredKeys: this.floats[BASE_EXPIRED],
    };
  }
}

export interface ServerContextDeps {
  readonly clock: Clock;
  readonly config: Config;
  /** redis-lite's own version (INFO redis_lite_version); clients see a Redis 7 compatible redis_version. */
  readonly version: string;
  /** Process start time, ms on the clock. */
  readonly startedAt: number;
  readonly tcpPort: number;
  readonly commands: CommandTable;
  clients(): ClientInfo[];
  transportStats(): TransportStats;
  killClient?(id: number): boolean;
  reportUnexpected(error: unknown, command: string): void;
  /** Shared with the other threads of this server; a fresh set when absent. */
  readonly counters?: ServerCounters;
}

export function createServerContext(deps: ServerContextDeps): ServerContext {
  const { config } = deps;
  const context: ServerContext = {
    clock: deps.clock,
    config,
    version: deps.version,
    startedAt: deps.startedAt,
    tcpPort: deps.tcpPort,
    commands: deps.commands,
    clients: () => deps.clients(),
    transportStats: () => deps.transportStats(),
    // Read live, so CONFIG SET requirepass applies to the next command of every client.
    requirePass: () => config.string('requirepass'),
    reportUnexpected: (error, command) => deps.reportUnexpected(error, command),
    counters: deps.counters ?? SharedServerCounters.create(),
  };
  // Present only when the transport can close a client, so CLIENT KILL can tell "unsupported" from "no such".
  if (deps.killClient !== undefined)
    return { ...context, killClient: (id) => deps.killClient?.(id) ?? false };
  return context;
}
