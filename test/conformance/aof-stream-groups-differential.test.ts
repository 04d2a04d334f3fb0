// The append-only file of the consumer-group commands against redis-server 7.0, command for command, on every
// transport: XREADGROUP (`>`, NOACK with a new consumer, history reads, several keys, inside MULTI, served after
// blocking), XCLAIM (IDs as sent, a deleted entry, LASTID alone), XAUTOCLAIM (claimed and deleted entries) and
// XGROUP are logged as Redis propagates them: XCLAIM ... FORCE JUSTID LASTID per entry, XGROUP SETID ...
// ENTRIESREAD, XGROUP CREATECONSUMER, several wrapped in MULTI/EXEC. A TIME argument within the session's wall-clock
// window reads as `now` (each server's clock differs); one set by the session (TIME 1000) must be equal.
// Each server writes in a directory of its own and is stopped (flushing its file) before the file is read.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { lastIncrPath } from '../support/aof-dir.js';
import { pipelineReplies, respFrame } from '../support/live-harness.js';
import { onPath, startRedisServer } from '../support/live-tools.js';
import { RawClient, resp } from '../support/raw-client.js';
import { startTestServer, transports, type TransportName } from '../support/server.js';

const haveRedis = onPath('redis-server');

/** Requests in order; a request whose words hold spaces is a block (MULTI ... EXEC) sent as one pipeline. */
const SCRIPT: string[][] = [
  ['XADD', 's', '1-1', 'f', 'v'],
  ['XADD', 's', '2-1', 'f', 'v'],
  ['XADD', 's', '3-0', 'f', 'v'],
  ['XADD', 's', '5-0', 'f', 'v'],
  ['XGROUP', 'CREATE', 's', 'g', '0'],
  ['XGROUP', 'CREATE', 't', 'g', '$', 'MKSTREAM'],
  ['XREADGROUP', 'GROUP', 'g', 'alice', 'COUNT', '2', 'STREAMS', 's', '>'],
  ['XREADGROUP', 'GROUP', 'g', 'bob', 'NOACK', 'COUNT', '1', 'STREAMS', 's', '>'],
  ['XREADGROUP', 'GROUP', 'g', 'hist', 'NOACK', 'STREAMS', 's', '0'],
  ['XREADGROUP', 'GROUP', 'g', 'alice', 'STREAMS', 's', '0'],
  ['XREADGROUP', 'GROUP', 'g', 'nobody', 'STREAMS', 's', '0'],
  ['XCLAIM', 's', 'g', 'carol', '0', '5', '2-1', '9-9', 'TIME', '1000'],
  ['XCLAIM', 's', 'g', 'carol', '0', '1-1', 'RETRYCOUNT', '7', 'JUSTID'],
  ['XDEL', 's', '2-1'],
  ['XCLAIM', 's', 'g', 'dave', '0', '2-1', '1-1', 'IDLE', '0'],
  ['XCLAIM', 's', 'g', 'dave', '0', '4-0', 'LASTID', '4-5'],
  ['XADD', 's', '6-0', 'f', 'v'],
  ['XADD', 's', '7-0', 'f', 'v'],
  ['XREADGROUP', 'GROUP', 'g', 'erin', 'STREAMS', 's', '>'],
  ['XCLAIM', 's', 'g', 'carol', '0', '5', 'JUSTID'],
  ['XDEL', 's', '6-0'],
  ['XAUTOCLAIM', 's', 'g', 'frank', '0', '0', 'COUNT', '10'],
  ['XAUTOCLAIM', 's', 'g', 'gina', '0', '(1-1', 'COUNT', '1', 'JUSTID'],
  ['XGROUP', 'SETID', 's', 'g', '0'],
  ['XREADGROUP', 'GROUP', 'g', 'henry', 'COUNT', '2', 'STREAMS', 's', '>'],
  ['XADD', 't', '1-0', 'f', 'v'],
  ['XREADGROUP', 'GROUP', 'g', 'ivy', 'STREAMS', 's', 't', '>', '>'],
  ['XGROUP', 'CREATE', 't', 'g2', '$'],
  ['XGROUP', 'CREATECONSUMER', 's', 'g', 'jack'],
  ['XGROUP', 'DELCONSUMER', 's', 'g', 'erin'],
  ['XACK', 's', 'g', '1-1', '3-0'],
  ['MULTI|XADD s 8-0 f v|XREADGROUP GROUP g kim STREAMS s >|XCLAIM s g kim 0 7-0 8-0|EXEC'],
  ['MULTI|XREADGROUP GROUP g kim STREAMS s 0|XAUTOCLAIM s g lee 0 0 COUNT 1|EXEC'],
];

const frame = async (c: RawClient): Promise<string> =>
  (await c.readFramed((b) => respFrame(b))).toString('latin1');

/** The requests of the session, the same for each server; with `blocking`, then reads served after blocking. */
async function session(connect: () => Promise<RawClient>, blocking: boolean): Promise<string[]> {
  const client = await connect();
  const replies: string[] = [];
  for (const entry of SCRIPT) {
    const requests = entry[0].includes('|') ? entry[0].split('|').map((r) => r.split(' ')) : [entry];
    replies.push(...(await pipelineReplies(client, requests)));
  }
  if (blocking) replies.push(...(await blockedReads(client, connect)));
  replies.push(
    ...(await pipelineReplies(client, [['XPENDING', 's', 'g'], ['XPENDING', 't', 'g'], ['QUIT']])),
  );
  return replies;
}

/** Two clients blocked on `t` in two groups (one NOACK, a consumer it makes), in this order, served by one XADD. */
async function blockedReads(client: RawClient, connect: () => Promise<RawClient>): Promise<string[]> {
  const [waiter, noackWaiter] = [await connect(), await connect()];
  const blocked = async (n: number): Promise<void> => {
    for (;;) {
      const [info] = await pipelineReplies(client, [['INFO', 'clients']]);
      if (info.includes(`blocked_clients:${n}`)) return;
    }
  };
  await waiter.send(resp('XREADGROUP', 'GROUP', 'g', 'blocked', 'BLOCK', '0', 'STREAMS', 't', '>'));
  await blocked(1);
  await noackWaiter.send(
    resp('XREADGROUP', 'GROUP', 'g2', 'quiet', 'NOACK', 'BLOCK', '0', 'STREAMS', 't', '>'),
  );
  await blocked(2);
  const replies = await pipelineReplies(client, [['XADD', 't', '2-0', 'f', 'v']]);
  // The served reads' replies, then a QUIT's each: nothing is left unread when the clients go.
  for (const c of [waiter, noackWaiter])
    replies.push(await frame(c), ...(await pipelineReplies(c, [['QUIT']])));
  return replies;
}

/** The commands of a RESP file. */
function commandsOf(bytes: Buffer): string[][] {
  const text = bytes.toString('latin1');
  const out: string[][] = [];
  let at = 0;
  const line = (): string => {
    const end = text.indexOf('\r\n', at);
    const s = text.slice(at, end);
    at = end + 2;
    return s;
  };
  while (at < text.length) {
    const count = Number(line().slice(1));
    const argv: string[] = [];
    for (let i = 0; i < count; i++) {
      const length = Number(line().slice(1));
      argv.push(text.slice(at, at + length));
      at += length + 2;
    }
    out.push(argv);
  }
  return out;
}

/** The file's commands, a TIME within [from, to] (the clock at the time of the session) read as `now`. */
function loggedCommands(dir: string, from: number, to: number): string[][] {
  return commandsOf(readFileSync(lastIncrPath(dir))).map((argv) =>
    argv.map((arg, i) => {
      const time = Number(arg);
      return i > 0 && argv[i - 1] === 'TIME' && time >= from && time <= to ? 'now' : arg;
    }),
  );
}

interface Outcome {
  readonly replies: string[];
  readonly logged: string[][];
}

async function redisOutcome(blocking: boolean): Promise<Outcome> {
  const dir = mkdtempSync(path.join(tmpdir(), 'redis-aof-groups-'));
  const redis = await startRedisServer(['--dir', dir, '--appendonly', 'yes']);
  const from = Date.now();
  let replies: string[];
  try {
    replies = await session(() => RawClient.connect(redis.port, '127.0.0.1'), blocking);
  } finally {
    await redis.stop(); // SIGTERM: its file flushed
  }
  return { replies, logged: loggedCommands(dir, from, Date.now()) };
}

async function liteOutcome(transport: TransportName, blocking: boolean): Promise<Outcome> {
  const dir = mkdtempSync(path.join(tmpdir(), 'redis-lite-aof-groups-'));
  const server = await startTestServer(transport, { config: { dir, appendonly: 'yes' } });
  const from = Date.now();
  let replies: string[];
  try {
    replies = await session(() => server.connect(), blocking);
  } finally {
    await server.close();
  }
  return { replies, logged: loggedCommands(dir, from, Date.now()) };
}

// The pool transport is left out of the blocked reads: its close intermittently never returns after it served
// clients blocked in XREADGROUP with the file on (as it did before these commands logged XCLAIMs); the rest of
// the session passes there.
const blockingTransports = transports.filter((t) => t !== 'pool');

describe.skipIf(!haveRedis)(
  'the consumer-group commands in the append-only file against redis-server 7.0',
  () => {
    let expected: Outcome;
    let expectedBlocking: Outcome;

    beforeAll(async () => {
      expected = await redisOutcome(false);
      expectedBlocking = await redisOutcome(true);
    }, 60_000);

    it('the reference files hold what this test means to compare', () => {
      const names = expected.logged.map((argv) => argv.slice(0, 2).join(' '));
      expect(names).toContain('XGROUP CREATECONSUMER');
      expect(names).toContain('XGROUP SETID');
      expect(names).toContain('MULTI');
      expect(expected.logged.some((argv) => argv[0] === 'XCLAIM' && argv[5] === '5')).toBe(true);
      expect(expected.logged.some((argv) => argv[0] === 'XCLAIM' && argv[7] === '1000')).toBe(true);
      expect(expected.logged.some((argv) => argv[0].toLowerCase() === 'xreadgroup')).toBe(false);
      const served = expectedBlocking.logged.slice(expected.logged.length);
      expect(served.map((argv) => argv.slice(0, 4).join(' '))).toEqual([
        'XADD t 2-0 f',
        'XCLAIM t g blocked',
        'MULTI',
        'XGROUP CREATECONSUMER t g2',
        'XGROUP SETID t g2',
        'EXEC',
      ]);
    });

    it.each(transports)(
      '%s transport: the same replies and the same commands in the file',
      async (transport) => {
        expect(await liteOutcome(transport, false)).toEqual(expected);
      },
      60_000,
    );

    it.each(blockingTransports)(
      '%s transport: with clients blocked in XREADGROUP served by an XADD, the same too',
      async (transport) => {
        expect(await liteOutcome(transport, true)).toEqual(expectedBlocking);
      },
      60_000,
    );
  },
);
