// The ACL hub of each thread over the users every thread shares: two hubs attached to the same buffers stand
// for two threads. A change made through one reaches the other's clients at its next sync(): a deleted or
// replaced user's client is revoked (killed, or closed after its reply when it is the one being served), a
// subscriber whose channel was taken away is revoked, and every other client's "unrestricted" flag follows its
// user. Also the default user's password from requirepass, and incarnations surviving a SETUSER.

import { describe, expect, it } from 'vitest';
import { AclHub } from '../../src/core/acl/acl-hub.js';
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
  const hubs = [0, 1].map((t) => AclHub.attach(handles, { kill: (id) => killed[t].push(id) }));
  return { hubs, killed };
}

const rules = (...r: string[]) => r.map((x) => Buffer.from(x));

function setUser(hub: AclHub, name: string, ...r: string[]): void {
  hub.update((users) => {
    const result = users.setUser(name, rules(...r));
    if ('error' in result) throw new Error(result.error);
    return { result: undefined, changed: true };
  });
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
    const { hubs, killed } = twoThreads();
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

    hubs[0].update((users) => ({ result: users.delete('alice'), changed: true }));
    setUser(hubs[0], 'alice', 'on', 'nopass', '+@all'); // another user of the same name
    hubs[1].sync();
    expect(killed[1]).toEqual([2]);
    expect([alice.aclRevoked, alice.user, alice.authenticated]).toEqual([true, 'default', false]);
  });

  it('closes the client being served after its reply instead of killing it', () => {
    const { hubs, killed } = twoThreads();
    setUser(hubs[0], 'bob', 'on', 'nopass', '+@all');
    const bob = client(3);
    hubs[0].connected(bob);
    hubs[0].authenticatedAs(bob, hubs[0].user('bob')!);
    hubs[0].setServing(bob);
    hubs[0].update((users) => ({ result: users.delete('bob'), changed: true }));
    expect([bob.closeAfterReply, bob.aclRevoked, killed[0]]).toEqual([true, true, []]);
  });

  it('revokes a subscriber whose user lost one of its channels, not one whose channels grew', () => {
    const { hubs, killed } = twoThreads();
    setUser(hubs[0], 'sub', 'on', 'nopass', '+@all', 'resetchannels', '&feed:*');
    const subscriber = client(4);
    hubs[1].connected(subscriber);
    hubs[1].authenticatedAs(subscriber, hubs[1].user('sub')!);
    const subs = new ClientSubscriptions({ push: () => undefined, lost: () => undefined });
    subs.channels.set('feed:1', Buffer.from('feed:1'));
    subs.active = true;
    subscriber.pubsub = subs;
    setUser(hubs[0], 'sub', '&more');
    hubs[1].sync();
    expect(killed[1]).toEqual([]);
    setUser(hubs[0], 'sub', 'resetchannels', '&other');
    hubs[1].sync();
    expect(killed[1]).toEqual([4]);
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
