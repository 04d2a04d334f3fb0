// Test fixture: a real store and command table with a controllable clock, and a one-call way to run a
// command through the real executor. Unit tests of commands use this instead of a socket.

import type { ClientState, CommandContext, ServerContext, TransportStats } from '../../src/core/command.js';
import { ALL_COMMANDS } from '../../src/core/commands/table.js';
import { createCommandTable, execute } from '../../src/core/executor.js';
import type { Reply } from '../../src/core/reply.js';
import { SharedStore } from '../../src/core/store/store.js';

export class FakeClock {
  constructor(public now = 1_700_000_000_000) {}
  readonly read = (): number => this.now;
  advance(ms: number): void {
    this.now += ms;
  }
}

export interface TestContext extends CommandContext {
  readonly clock: FakeClock;
  /** Runs one command through the executor; string arguments are UTF-8. */
  run(...argv: (string | Uint8Array)[]): Reply;
}

export function createTestContext(options: { requirepass?: string } = {}): TestContext {
  const clock = new FakeClock();
  const store = SharedStore.create({ clock: clock.read });
  const commands = createCommandTable(ALL_COMMANDS);
  const settings = new Map<string, string>([['requirepass', options.requirepass ?? '']]);
  const stats: TransportStats = {
    transport: 'eventloop',
    connectedClients: 1,
    totalConnections: 1,
    rejectedConnections: 0,
    maxclients: 10000,
  };
  const server: ServerContext = {
    clock: clock.read,
    config: {
      get: (pattern) => [...settings].filter(([name]) => pattern === '*' || name === pattern.toLowerCase()),
      set: (name, value) => void settings.set(name.toLowerCase(), value),
    },
    version: '7.0.0',
    startedAt: clock.now,
    tcpPort: 6379,
    clients: () => [],
    transportStats: () => stats,
    commands,
    requirePass: () => settings.get('requirepass') ?? '',
    reportUnexpected: (error) => {
      throw error;
    },
  };
  const client: ClientState = {
    id: 1,
    addr: '127.0.0.1:50000',
    laddr: '127.0.0.1:6379',
    name: '',
    db: 0,
    authenticated: false,
    closeAfterReply: false,
    lastCommand: 'NULL',
    createdAt: clock.now,
    lastInteraction: clock.now,
  };
  const context = { store, client, server };
  return {
    ...context,
    clock,
    run: (...argv) => execute(argv.map((a) => Buffer.from(a)), context),
  };
}
