// A client as CLIENT LIST shows it: the session's own state plus the buffer figures only a transport knows.
// Built in one place so the transports' listings and CLIENT's view of the caller never drift apart.
// Knows nothing of sockets or threads: the caller passes the figures in.

import type { ClientInfo, ClientState } from './command.js';

/** What the transport measures for a client; without `fd`, CLIENT LIST shows fd=-1. */
export type ClientBuffers = Pick<ClientInfo, 'queryBuffer' | 'outputBuffer' | 'fd'>;

export function clientInfo(client: ClientState, buffers: ClientBuffers): ClientInfo {
  const subs = client.pubsub;
  const pubsub =
    subs === undefined
      ? {}
      : {
          pubsub: {
            channels: subs.channels.size,
            patterns: subs.patterns.size,
            shardChannels: subs.shardChannels.size,
            active: subs.active,
          },
        };
  return {
    ...pubsub,
    ...(client.monitor === true ? { monitor: true } : {}),
    ...(client.blocked === true ? { blocked: true } : {}),
    ...(client.noEvict === true ? { noEvict: true } : {}),
    ...(client.tracking?.on === true
      ? {
          tracking: {
            bcast: client.tracking.bcast,
            brokenRedirect: client.tracking.brokenRedirect,
            redirect: client.tracking.redirect,
          },
        }
      : {}),
    ...(client.transaction.multiCount >= 0 ? { multi: client.transaction.multiCount } : {}),
    ...(client.transaction.queuedArgvBytes > 0 ? { multiBytes: client.transaction.queuedArgvBytes } : {}),
    ...(client.user === 'default' ? {} : { user: client.user }),
    id: client.id,
    addr: client.addr,
    laddr: client.laddr,
    name: client.name,
    db: client.db,
    createdAt: client.createdAt,
    lastInteraction: client.lastInteraction,
    lastCommand: client.lastCommand,
    resp: client.resp,
    ...buffers,
  };
}
