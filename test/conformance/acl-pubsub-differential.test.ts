// ACL and Pub/Sub against redis-server 7.0.15 on every transport, byte for byte. acl-pubsub-default: the users
// --user makes under it (the default user given again included), ACL SETUSER's new users, "(...)" selectors and
// "reset" under it, its refusals, CONFIG GET / SET of it (set on one connection, used on another: another thread
// on the pool and the hybrid), and ACL LIST / GETUSER (RESP2 and RESP3) all along. Then which subscribers an ACL
// SETUSER or ACL LOAD cuts (ACLKillPubsubClientsIfNeeded, ACLFreeUserAndKillClients): eight subscribers of three
// users (channels, patterns, a shard channel, RESP3), and after each change a probe message published to each
// one still connected: how many receive it (the cut ones are gone from the count once the change has replied, on
// every thread), the message it gets (compared as bytes), or its connection closing, which is awaited as an
// event. Skipped without redis-server.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { haveRedisServer } from '../support/both-servers.js';
import { LiveClient, respFrame } from '../support/live-harness.js';
import { startRedisServer, type RedisServerProcess } from '../support/live-tools.js';
import { RawClient, resp } from '../support/raw-client.js';
import { startTestServer, transports, type TestServer } from '../support/server.js';

type Step = readonly string[];

/** [connection, argv]: the two connections of each server take turns, so a setting and its use cross threads. */
const DEFAULT_STEPS: readonly (readonly [0 | 1, Step])[] = [
  [0, ['CONFIG', 'GET', 'acl-pubsub-default']],
  [0, ['ACL', 'LIST']],
  [1, ['ACL', 'GETUSER', 'u1']],
  [1, ['ACL', 'SETUSER', 'n1']],
  [0, ['ACL', 'SETUSER', 'n2', '(+get)']],
  [1, ['ACL', 'SETUSER', 'n3', '(&foo)']],
  [0, ['ACL', 'SETUSER', 'n4', '&foo']],
  [1, ['ACL', 'SETUSER', 'n5', 'resetchannels', '(+get ~x)']],
  [0, ['ACL', 'SETUSER', 'u1', 'reset']],
  [1, ['ACL', 'LIST']],
  [0, ['ACL', 'GETUSER', 'n2']],
  [1, ['CONFIG', 'SET', 'acl-pubsub-default', 'foo']],
  [1, ['CONFIG', 'SET', 'acl-pubsub-default', 'RESETCHANNELS']],
  [0, ['CONFIG', 'GET', 'acl-pubsub-default']],
  [0, ['ACL', 'SETUSER', 'n6']],
  [0, ['ACL', 'SETUSER', 'n6', '(+get)']],
  [0, ['ACL', 'SETUSER', 'n1', 'reset']],
  [1, ['ACL', 'LIST']],
  [1, ['CONFIG', 'SET', 'acl-pubsub-default', 'allchannels']],
  [0, ['ACL', 'SETUSER', 'n7', '(~k +set)']],
  [0, ['HELLO', '3']],
  [0, ['ACL', 'GETUSER', 'n7']],
  [0, ['ACL', 'GETUSER', 'n5']],
  [0, ['HELLO', '2']],
  [1, ['ACL', 'LIST']],
];

/** A server of the cut scenario, and its ACL file. */
interface Running {
  readonly port: number;
  readonly aclfile: string;
}

const START_FILE = 'user pub on nopass ~* +@all\nuser default on nopass ~* +@all\n';
/** The file ACL LOAD reads: the default user loses every channel; u and u2 are gone; b gets a selector. */
const LOADED_FILE = 'user default on nopass ~* +@all\nuser pub on nopass ~* &* +@all\nuser b on (+get)\n';

interface Subscriber {
  readonly name: string;
  readonly user: string;
  readonly protocol: 2 | 3;
  readonly command: string;
  readonly names: readonly string[];
  /** What reaches it: [PUBLISH or SPUBLISH, channel]. */
  readonly probe: readonly [string, string];
}

const SUBSCRIBERS: readonly Subscriber[] = [
  { name: 's1', user: 'u', protocol: 2, command: 'SUBSCRIBE', names: ['b'], probe: ['PUBLISH', 'b'] },
  { name: 's2', user: 'u', protocol: 2, command: 'PSUBSCRIBE', names: ['a*'], probe: ['PUBLISH', 'a1'] },
  { name: 's3', user: 'u', protocol: 3, command: 'SUBSCRIBE', names: ['c'], probe: ['PUBLISH', 'c'] },
  { name: 's4', user: 'u', protocol: 2, command: 'SSUBSCRIBE', names: ['c'], probe: ['SPUBLISH', 'c'] },
  { name: 's5', user: 'u', protocol: 2, command: 'PSUBSCRIBE', names: ['n*'], probe: ['PUBLISH', 'nx'] },
  {
    name: 's6',
    user: 'u',
    protocol: 2,
    command: 'SUBSCRIBE',
    names: ['news.1'],
    probe: ['PUBLISH', 'news.1'],
  },
  { name: 's7', user: 'u2', protocol: 2, command: 'SUBSCRIBE', names: ['b'], probe: ['PUBLISH', 'b'] },
  { name: 's8', user: 'default', protocol: 2, command: 'SUBSCRIBE', names: ['x'], probe: ['PUBLISH', 'x'] },
];

/** The changes, each followed by a probe of every subscriber still connected. */
const CUT_STEPS: readonly Step[] = [
  ['ACL', 'SETUSER', 'u', '&more'],
  ['ACL', 'SETUSER', 'u', 'resetchannels', '&a*x', '&a*', '&b', '&c', '&news.*', '&n**'],
  ['ACL', 'SETUSER', 'u', 'resetchannels', '(&* +get)'],
  ['ACL', 'SETUSER', 'u', 'clearselectors', 'resetchannels', '&b', '&news.*'],
  ['ACL', 'SETUSER', 'u', 'resetchannels'],
  ['CONFIG', 'SET', 'acl-pubsub-default', 'resetchannels'],
  ['ACL', 'LOAD'],
  ['ACL', 'LIST'],
  ['ACL', 'SETUSER', 'default', '&y'],
  ['ACL', 'SETUSER', 'default', 'resetchannels', '&z'],
];

/** Reads frames until the one that carries `token`; rejects when the connection closes first. */
async function frameWith(client: RawClient, token: string): Promise<string> {
  for (;;) {
    const frame = (await client.readFramed((b) => respFrame(b))).toString('latin1');
    if (frame.includes(token)) return frame;
  }
}

async function subscribe(port: number, s: Subscriber): Promise<{ client: RawClient; confirmed: string }> {
  const client = new LiveClient(await RawClient.connect(port));
  const auth = s.protocol === 3 ? ['HELLO', '3', 'AUTH', s.user, 'pw'] : ['AUTH', s.user, 'pw'];
  if (s.user !== 'default') await client.call(auth);
  else if (s.protocol === 3) await client.call(['HELLO', '3']);
  await client.raw.send(resp(s.command, ...s.names));
  const confirmed: string[] = [];
  for (let i = 0; i < s.names.length; i++) confirmed.push(await frameWith(client.raw, s.names[i]));
  return { client: client.raw, confirmed: confirmed.join('') };
}

/** The whole cut scenario on one server: each step's reply, then each subscriber's probe or its cut. */
async function cutScenario(server: Running): Promise<unknown[]> {
  const out: unknown[] = [];
  const admin = await LiveClient.connect(server.port);
  const subscribers = new Map<string, RawClient>();
  try {
    out.push(['ACL LIST', (await admin.call(['ACL', 'LIST'])).toString('latin1')]);
    for (const argv of [
      [
        'ACL',
        'SETUSER',
        'u',
        'on',
        '>pw',
        '+@all',
        '~*',
        'resetchannels',
        '&a*',
        '&b',
        '&c',
        '&news.*',
        '&n*',
      ],
      ['ACL', 'SETUSER', 'u2', 'on', '>pw', '+@all', '~*', 'resetchannels', '&b'],
    ])
      out.push([argv.join(' '), (await admin.call(argv)).toString('latin1')]);
    for (const s of SUBSCRIBERS) {
      const { client, confirmed } = await subscribe(server.port, s);
      subscribers.set(s.name, client);
      out.push([s.name, confirmed]);
    }
    for (const [round, step] of CUT_STEPS.entries()) {
      if (step[1] === 'LOAD') writeFileSync(server.aclfile, LOADED_FILE);
      out.push([step.join(' '), (await admin.call(step)).toString('latin1')]);
      const publisher = new LiveClient(await RawClient.connect(server.port));
      await publisher.call(['AUTH', 'pub', 'pw']);
      for (const s of SUBSCRIBERS) {
        const client = subscribers.get(s.name);
        if (client === undefined) continue;
        const token = `probe-${round}-${s.name}`;
        const receivers = (await publisher.call([s.probe[0], s.probe[1], token])).toString('latin1');
        const outcome = await frameWith(client, token).catch(() => 'cut');
        if (outcome === 'cut') subscribers.delete(s.name);
        out.push([step.join(' '), s.name, receivers, outcome]);
      }
      await publisher.close();
    }
  } finally {
    for (const client of subscribers.values()) client.destroy();
    await admin.close();
  }
  return out;
}

describe.skipIf(!haveRedisServer).each(transports)(
  '%s transport: ACL Pub/Sub as redis-server 7.0',
  (transport) => {
    const dir = mkdtempSync(join(tmpdir(), 'redis-lite-acl-pubsub-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('makes the same users under acl-pubsub-default, and shows the same setting', async () => {
      const redis = await startRedisServer([
        ...['--acl-pubsub-default', 'allchannels'],
        ...[
          '--user',
          'u1',
          'on',
          'nopass',
          '~*',
          '+@all',
          '--user',
          'default',
          'on',
          'nopass',
          '~*',
          '+@all',
        ],
      ]);
      const ours = await startTestServer(transport, {
        workers: 4,
        config: { 'acl-pubsub-default': 'allchannels' },
        users: ['u1 on nopass ~* +@all', 'default on nopass ~* +@all'],
      });
      const run = async (port: number) => {
        const connections = [await LiveClient.connect(port), await LiveClient.connect(port)];
        const out: string[][] = [];
        for (const [at, step] of DEFAULT_STEPS) {
          const reply = (await connections[at].call(step)).toString('latin1');
          out.push([
            step.join(' '),
            reply
              .replace(/(\$2\r\nid\r\n:)\d+/, '$1<id>')
              .replace(/(\$7\r\nversion\r\n)\$\d+\r\n[0-9.]+/, '$1<version>'),
          ]);
        }
        for (const c of connections) await c.close();
        return out;
      };
      try {
        const theirs = await run(redis.port);
        const mine = await run(ours.port);
        for (let i = 0; i < theirs.length; i++) expect(mine[i], theirs[i][0]).toEqual(theirs[i]);
        expect(mine.length).toBe(DEFAULT_STEPS.length);
      } finally {
        await ours.close();
        await redis.stop();
      }
    });

    let redis: RedisServerProcess;
    let ours: TestServer;
    const files = { theirs: join(dir, 'theirs.acl'), mine: join(dir, 'mine.acl') };
    beforeAll(async () => {
      for (const file of Object.values(files)) writeFileSync(file, START_FILE);
      redis = await startRedisServer(['--aclfile', files.theirs, '--acl-pubsub-default', 'allchannels']);
      // One pool worker per connection the scenario holds at once (admin, eight subscribers, a publisher).
      ours = await startTestServer(transport, {
        workers: 12,
        config: { aclfile: files.mine, 'acl-pubsub-default': 'allchannels' },
      });
    });
    afterAll(async () => {
      await ours?.close();
      await redis?.stop();
    });

    it('cuts the same subscribers after each ACL SETUSER and ACL LOAD, at once, and keeps the same', async () => {
      const theirs = await cutScenario({ port: redis.port, aclfile: files.theirs });
      const mine = await cutScenario({ port: ours.port, aclfile: files.mine });
      for (let i = 0; i < theirs.length; i++) expect(mine[i], JSON.stringify(theirs[i])).toEqual(theirs[i]);
      expect(mine.length).toBe(theirs.length);
    });
  },
);
