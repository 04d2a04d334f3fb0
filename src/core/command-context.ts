// The contexts a client's commands run in, one per database it has selected (Redis's c->db): a command gets
// the context of the client's database at the moment it runs, so SELECT, RESET and a SELECT queued inside
// MULTI take effect from the very next command. Plain objects picked per command rather than a getter on
// `store`: the getter cost the GET/SET path ~5% (bench/core-throughput.ts). Knows the command and store
// contracts only.

import type { ClientState, CommandContext, ServerContext } from './command.js';
import type { KeyValueStore } from './store/types.js';

export class ClientContexts {
  private readonly byDb: (CommandContext | undefined)[] = [];

  /** `store`: any view of the store (the database it shows does not matter: client.db decides). */
  constructor(
    private readonly store: KeyValueStore,
    readonly client: ClientState,
    readonly server: ServerContext,
  ) {}

  /** The context for the client's current database. */
  current(): CommandContext {
    const db = this.client.db;
    return (this.byDb[db] ??= { store: this.store.select(db), client: this.client, server: this.server });
  }
}
