// The ACL hub of each thread over the users every thread shares: two hubs attached to the same buffers stand
// for two threads. A change made through one reaches the other's clients at its next sync(): a deleted or
// replaced user's client is revoked (killed, or closed after its reply when it is the one being served), and
// every other client's "unrestricted" flag follows its user. A SETUSER that takes channels away revokes the
// subscribers it must on its own thread at once and mails the revocation to the other (here a list the test
// delivers), whose subscribers it cuts; a sync alone cuts none (ACL LOAD leaves the default user's subscribers,
// as Redis does). Also the default user's password from requirepass, and incarnations surviving a SETUSER.

import { describe, expect, it } from 'vitest';
import { AclHub } from '../../src/core/acl/acl-hub.js';
import type { ChannelRevocation } from '../../src/core/acl/channel-revocation.js';
import { AclUsers } from '../../src/core/acl/users.js';
import type { ClientState } from '../../src/core/command.js';
import { ClientSubscriptions } from '../../src/core/pubsub/subscriber.js';
import { Transaction } from '../../src/core/transaction.js';

function client(id: number): ClientState {
  return {
    id,
    addr: '127.0.0.1:1',
    laddr: '127.0.0.1:2',
    name: '',
    db: 0,
    authenticated: false,
    user: 'default',
    userIncarnation: 0,
    aclUnrestricted: false,
    resp: 2,
    transaction: new Transaction(),
    closeAfterReply: false,
    lastCommand: 'NULL',
    createdAt: 0,
    lastInteraction: 0,
  };
}

function twoThreads(requirepass = '') {
  const handles = AclHub.create(requirepass);
  const killed: number[][] = [[], []];
  /** Clients whose subscriptions were ended at once, served or not. */
  const released: number[][] = [[], []];
  /** What each thread was mailed: a revocation from the other. */
  const mailed: (ChannelRevocation | null)[][] = [[], []];
  const hubs = [0, 1].map((t) =>
    AclHub.attach(handles, {
      kill: (id) => killed[t].push(id),
      release: (c) => released[t].push(c.id),
      mailRevocation: (revocation) => mailed[1 - t].push(revocation),
    }),
  );
  /** Thread t takes its mail, as a woken thread drains its mailbox. */
  const deliver = (t: number) => {
    for (const revocation of mailed[t].splice(0)) hubs[t].mailed(revocation);
  };
  return { hubs, killed, released, mailed, deliver };
}

const rules = (...r: string[]) => r.map((x) => Buffer.from(x));

function setUser(hub: AclHub, name: string, ...r: string[]): void {
  const error = hub.setUser(name, rules(...r), 'resetchannels');
  if (error !== null) throw new Error(error);
}

/** A client of `hub` authenticated as `user`, subscribed to these channels and patterns. */
function subscriber(hub: AclHub, id: number, user: string, channels: string[], patterns: string[] = []) {
  const c = client(id);
  hub.connected(c);
  hub.authenticatedAs(c, hub.user(user)!);
  const subs = new ClientSubscriptions({ push: () => undefined, lost: () => undefined });
  for (const name of channels) subs.channels.set(name, Buffer.from(name));
  for (const name of patterns) subs.patterns.set(name, Buffer.from(name));
  subs.active = channels.length + patterns.length > 0;
  c.pubsub = subs;
  return c;
}

describe('ACL hubs over shared users', () => {
  it('starts clients as the default user, unrestricted and authenticated unless it has a password', () => {
    const open = twoThreads();
    const c = client(1);
    open.hubs[0].connected(c);
    expect([c.user, c.aclUnrestricted, c.authenticated]).toEqual(['default', true, true]);
    const locked = twoThreads('secret');
    const d = client(2);
    locked.hubs[0].connected(d);
    expect([d.aclUnrestricted, d.authenticated, locked.hubs[0].authRequired]).toEqual([true, false, true]);
    expect(locked.hubs[1].user('default')!.accepts(Buffer.from('secret'))).toBe(true);
  });

  it("gives another thread's clients the new flag at its next sync, and revokes a deleted user's", () => {
    const { hubs, killed, mailed, deliver } = twoThreads();
    const plain = client(1);
    hubs[1].connected(plain);
    setUser(hubs[0], 'alice', 'on', 'nopass', '~*', '&*', '+@all');
    const alice = client(2);
    hubs[1].connected(alice);
    hubs[1].authenticatedAs(alice, hubs[1].user('alice')!);
    expect(alice.aclUnrestricted).toBe(true);

    setUser(hubs[0], 'default', '-get');
    setUser(hubs[0], 'alice', '-set');
    expect([plain.aclUnrestricted, alice.aclUnrestricted]).toEqual([true, true]); // not synced yet
    hubs[1].sync();
    expect([plain.aclUnrestricted, alice.aclUnrestricted]).toEqual([false, false]);
    expect(killed[1]).toEqual([]);

    expect(mailed[1]).toEqual([]); // nobody gone: nothing to tell
    hubs[0].update((users) => ({ result: users.delete('alice'), changed: true }));
    expect(mailed[1]).toEqual([null]); // a user gone: the other thread is told, and reads the users at once
    setUser(hubs[0], 'alice', 'on', 'nopass', '+@all'); // another user of the same name
    deliver(1);
    expect(killed[1]).toEqual([2]);
    expect([alice.aclRevoked, alice.user, alice.authenticated]).toEqual([true, 'default', false]);
  });

  it('closes the client being served after its reply instead of killing it, its subscriptions ended now', () => {
    const { hubs, killed, released } = twoThreads();
    setUser(hubs[0], 'bob', 'on', 'nopass', '+@all');
    const bob = client(3);
    hubs[0].connected(bob);
    hubs[0].authenticatedAs(bob, hubs[0].user('bob')!);
    hubs[0].setServing(bob);
    hubs[0].update((users) => ({ result: users.delete('bob'), changed: true }));
    expect([bob.closeAfterReply, bob.aclRevoked, killed[0], released[0]]).toEqual([true, true, [], [3]]);
  });

  it('revokes a subscriber whose user lost one of its channels on both threads, by mail on the other', () => {
    const { hubs, killed, mailed, deliver } = twoThreads();
    setUser(hubs[0], 'sub', 'on', 'nopass', '+@all', 'resetchannels', '&feed:*');
    hubs[1].sync();
    subscriber(hubs[1], 4, 'sub', ['feed:1']);
    subscriber(hubs[0], 5, 'sub', ['feed:2']);
    setUser(hubs[0], 'sub', '&more'); // a superset: nothing to check, nothing mailed
    expect(mailed[1]).toEqual([]);
    setUser(hubs[0], 'sub', 'resetchannels', '&other');
    expect(killed).toEqual([[5], []]); // this thread's at once
    hubs[1].sync();
    expect(killed[1]).toEqual([]); // a sync does not: the mail does
    deliver(1);
    expect(killed[1]).toEqual([4]);
  });

  it('cuts only subscribed clients of that very user', () => {
    const { hubs, killed, deliver } = twoThreads();
    setUser(hubs[0], 'sub', 'on', 'nopass', '+@all', 'resetchannels', '&a', '&b');
    setUser(hubs[0], 'other', 'on', 'nopass', '+@all', 'resetchannels', '&a', '&b');
    hubs[1].sync();
    subscriber(hubs[1], 1, 'other', ['a']);
    subscriber(hubs[1], 2, 'sub', []); // not in subscribed state
    subscriber(hubs[1], 3, 'sub', ['b']); // keeps what it uses
    subscriber(hubs[1], 4, 'sub', ['a']);
    setUser(hubs[0], 'sub', 'resetchannels', '&b');
    deliver(1);
    expect(killed[1]).toEqual([4]);
  });

  it('leaves the subscribers of the default user when ACL LOAD takes its channels (Redis copies the user)', () => {
    const { hubs, killed } = twoThreads();
    const listener = subscriber(hubs[1], 6, 'default', ['news']);
    hubs[0].update((users) => {
      const loaded = AclUsers.fromAclFile('user default on nopass ~* +@all\n', 'f', 'resetchannels');
      if (!(loaded instanceof AclUsers)) throw new Error(loaded.error);
      users.replaceWith(loaded);
      return { result: undefined, changed: true };
    });
    hubs[1].sync();
    expect([killed[1], listener.aclUnrestricted]).toEqual([[], false]);
  });

  it("sets the default user's password from requirepass, nopass for none", () => {
    const { hubs } = twoThreads();
    hubs[0].setDefaultPassword('pw');
    hubs[1].sync();
    expect(hubs[1].authRequired).toBe(true);
    expect(hubs[1].user('default')!.accepts(Buffer.from('pw'))).toBe(true);
    hubs[0].setDefaultPassword('');
    hubs[1].sync();
    expect([hubs[1].authRequired, hubs[1].user('default')!.nopass]).toEqual([false, true]);
  });
});
