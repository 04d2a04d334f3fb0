// ACLKillPubsubClientsIfNeeded's rules, as redis-server 7.0.15 applied them (each case was run against it with a
// subscriber and ACL SETUSER from another connection): no revocation when a selector of the new user allows
// every channel or its channel rules hold each old one; otherwise a pattern subscription must be one of the rules
// literally, a channel or shard channel match one of them, whichever selector it comes from. And the mailbox
// record a revocation travels in, binary-safe.

import { describe, expect, it } from 'vitest';
import {
  type ChannelRevocation,
  channelRevocation,
  decodeRevocation,
  encodeRevocation,
  revokes,
} from '../../src/core/acl/channel-revocation.js';
import { User } from '../../src/core/acl/user.js';
import { ClientSubscriptions } from '../../src/core/pubsub/subscriber.js';

function user(...rules: string[]): User {
  const u = new User('u', 'resetchannels');
  for (const rule of rules) u.applyRule(Buffer.from(rule, 'latin1'));
  u.incarnation = 7;
  return u;
}

/** The revocation of changing a user made of `before` by `change` (applied to a copy, as SETUSER stages). */
function change(before: string[], ...rules: string[]): ChannelRevocation | null {
  const original = user(...before);
  const updated = original.copyAs('u', 'resetchannels');
  for (const rule of rules) updated.applyRule(Buffer.from(rule, 'latin1'));
  return channelRevocation(original, updated);
}

function subs(kind: 'channels' | 'patterns' | 'shardChannels', ...names: string[]): ClientSubscriptions {
  const s = new ClientSubscriptions({ push: () => undefined, lost: () => undefined });
  for (const name of names) s[kind].set(name, Buffer.from(name, 'latin1'));
  s.active = names.length > 0;
  return s;
}

describe('channel revocations (ACLKillPubsubClientsIfNeeded)', () => {
  it('has none when a new selector allows every channel, or the new rules hold every old one', () => {
    expect(change(['&c'], 'resetchannels', '(&* +get)')).toBeNull();
    expect(change(['&c'], '&d')).toBeNull();
    expect(change(['&c'], 'resetchannels', '(&c +get)')).toBeNull(); // the rule from another selector counts
    expect(change(['resetchannels'], '&y')).toBeNull();
  });

  it('has one when a rule goes, or every channel did', () => {
    expect(change(['&c', '&d'], 'resetchannels', '&d')).toEqual({
      user: 'u',
      incarnation: 7,
      upcoming: [Buffer.from('d')],
    });
    expect(change(['&*'], 'resetchannels', '&a', '&b')?.upcoming).toEqual([
      Buffer.from('a'),
      Buffer.from('b'),
    ]);
    expect(change(['&c', '(&x)'], 'clearselectors')?.upcoming).toEqual([Buffer.from('c')]);
  });

  it('cuts a pattern that is not a rule literally, a channel or shard channel no rule matches', () => {
    const revocation = change(['&a*', '&b', '&x'], 'resetchannels', '&a*x', '&a*', '&b')!;
    expect(revokes(revocation, subs('patterns', 'a*'))).toBe(false);
    expect(revokes(revocation, subs('patterns', 'a'))).toBe(true);
    expect(revokes(revocation, subs('patterns', 'b'))).toBe(false);
    expect(revokes(revocation, subs('channels', 'abc', 'b'))).toBe(false);
    expect(revokes(revocation, subs('channels', 'b', 'x'))).toBe(true);
    expect(revokes(revocation, subs('shardChannels', 'a1'))).toBe(false);
    expect(revokes(revocation, subs('shardChannels', 'x'))).toBe(true);
  });

  it('cuts no client out of subscribed state', () => {
    const revocation = change(['&c'], 'resetchannels')!;
    expect(revokes(revocation, subs('channels', 'c'))).toBe(true);
    expect(revokes(revocation, subs('channels'))).toBe(false);
    expect(revokes(revocation, undefined)).toBe(false);
  });

  it('travels as a mailbox record, bytes kept, as does word of users removed', () => {
    const revocation: ChannelRevocation = {
      user: 'n\u00e9',
      incarnation: 123456,
      upcoming: [Buffer.from([0, 0xff, 0x20]), Buffer.alloc(0), Buffer.from('feed:*')],
    };
    const { channel, message } = encodeRevocation(revocation);
    expect(decodeRevocation(channel, message)).toEqual(revocation);
    const none = encodeRevocation({ ...revocation, upcoming: [] });
    expect(decodeRevocation(none.channel, none.message)).toEqual({ ...revocation, upcoming: [] });
    const gone = encodeRevocation(null);
    expect(decodeRevocation(gone.channel, gone.message)).toBeNull();
  });
});
