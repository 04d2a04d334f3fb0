// The append-only file's run-time commands against redis-server 7.0, byte for byte, on every transport:
// BGREWRITEAOF (started, already in progress, scheduled inside MULTI, wrong arity), BGSAVE against a running
// rewrite (refused, or scheduled) and inside MULTI, CONFIG SET / GET of appendonly
// and auto-aof-rewrite-*, and the names and order of INFO persistence's aof_ fields with the file off and on.
// Each server gets a directory of its own; the redis-server is started here and stopped by PID.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pipelineReplies } from '../support/live-harness.js';
import { onPath, startRedisServer, type RedisServerProcess } from '../support/live-tools.js';
import { RawClient } from '../support/raw-client.js';
import { startTestServer, transports } from '../support/server.js';

const haveRedis = onPath('redis-server');

/** INFO persistence's fields, asked until no rewrite runs nor is scheduled (bounded). */
async function untilIdle(client: RawClient): Promise<Map<string, string>> {
  for (let round = 0; round < 200_000; round++) {
    const [text] = await pipelineReplies(client, [['INFO', 'persistence']]);
    const fields = new Map(
      text
        .split('\r\n')
        .filter((l) => l.includes(':'))
        .map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1)] as [string, string]),
    );
    const idle = ['aof_rewrite_in_progress', 'aof_rewrite_scheduled', 'rdb_bgsave_in_progress'];
    if (idle.every((name) => fields.get(name) === '0')) {
      return fields;
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error('the rewrite never ended');
}

/** The aof_ (and module_fork_) field names, in order: what both servers list from aof_enabled on. */
function aofFieldNames(fields: Map<string, string>): string[] {
  const names = [...fields.keys()];
  return names.slice(names.indexOf('aof_enabled'));
}

/** The session both servers are put through; the replies and INFO's aof_ field names with the file off and on. */
async function session(client: RawClient) {
  const replies: string[] = [];
  const pairs: string[] = [];
  for (let i = 0; i < 20_000; i++) pairs.push(`key:${i}`, 'v'.repeat(50));
  replies.push(...(await pipelineReplies(client, [['MSET', ...pairs]])));
  replies.push(
    ...(await pipelineReplies(client, [
      ['CONFIG', 'SET', 'auto-aof-rewrite-percentage', '-1'],
      ['CONFIG', 'SET', 'auto-aof-rewrite-min-size', 'abc'],
      ['CONFIG', 'SET', 'auto-aof-rewrite-min-size', '-1'],
      ['CONFIG', 'SET', 'auto-aof-rewrite-min-size', '1kb'],
      ['CONFIG', 'GET', 'auto-aof-rewrite-min-size'],
      ['CONFIG', 'GET', 'auto-aof-rewrite-percentage'],
      ['CONFIG', 'SET', 'appendonly', 'maybe'],
      ['CONFIG', 'GET', 'appendonly'],
      ['BGREWRITEAOF', 'now'],
      ['MULTI'],
      ['BGREWRITEAOF'],
      ['EXEC'],
    ])),
  );
  const off = aofFieldNames(await untilIdle(client));
  replies.push(...(await pipelineReplies(client, [['MULTI'], ['BGSAVE'], ['EXEC']])));
  await untilIdle(client);
  // One background job at a time: a BGSAVE during a rewrite is refused, or scheduled for after it.
  replies.push(
    ...(await pipelineReplies(client, [
      ['BGREWRITEAOF'],
      ['BGSAVE'],
      ['BGSAVE', 'NOW'],
      ['BGSAVE', 'SCHEDULE'],
    ])),
  );
  await untilIdle(client);
  replies.push(...(await pipelineReplies(client, [['BGREWRITEAOF'], ['BGREWRITEAOF']])));
  await untilIdle(client);
  replies.push(
    ...(await pipelineReplies(client, [
      ['CONFIG', 'SET', 'appendonly', 'yes'],
      ['CONFIG', 'SET', 'appendonly', 'yes'],
      ['CONFIG', 'GET', 'appendonly'],
    ])),
  );
  const on = aofFieldNames(await untilIdle(client));
  replies.push(...(await pipelineReplies(client, [['BGREWRITEAOF'], ['BGREWRITEAOF']])));
  await untilIdle(client);
  replies.push(...(await pipelineReplies(client, [['CONFIG', 'SET', 'appendonly', 'no']])));
  return { replies, off, on };
}

describe.skipIf(!haveRedis)('the append-only file at run time against redis-server 7.0', () => {
  let redis: RedisServerProcess;
  let expected: Awaited<ReturnType<typeof session>>;

  beforeAll(async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'redis-aof-diff-'));
    redis = await startRedisServer(['--dir', dir]);
    const client = await RawClient.connect(redis.port, '127.0.0.1');
    try {
      expected = await session(client);
    } finally {
      client.destroy();
    }
  }, 60_000);

  afterAll(async () => {
    await redis?.stop();
  });

  it('the reference session is what this test means to compare', () => {
    expect(expected.replies[expected.replies.length - 3]).toBe(
      '+Background append only file rewriting started\r\n',
    );
    expect(expected.replies[expected.replies.length - 2]).toBe(
      '-ERR Background append only file rewriting already in progress\r\n',
    );
  });

  it.each(transports)(
    '%s transport: the same replies, byte for byte, and the same INFO fields',
    async (transport) => {
      const dir = mkdtempSync(path.join(tmpdir(), 'redis-lite-aof-diff-'));
      const server = await startTestServer(transport, { config: { dir } });
      try {
        const client = await server.connect();
        const actual = await session(client);
        expect(actual.replies).toEqual(expected.replies);
        expect(actual.off).toEqual(expected.off);
        expect(actual.on).toEqual(expected.on);
      } finally {
        await server.close();
      }
    },
    60_000,
  );
});
