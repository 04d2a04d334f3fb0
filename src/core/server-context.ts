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
import { type HubOptions, PubSubHub } from './pubsub/hub.js';
import { parseKeyspaceEvents } from './pubsub/keyspace-events.js';
import { PubSubState } from './pubsub/shared-state.js';
import type { Clock } from './store/types.js';

// Layout of the shared counters: 64-bit counts as pairs of Uint32 words, low word first (Atomics.add on a Uint32
// returns a plain number, so the per-command and per-lookup paths allocate nothing, unlike BigInt64), then the
// RESETSTAT baselines as Float64s.
const COMMANDS = 0;
const HITS = 2;
const MISSES = 4;
const WORDS = 6;
const BASE_CONNECTIONS = WORDS / 2; // Float64 indexes from here on
const BASE_REJECTED = BASE_CONNECTIONS + 1;
const BASE_EXPIRED = BASE_CONNECTIONS + 2;
const BYTES = (BASE_EXPIRED + 1) * 8;

export class SharedServerCounters implements ServerCounters {
  private readonly words: Uint32Array;
  private readonly floats: Float64Array;

  private constructor(readonly buffer: SharedArrayBuffer) {
    this.words = new Uint32Array(buffer, 0, WORDS);
    this.floats = new Float64Array(buffer);
  }

  static create(): SharedServerCounters {
    return new SharedServerCounters(new SharedArrayBuffer(BYTES));
  }

  /** The same counters, in another thread. */
  static attach(buffer: SharedArrayBuffer): SharedServerCounters {
    return new SharedServerCounters(buffer);
  }

  /** Adds n (0 < n < 2^32) to the 64-bit count at `lo`, carrying into the high word when the low one wraps. */
  private add(lo: number, n: number): void {
    if (Atomics.add(this.words, lo, n) + n > 0xffffffff) Atomics.add(this.words, lo + 1, 1);
  }

  private read(lo: number): number {
    return Atomics.load(this.words, lo + 1) * 2 ** 32 + Atomics.load(this.words, lo);
  }

  commandProcessed(): void {
    this.add(COMMANDS, 1);
  }

  commandsProcessed(): number {
    return this.read(COMMANDS);
  }

  keyLookup(found: boolean): void {
    this.add(found ? HITS : MISSES, 1);
  }

  keyLookups(hits: number, misses: number): void {
    if (hits > 0) this.add(HITS, hits);
    if (misses > 0) this.add(MISSES, misses);
  }

  keyspaceHits(): number {
    return this.read(HITS);
  }

  keyspaceMisses(): number {
    return this.read(MISSES);
  }

  resetBaseline(totals: StatTotals): void {
    for (let i = 0; i < WORDS; i++) Atomics.store(this.words, i, 0);
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
  /** INFO executable; this thread's main script when absent (right on the main thread only). */
  readonly executable?: string;
  readonly commands: CommandTable;
  clients(): ClientInfo[];
  /** One client's entry; when absent, found in clients(). */
  client?(id: number): ClientInfo | undefined;
  transportStats(): TransportStats;
  killClient?(id: number): boolean;
  reportUnexpected(error: unknown, command: string): void;
  /** Shared with the other threads of this server; a fresh set when absent. */
  readonly counters?: ServerCounters;
  /**
   * Pub/Sub: the state every thread of the server shares, this thread's endpoint (null: it serves no
   * subscribers) and how to wake another thread. Absent: a state of its own with this thread as its one
   * endpoint (the event loop, tests).
   */
  readonly pubsub?: Omit<HubOptions, 'keyspaceFlags'>;
}

/** The notify-keyspace-events classes, parsed again only when the setting's text changed. */
function keyspaceFlagsOf(config: Config): () => number {
  let text = '';
  let flags = 0;
  return () => {
    const now = config.string('notify-keyspace-events');
    if (now !== text) {
      text = now;
      flags = Math.max(0, parseKeyspaceEvents(now));
    }
    return flags;
  };
}

/** The running script as INFO names it (Redis: the binary's path). */
export function mainScript(): string {
  return process.argv[1] ?? process.execPath;
}

export function createServerContext(deps: ServerContextDeps): ServerContext {
  const { config } = deps;
  const context: ServerContext = {
    clock: deps.clock,
    config,
    version: deps.version,
    startedAt: deps.startedAt,
    tcpPort: deps.tcpPort,
    executable: deps.executable ?? mainScript(),
    commands: deps.commands,
    clients: () => deps.clients(),
    client: (id) => (deps.client === undefined ? deps.clients().find((c) => c.id === id) : deps.client(id)),
    transportStats: () => deps.transportStats(),
    // Read live, so CONFIG SET requirepass applies to the next command of every client.
    requirePass: () => config.string('requirepass'),
    // Read live too: CONFIG SET inline-replies applies to the next inline request of every client.
    inlineReplies: () => (config.string('inline-replies') === 'resp' ? 'resp' : 'plain'),
    reportUnexpected: (error, command) => deps.reportUnexpected(error, command),
    counters: deps.counters ?? SharedServerCounters.create(),
    pubsub: new PubSubHub({
      ...(deps.pubsub ?? { state: PubSubState.create(1), endpoint: 0 }),
      keyspaceFlags: keyspaceFlagsOf(config),
    }),
  };
  // Present only when the transport can close a client, so CLIENT KILL can tell "unsupported" from "no such".
  if (deps.killClient !== undefined)
    return { ...context, killClient: (id) => deps.killClient?.(id) ?? false };
  return context;
}
