// Clients whose command waits for the running script to end, on the thread that runs it (the event loop, which
// serves its clients from the script's hook past busy-reply-threshold: Redis's processEventsWhileBlocked). SHUTDOWN
// NOSAVE's: its final steps (the append-only file flushed, every client dropped, the process gone) must come after
// the script has unwound, or the script's half-done writes would reach the file, as Redis never lets them. The
// command stays unrun in its client's query buffer, as CLIENT PAUSE's postponed commands do
// (blocking/postponed.ts), and runs from the start once the script has ended.
// Knows clients and their sessions' PostponedTarget; nothing of sockets or Lua.

import type { ClientState } from '../command.js';
import { POSTPONED } from '../blocking/hub.js';
import type { Reply } from '../reply.js';

export class HeldWhileBusy {
  /** In the order they were held (a Map keeps insertion order): they run again in that order. */
  private readonly clients = new Map<number, ClientState>();

  /**
   * POSTPONED (the session keeps the command unrun, and the client reads nothing more), or null for a client
   * without a session to resume (a script's own client, an HTTP request): its command then runs as usual.
   */
  hold(client: ClientState): Reply | null {
    if (client.blockedTarget === undefined) return null;
    client.blocked = true;
    this.clients.set(client.id, client);
    return POSTPONED;
  }

  /** The script ended: every held client runs its command again (its transport resumes it). */
  releaseAll(): void {
    if (this.clients.size === 0) return;
    const held = [...this.clients.values()];
    this.clients.clear();
    for (const client of held) {
      client.blocked = false;
      client.blockedTarget?.postponeEnded();
    }
  }
}
