// ACL users on real sockets, on every transport: ioredis and node-redis authenticating as a named user, refusals
// of commands, keys and channels, and the cross-thread guarantees (on the pool every connection is its own worker
// thread, on the hybrid connections spread over loops): a user changed by one connection applies to another's
// next command, a deleted user's clients are disconnected, a subscriber whose channel is revoked is disconnected,
// MULTI/EXEC and scripts are checked too, CLIENT LIST names the user, and the ACL file is loaded and saved.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { useIoredisServer, withIoredisServer } from '../support/ioredis-fixture.js';
import { startTestServer, transports } from '../support/server.js';

/** An ioredis client that does not reconnect: a disconnection is final, and `ended` resolves with it. */
async function connectAs(
  port: number,
  username: string,
  password: string,
): Promise<{ client: Redis; ended: Promise<void> }> {
  const client = new Redis({
    port,
    host: '127.0.0.1',
    username,
    password,
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  const ended = new Promise<void>((resolve) => client.once('end', () => resolve()));
  client.on('error', () => undefined);
  await client.connect();
  return { client, ended };
}

describe.each(transports)('%s transport: ACL users', (transport) => {
  const fixture = useIoredisServer(transport, 10);
  const opened: Redis[] = [];
  const as = async (username: string, password: string) => {
    const c = await connectAs(fixture.server().port, username, password);
    opened.push(c.client);
    return c;
  };
  beforeEach(async () => {
    const admin = await fixture.ioredis();
    await admin.flushall();
    await admin.acl('LOG', 'RESET');
    const users = (await admin.acl('USERS')) as string[];
    const others = users.filter((u) => u !== 'default');
    if (others.length > 0) await admin.acl('DELUSER', ...others);
  });
  afterEach(() => {
    for (const c of opened.splice(0)) c.disconnect();
  });

  it('authenticates ioredis and node-redis as a named user and refuses what the user may not do', async () => {
    const admin = await fixture.ioredis();
    await admin.acl(
      'SETUSER',
      'alice',
      'on',
      '>s3cret',
      '~app:*',
      '&news',
      '+@read',
      '+set',
      '+publish',
      '+acl|whoami',
    );
    const { client: alice } = await as('alice', 's3cret');
    expect(await alice.acl('WHOAMI')).toBe('alice');
    expect(await alice.set('app:1', 'v')).toBe('OK');
    expect(await alice.get('app:1')).toBe('v');
    await expect(alice.get('other')).rejects.toThrow(
      'NOPERM this user has no permissions to access one of the keys used as arguments',
    );
    await expect(alice.del('app:1')).rejects.toThrow(
      "NOPERM this user has no permissions to run the 'del' command",
    );
    await expect(alice.publish('sports', 'x')).rejects.toThrow(
      'NOPERM this user has no permissions to access one of the channels used as arguments',
    );
    expect(await alice.publish('news', 'x')).toBe(0);

    const { port } = fixture.server();
    const nodeRedis = createClient({
      socket: { host: '127.0.0.1', port, reconnectStrategy: false },
      username: 'alice',
      password: 's3cret',
    });
    nodeRedis.on('error', () => undefined);
    await nodeRedis.connect();
    try {
      expect(await nodeRedis.sendCommand(['ACL', 'WHOAMI'])).toBe('alice');
      expect(await nodeRedis.get('app:1')).toBe('v');
      await expect(nodeRedis.get('nope')).rejects.toThrow(/NOPERM/);
    } finally {
      await nodeRedis.quit();
    }
    await expect(alice.auth('alice', 'wrong')).rejects.toThrow(
      'WRONGPASS invalid username-password pair or user is disabled.',
    );
    expect(await alice.acl('WHOAMI')).toBe('alice'); // a failed AUTH leaves the client as it was
  });

  it("applies a change made by one connection to another connection's next command", async () => {
    const admin = await fixture.ioredis();
    await admin.acl('SETUSER', 'bob', 'on', 'nopass', '~*', '+@all');
    const { client: bob } = await as('bob', 'any');
    expect(await bob.set('k', '1')).toBe('OK');
    await admin.acl('SETUSER', 'bob', '-set');
    await expect(bob.set('k', '2')).rejects.toThrow(
      "NOPERM this user has no permissions to run the 'set' command",
    );
    expect(await bob.get('k')).toBe('1');
    // The default user's own clients lose their unrestricted state too, and get it back.
    const other = await fixture.ioredis();
    await admin.acl('SETUSER', 'default', '-get');
    await expect(other.get('k')).rejects.toThrow(
      "NOPERM this user has no permissions to run the 'get' command",
    );
    await admin.acl('SETUSER', 'default', '+get');
    expect(await other.get('k')).toBe('1');
  });

  it("disconnects a deleted user's clients and names users in CLIENT LIST", async () => {
    const admin = await fixture.ioredis();
    await admin.acl('SETUSER', 'carol', 'on', '>pw', '~*', '+@all');
    const { client: carol, ended } = await as('carol', 'pw');
    await carol.ping();
    const list = (await admin.client('LIST')) as string;
    expect(list).toMatch(/ user=carol /);
    expect(list).toMatch(/ user=default /);
    expect(await admin.acl('DELUSER', 'carol', 'nobody')).toBe(1);
    await ended;
    expect(((await admin.client('LIST')) as string).includes('user=carol')).toBe(false);
  });

  it('disconnects a subscriber whose channel the user may no longer use', async () => {
    const admin = await fixture.ioredis();
    await admin.acl('SETUSER', 'sub', 'on', '>pw', 'resetchannels', '&feed:*', '+@all');
    const { client: subscriber, ended } = await as('sub', 'pw');
    await subscriber.subscribe('feed:1');
    await expect(subscriber.subscribe('other')).rejects.toThrow(/NOPERM/);
    // A superset of its channels keeps it; losing feed:* cuts it off.
    await admin.acl('SETUSER', 'sub', '&more');
    expect(await admin.publish('feed:1', 'still')).toBe(1);
    // Cut at once, on whichever thread serves it, with nothing sent to it (acl-pubsub-cut.test.ts has the rules).
    await admin.acl('SETUSER', 'sub', 'resetchannels', '&other');
    await ended;
  });

  it('aborts EXEC for a refused queued command and refuses one revoked before EXEC', async () => {
    const admin = await fixture.ioredis();
    await admin.acl('SETUSER', 'tx', 'on', '>pw', '~*', '+@all', '-flushall');
    const { client: tx } = await as('tx', 'pw');
    await expect(tx.multi().set('a', '1').flushall().exec()).rejects.toThrow(/EXECABORT/);
    expect(await admin.exists('a')).toBe(0);
    // Queued one by one (not pipelined with EXEC), so the rules change between the queueing and EXEC.
    expect(await tx.call('MULTI')).toBe('OK');
    expect(await tx.call('SET', 'a', '1')).toBe('QUEUED');
    expect(await tx.call('INCR', 'n')).toBe('QUEUED');
    await admin.acl('SETUSER', 'tx', '-incr');
    const replies = (await tx.call('EXEC')) as unknown[];
    expect(replies[0]).toBe('OK');
    expect(String(replies[1])).toContain(
      'NOPERM ACLs rules changed between the moment the transaction was accumulated and the EXEC call. This ' +
        'command is no longer allowed for the following reason: no permission to execute the command or subcommand',
    );
  });

  it("checks a script's commands against its caller's user", async () => {
    const admin = await fixture.ioredis();
    await admin.acl('SETUSER', 'lua', 'on', '>pw', '~allowed', '+@all');
    const { client: lua } = await as('lua', 'pw');
    expect(await lua.eval("return redis.call('set', KEYS[1], 'v')", 1, 'allowed')).toBe('OK');
    await expect(lua.eval("return redis.call('get', 'forbidden')", 0)).rejects.toThrow(
      /The user executing the script can't access at least one of the keys mentioned in the command arguments/,
    );
  });

  it('logs refusals and failed authentications in ACL LOG', async () => {
    const admin = await fixture.ioredis();
    await admin.acl('SETUSER', 'log', 'on', '>pw', '~k', '+get');
    const { client } = await as('log', 'pw');
    await expect(client.get('x')).rejects.toThrow(/NOPERM/);
    await expect(client.get('x')).rejects.toThrow(/NOPERM/);
    await expect(client.set('k', 'v')).rejects.toThrow(/NOPERM/);
    await expect(client.auth('log', 'bad')).rejects.toThrow(/WRONGPASS/);
    const entries = (await admin.acl('LOG')) as unknown[][];
    const summary = entries.map((e) => {
      const fields = new Map<string, unknown>();
      for (let i = 0; i < e.length; i += 2) fields.set(String(e[i]), e[i + 1]);
      return [
        fields.get('count'),
        fields.get('reason'),
        fields.get('context'),
        fields.get('object'),
        fields.get('username'),
      ];
    });
    // ioredis's own commands on connecting (INFO, CLIENT SETINFO) are refused too: left out here.
    const ours = summary.filter(([, , , object]) => object !== 'info' && object !== 'client|setinfo');
    expect(ours).toEqual([
      [1, 'auth', 'toplevel', 'auth', 'log'],
      [1, 'command', 'toplevel', 'set', 'log'],
      [2, 'key', 'toplevel', 'x', 'log'],
    ]);
    expect(await admin.acl('LOG', 'RESET')).toBe('OK');
    expect(await admin.acl('LOG')).toEqual([]);
  });
});

describe.each(transports)('%s transport: ACL users at start-up and the ACL file', (transport) => {
  let dir = '';
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'redis-lite-acl-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('starts with --user directives and requirepass as the default user', async () => {
    await withIoredisServer(
      transport,
      { workers: 4, requirepass: 'adminpw', users: ['app on >apppw ~app:* +@all'] },
      async (_client, server) => {
        const { client: app } = await connectAs(server.port, 'app', 'apppw');
        try {
          expect(await app.set('app:x', '1')).toBe('OK');
          await expect(app.set('x', '1')).rejects.toThrow(/NOPERM/);
        } finally {
          app.disconnect();
        }
        const { client: admin } = await connectAs(server.port, 'default', 'adminpw');
        try {
          expect(await admin.acl('LIST')).toEqual([
            'user app on #71d3d4e36cf4bc4309fd7390ba79fc6a1d03d8d7b45ef26f04bcdff3ff116868 ~app:* resetchannels +@all',
            expect.stringMatching(/^user default on #[0-9a-f]{64} ~\* &\* \+@all$/),
          ]);
        } finally {
          admin.disconnect();
        }
      },
    );
  });

  it('loads the ACL file at start-up, and ACL SAVE and ACL LOAD write and read it', async () => {
    const file = join(dir, 'users.acl');
    writeFileSync(file, 'user reader on nopass ~* +@read\n');
    const server = await startTestServer(transport, { workers: 4, config: { aclfile: file } });
    try {
      const { client: admin } = await connectAs(server.port, 'default', '');
      const { client: reader, ended } = await connectAs(server.port, 'reader', 'x');
      try {
        await expect(reader.set('k', 'v')).rejects.toThrow(/NOPERM/);
        await admin.acl('SETUSER', 'writer', 'on', 'nopass', '~*', '+@write');
        expect(await admin.acl('SAVE')).toBe('OK');
        expect(readFileSync(file, 'latin1').split('\n')).toEqual([
          'user default on nopass ~* &* +@all',
          'user reader on nopass ~* resetchannels -@all +@read',
          'user writer on nopass ~* resetchannels -@all +@write',
          '',
        ]);
        writeFileSync(file, 'user reader on nopass ~* +@read +set\n');
        expect(await admin.acl('LOAD')).toBe('OK');
        // Every user is made anew by ACL LOAD: their clients are disconnected, as Redis frees the old users.
        await ended;
        expect(await admin.acl('USERS')).toEqual(['default', 'reader']);
        writeFileSync(file, 'user reader bogus\n');
        await expect(admin.acl('LOAD')).rejects.toThrow(
          `ERR ${file}:1: Syntax error. WARNING: ACL errors detected, no change to the previously active ACL rules was performed`,
        );
      } finally {
        admin.disconnect();
        reader.disconnect();
      }
    } finally {
      await server.close();
    }
  });
});
