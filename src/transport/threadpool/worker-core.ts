// A worker thread's composition root: builds the core its sessions run on (shared store, a replica of the
// config, its own ServerContext whose INFO and CLIENT LIST read the pool's shared memory), as src/server.ts
// does for the main thread. The one pool module that names the command table; the session loop does not.

import type { ClientInfo, TransportStats } from '../../core/command.js';
import { ALL_COMMANDS } from '../../core/commands/table.js';
import { type Config, limitsFromConfig } from '../../core/config.js';
import { createCommandTable } from '../../core/executor.js';
import { NOTIFY_EXPIRED, publishKeyspaceEvent } from '../../core/pubsub/keyspace-events.js';
import {
  SharedServerCounters,
  createServerContext,
  type ServerContextDeps,
} from '../../core/server-context.js';
import type { SessionCore } from '../../core/session.js';
import type { KeyValueStore } from '../../core/store/types.js';
import { ByteWriter } from '../../core/reply-encoding.js';

export interface WorkerCoreDeps {
  readonly store: KeyValueStore;
  readonly config: Config;
  readonly version: string;
  readonly startedAt: number;
  readonly executable: string;
  readonly tcpPort: number;
  readonly countersBuffer: SharedArrayBuffer | null;
  /** This thread's part in Pub/Sub; absent: a state of its own (no subscriber on another thread is reached). */
  readonly pubsub?: ServerContextDeps['pubsub'];
  clients(): ClientInfo[];
  client(id: number): ClientInfo | undefined;
  transportStats(): TransportStats;
  killClient(id: number): boolean;
  reportUnexpected(error: unknown, command: string): void;
}

export interface WorkerCore {
  /** A SessionCore for the next client: parser limits are read now, so CONFIG SET applies to new clients. */
  sessionCore(): SessionCore;
  /** Delivers the Pub/Sub messages other threads left for this one (after its eventfd woke it). */
  drainPubSub(): void;
  /** A key this thread found expired was removed: the `expired` keyspace event (the store's expiry hook). */
  expired(db: number, key: Buffer): void;
}

export function createWorkerCore(deps: WorkerCoreDeps): WorkerCore {
  const server = createServerContext({
    clock: Date.now,
    config: deps.config,
    version: deps.version,
    startedAt: deps.startedAt,
    executable: deps.executable,
    tcpPort: deps.tcpPort,
    commands: createCommandTable(ALL_COMMANDS),
    clients: () => deps.clients(),
    client: (id) => deps.client(id),
    transportStats: () => deps.transportStats(),
    killClient: (id) => deps.killClient(id),
    reportUnexpected: (error, command) => deps.reportUnexpected(error, command),
    ...(deps.countersBuffer === null ? {} : { counters: SharedServerCounters.attach(deps.countersBuffer) }),
    ...(deps.pubsub === undefined ? {} : { pubsub: deps.pubsub }),
  });
  const writer = new ByteWriter();
  return {
    sessionCore: () => ({ store: deps.store, server, limits: limitsFromConfig(deps.config), writer }),
    drainPubSub: () => server.pubsub?.drain(),
    expired: (db, key) => {
      if (server.pubsub !== undefined)
        publishKeyspaceEvent(server.pubsub, NOTIFY_EXPIRED, 'expired', key, db);
    },
  };
}
