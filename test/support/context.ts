// Test fixture: a real store, command table, Config and server context with a controllable clock, and a
// one-call way to run a command through the real executor. Unit tests of commands use this instead of a socket.

import type { ClientInfo, ClientState, CommandContext, TransportStats } from '../../src/core/command.js';
import { ALL_COMMANDS } from '../../src/core/commands/table.js';
import { Config } from '../../src/core/config.js';
import { ClientContexts } from '../../src/core/command-context.js';
import { createCommandTable, execute } from '../../src/core/executor.js';
import type { Reply } from '../../src/core/reply.js';
import { createServerContext } from '../../src/core/server-context.js';
import { SharedStore } from '../../src/core/store/store.js';
import { Transaction } from '../../src/core/transaction.js';

export class FakeClock {
  constructor(public now = 1_700_000_000_000) {}
  readonly read = (): number => this.now;
  advance(ms: number): void {
    this.now += ms;
  }
}

export interface TestContext extends CommandContext {
  readonly clock: FakeClock;
  readonly config: Config;
  /** What transportStats() returns; tests may change its fields. */
  stats: TransportStats;
  /** Runs one command through the executor; string arguments are UTF-8. */
  run(...argv: (string | Uint8Array)[]): Reply;
}

export interface TestContextOptions {
  requirepass?: string;
  /** The `databases` setting (default 16, as the server's). */
  databases?: number;
  /** The transport's client list (CLIENT LIST / KILL); none by default. */
  clients?: () => ClientInfo[];
  /** The transport's lookup of one client (CLIENT INFO); when absent, found in `clients`. */
  client?: (id: number) => ClientInfo | undefined;
  /** Present only when given, as on a transport that can close clients. */
  killClient?: (id: number) => boolean;
  /** MEMORY PURGE's work (ServerContext.purgeMemory); absent by default. */
  purgeMemory?: () => void;
}

export function createTestContext(options: TestContextOptions = {}): TestContext {
  const clock = new FakeClock();
  const databases = options.databases ?? 16;
  const store = SharedStore.create({ clock: clock.read, databases });
  const commands = createCommandTable(ALL_COMMANDS);
  const config = new Config({ requirepass: options.requirepass ?? '', databases: String(databases) });
  let stats: TransportStats = {
    transport: 'eventloop',
    connectedClients: 1,
    totalConnections: 1,
    rejectedConnections: 0,
    maxclients: 10000,
  };
  const server = createServerContext({
    clock: clock.read,
    config,
    version: '0.0.0-test',
    startedAt: clock.now,
    tcpPort: 6379,
    commands,
    clients: options.clients ?? (() => []),
    client: options.client,
    transportStats: () => stats,
    killClient: options.killClient,
    ...(options.purgeMemory === undefined ? {} : { purgeMemory: options.purgeMemory }),
    reportUnexpected: (error) => {
      throw error;
    },
  });
  const client: ClientState = {
    id: 1,
    addr: '127.0.0.1:50000',
    laddr: '127.0.0.1:6379',
    name: '',
    db: 0,
    authenticated: false,
    user: 'default',
    userIncarnation: 1,
    aclUnrestricted: true,
    resp: 2,
    transaction: new Transaction(),
    closeAfterReply: false,
    lastCommand: 'NULL',
    createdAt: clock.now,
    lastInteraction: clock.now,
  };
  const contexts = new ClientContexts(store, client, server);
  return {
    /** The selected database's view, as the next command sees it. */
    get store() {
      return contexts.current().store;
    },
    client,
    server,
    clock,
    config,
    get stats() {
      return stats;
    },
    set stats(value: TransportStats) {
      stats = value;
    },
    run: (...argv) => {
      // As a Session does on the read that brought the request.
      client.lastInteraction = clock.now;
      return execute(
        argv.map((a) => Buffer.from(a)),
        contexts.current(),
      );
    },
  };
}
