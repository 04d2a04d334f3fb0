// ACL SETUSER taking channels away from a user (acl.c ACLKillPubsubClientsIfNeeded, Redis 7.0): whether the
// change can cut any subscriber at all, and, when it can, which subscribers it cuts. Redis's two shortcuts decide
// the first: no cut when a selector of the new user allows every channel, nor when the new user's channels
// (every selector's, as one list) hold each channel rule of the old one, compared as bytes. Otherwise a client of
// the old user in subscribed state (CLIENT_PUBSUB, in RESP2 or RESP3) goes when one of its patterns is not one of
// those rules, literally, or one of its channels or shard channels matches none of them. A revocation travels to
// the other threads as a Pub/Sub mailbox record (encode / decode), as does word of users removed or replaced.
// Knows users and subscriptions; nothing of threads or clients' sockets.

import { globMatch } from '../glob.js';
import type { ClientSubscriptions } from '../pubsub/subscriber.js';
import type { User } from './user.js';

/** Channels taken away from a user: who it was, and the channel rules it has now (all selectors'). */
export interface ChannelRevocation {
  readonly user: string;
  /** The incarnation of the user changed (acl-hub.ts): its clients are those the revocation applies to. */
  readonly incarnation: number;
  /** Every selector's channel rules after the change, in order ("upcoming" in Redis). */
  readonly upcoming: readonly Buffer[];
}

/** Null when the change from `original` to `updated` cannot cut a subscriber (Redis's two shortcuts). */
export function channelRevocation(original: User, updated: User): ChannelRevocation | null {
  if (updated.selectors.some((s) => s.allChannels)) return null;
  const upcoming = updated.selectors.flatMap((s) => s.channels);
  const superset = original.selectors.every(
    (s) => !s.allChannels && s.channels.every((c) => upcoming.some((u) => u.equals(c))),
  );
  if (superset) return null;
  return { user: original.name, incarnation: original.incarnation, upcoming };
}

/** ACLCheckChannelAgainstList: a pattern subscription must be one of the rules, a channel match one. */
function allowed(upcoming: readonly Buffer[], name: Buffer, pattern: boolean): boolean {
  return upcoming.some((rule) => (pattern ? rule.equals(name) : globMatch(rule, name)));
}

/** Whether the revocation cuts a client of its user with these subscriptions. */
export function revokes(revocation: ChannelRevocation, subs: ClientSubscriptions | undefined): boolean {
  if (subs === undefined || !subs.active) return false; // not CLIENT_TYPE_PUBSUB
  const { upcoming } = revocation;
  for (const pattern of subs.patterns.values()) if (!allowed(upcoming, pattern, true)) return true;
  for (const channel of subs.channels.values()) if (!allowed(upcoming, channel, false)) return true;
  for (const channel of subs.shardChannels.values()) if (!allowed(upcoming, channel, false)) return true;
  return false;
}

/**
 * What the other threads are told, as a mailbox record: a revocation, or null for "users were removed or
 * replaced" (their hubs read the users again and cut those clients). The channel part is the user's name
 * (latin1, empty for null); the message part 0 for null, else 1, the incarnation (4 bytes, LE), then each rule
 * as its length (4 bytes, LE) and its bytes.
 */
export function encodeRevocation(revocation: ChannelRevocation | null): { channel: Buffer; message: Buffer } {
  if (revocation === null) return { channel: Buffer.alloc(0), message: Buffer.from([0]) };
  const parts: Buffer[] = [Buffer.from([1]), Buffer.alloc(4)];
  parts[1].writeUInt32LE(revocation.incarnation);
  for (const rule of revocation.upcoming) {
    const length = Buffer.alloc(4);
    length.writeUInt32LE(rule.length);
    parts.push(length, rule);
  }
  return { channel: Buffer.from(revocation.user, 'latin1'), message: Buffer.concat(parts) };
}

export function decodeRevocation(channel: Uint8Array, message: Uint8Array): ChannelRevocation | null {
  const bytes = Buffer.from(message.buffer, message.byteOffset, message.byteLength);
  if (bytes[0] === 0) return null;
  const upcoming: Buffer[] = [];
  for (let at = 5; at < bytes.length;) {
    const length = bytes.readUInt32LE(at);
    upcoming.push(Buffer.from(bytes.subarray(at + 4, at + 4 + length)));
    at += 4 + length;
  }
  return {
    user: Buffer.from(channel).toString('latin1'),
    incarnation: bytes.readUInt32LE(1),
    upcoming,
  };
}
