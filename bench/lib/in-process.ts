// What the in-process benches (a Session or executor over a real store, no sockets) tell the server core about the
// transport around it: one client, and a failure is the bench's bug, thrown.

import type { TransportStats } from '../../src/core/command.js';

/** A transport serving exactly the bench's one client (INFO clients would show it). */
export function oneClientStats(): TransportStats {
  return {
    transport: 'eventloop',
    connectedClients: 1,
    totalConnections: 1,
    rejectedConnections: 0,
    maxclients: 1,
  };
}

/** reportUnexpected: a command's internal error stops the bench instead of becoming an error reply. */
export function throwUnexpected(error: unknown): never {
  throw error;
}

/**
 * What createThreadCore needs to build a bench's core as a server thread builds it, for one client: no
 * clients to list, INFO counters of its own. `aofOnlyWriter`: the event loop's append-only file writer (the only
 * thread writing it), as opposed to a pool worker's or hybrid loop's.
 */
export function benchThreadCoreDeps<Store, Settings>(store: Store, config: Settings, aofOnlyWriter: boolean) {
  return {
    store,
    config,
    version: '0.0.0-bench',
    startedAt: Date.now(),
    executable: '',
    tcpPort: 0,
    counters: null,
    clients: () => [],
    client: () => undefined,
    transportStats: oneClientStats,
    reportUnexpected: throwUnexpected,
    aofOnlyWriter,
  };
}
