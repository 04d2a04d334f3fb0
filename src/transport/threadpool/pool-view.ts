// Reads the pool's figures and served clients out of shared memory, the same way on the main thread (stats(),
// clients()) and in a worker (INFO, CLIENT LIST), so both report one truth; and adds the queued clients (the
// main thread's queue, asked for by a worker) the same way on both. Knows the layout and ClientInfo; nothing
// of sockets, sessions or how slots get filled.

import type { ClientInfo, TransportStats } from '../../core/command.js';
import {
  BUFFERS_RELEASED,
  BUSY,
  MEMORY_TRIMS,
  QUEUED,
  REJECTED,
  TOTAL_CONNECTIONS,
  WORKERS,
  WORKERS_STARTED,
} from './layout.js';
import type { QueuedClient } from './messages.js';
import type { PoolState } from './shared-state.js';

export function poolStats(state: PoolState, maxclients: number): TransportStats {
  // Busy is counted up before queued is counted down when a job moves, so the sum never dips.
  const queued = state.counter(QUEUED);
  const busy = state.counter(BUSY);
  return {
    transport: 'pool',
    connectedClients: busy + queued,
    totalConnections: state.counter(TOTAL_CONNECTIONS),
    rejectedConnections: state.counter(REJECTED),
    workers: state.counter(WORKERS),
    workersStarted: state.counter(WORKERS_STARTED),
    workersMax: state.slots,
    busyWorkers: busy,
    queuedClients: queued,
    maxclients,
    buffersReleased: state.counter(BUFFERS_RELEASED),
    memoryTrims: state.counter(MEMORY_TRIMS),
  };
}

/** The clients workers are serving right now, as their workers last published them. */
export function servedClients(state: PoolState): ClientInfo[] {
  const clients: ClientInfo[] = [];
  for (let slot = 0; slot < state.slots; slot++) {
    const id = state.clientId(slot);
    if (id === 0) continue;
    // Read before the id is checked again, so a slot handed to the next client meanwhile is skipped.
    const fd = state.fd(slot);
    const record = state.read(slot);
    if (record === null || state.clientId(slot) !== id) continue;
    clients.push({
      id,
      addr: record.addr,
      laddr: record.laddr,
      name: record.name,
      db: record.db,
      createdAt: state.createdAt(slot),
      lastInteraction: state.lastInteraction(slot),
      lastCommand: record.cmd,
      resp: record.resp,
      queryBuffer: record.qbuf,
      outputBuffer: 0, // replies are written synchronously: nothing waits in an output buffer
      fd,
      ...(record.pubsub === undefined ? {} : { pubsub: record.pubsub }),
      ...(record.user === undefined ? {} : { user: record.user }),
      ...(record.monitor === true ? { monitor: true } : {}),
      ...(record.blocked === true ? { blocked: true } : {}),
      ...(record.tracking === undefined ? {} : { tracking: record.tracking }),
    });
  }
  return clients.sort((a, b) => a.id - b.id);
}

/**
 * A client waiting for a worker, as Redis lists one that has sent nothing yet: cmd=NULL, idle since accept, no
 * name. qbuf=0: bytes it may have sent sit unread in the kernel (nobody reads a queued socket).
 */
function waitingClient(client: QueuedClient): ClientInfo {
  return {
    id: client.id,
    addr: client.addr,
    laddr: client.laddr,
    name: '',
    db: 0,
    createdAt: client.createdAt,
    lastInteraction: client.createdAt,
    lastCommand: 'NULL',
    queryBuffer: 0,
    outputBuffer: 0,
    fd: client.fd,
  };
}

/**
 * Every connected client, by id. A client the queue listed that a slot also shows (a worker read the slots
 * after the main thread took it off the queue) is listed once, as served.
 */
export function allClients(served: ClientInfo[], queued: readonly QueuedClient[]): ClientInfo[] {
  if (queued.length === 0) return served;
  const servedIds = new Set(served.map((c) => c.id));
  const waiting = queued.filter((c) => !servedIds.has(c.id)).map(waitingClient);
  return [...served, ...waiting].sort((a, b) => a.id - b.id);
}
