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
