// Redis 7.0's append-only file settings beyond the file's on/off, against redis-server 7.0.15 on every transport:
// aof-use-rdb-preamble no (the rewrite's base as commands, named .base.aof: the same commands per key as Redis's,
// batched by 64), aof-timestamp-enabled (#TS annotations, skipped by both loaders), aof-disable-auto-gc (history
// files kept and listed as type h, deleted once set back to no: the manifest byte for byte as Redis's), the
// incremental fsync switches, and CONFIG GET/SET of each as Redis answers. Files written by one load into the other.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RequestParser } from '../../src/core/parser.js';
import { pipelineReplies } from '../support/live-harness.js';
import { untilRewriteIdle, infoFields } from '../support/info-wait.js';
import { onPath, startRedisServer, type RedisServerProcess } from '../support/live-tools.js';
import { withIoredisServer } from '../support/ioredis-fixture.js';
import { RawClient } from '../support/raw-client.js';
import { startTestServer, transports } from '../support/server.js';
import { AOF_DIR, basePath, lastIncrPath, manifestIn, manifestPath } from '../support/aof-dir.js';

const haveRedis = onPath('redis-server') && onPath('redis-check-aof');

const SETTINGS = [
  'aof-use-rdb-preamble',
  'aof-timestamp-enabled',
  'aof-disable-auto-gc',
  'aof-rewrite-incremental-fsync',
  'rdb-save-incremental-fsync',
  'no-appendfsync-on-rewrite',
];
const OFF_BY_DEFAULT = ['aof-timestamp-enabled', 'aof-disable-auto-gc', 'no-appendfsync-on-rewrite'];

/** The settings' CONFIG GET and SET, as a client sees them: defaults, bad values, any case, back again. */
async function configSession(client: RawClient): Promise<string[]> {
  const commands: string[][] = [];
  for (const name of SETTINGS) {
    const initial = OFF_BY_DEFAULT.includes(name) ? 'no' : 'yes';
    const other = initial === 'yes' ? 'NO' : 'Yes';
    commands.push(
      ['CONFIG', 'GET', name],
      ['CONFIG', 'SET', name, 'maybe'],
      ['CONFIG', 'SET', name, ''],
      ['CONFIG', 'SET', name, other],
      ['CONFIG', 'GET', name.toUpperCase()],
      ['CONFIG', 'SET', name, initial],
    );
  }
  return pipelineReplies(client, commands);
}

/** A file of the directory as a sequence: #TS annotations (their second) and commands (their words). */
type AofItem = { ts: number } | { argv: string[] };

function parseAof(bytes: Buffer): AofItem[] {
  const parser = new RequestParser({ inlineMax: 1 << 16, multibulkMax: 1 << 20, bulkMax: 1 << 30 });
  const items: AofItem[] = [];
  for (let at = 0; at < bytes.length;) {
    if (bytes[at] === 0x23) {
      const end = bytes.indexOf(0x0a, at);
      const line = bytes.subarray(at, end - 1).toString('latin1');
      expect(line).toMatch(/^#TS:\d+$/);
      items.push({ ts: Number(line.slice(4)) });
      at = end + 1;
      continue;
    }
    const result = parser.parse(bytes, at);
    if (result.kind !== 'request') throw new Error(`not a command at byte ${at}`);
    items.push({ argv: result.argv.map((a) => a.toString('latin1')) });
    at = result.end;
  }
  return items;
}

const commandsOf = (items: AofItem[]): string[][] =>
  items.flatMap((item) => ('argv' in item ? [item.argv] : []));

/** A base's commands as "NAME key argc", sorted: what Redis and redis-lite must agree on whatever their key order. */
function commandShapes(items: AofItem[]): string[] {
  return commandsOf(items)
    .map((argv) => `${argv[0].toUpperCase()} ${argv[1]} ${argv.length}`)
    .sort();
}

/** Values of every type (a stream with a consumer group too), large enough to be batched, some with TTLs, some on database 5. */
async function writeData(c: Redis): Promise<void> {
  const n = <T>(count: number, item: (i: number) => T): T[] =>
    Array.from({ length: count }, (_, i) => item(i));
  await c.rpush('list', ...n(150, (i) => `e${i}`));
  await c.rpush('short', 'a', 'b');
  await c.sadd('strings', ...n(150, (i) => `m${i}`));
  await c.sadd('ints', ...n(100, (i) => String(i * 3)));
  await c.zadd('zbig', ...n(150, (i) => [String(i / 10), `z${i}`]).flat());
  await c.zadd('zsmall', 0.1, 'a', 2.5, 'b', -1, 'c');
  await c.hset('hbig', ...n(150, (i) => [`f${i}`, `v${i}`]).flat());
  await c.hset('hsmall', 'f', '1');
  await c.set('str', 'value', 'EX', 3600);
  await c.set('num', '12345');
  await c.pexpire('list', 7_200_000);
  for (let i = 1; i <= 70; i++) await c.xadd('stream', `${i}-0`, 'f', `v${i}`);
  await c.xdel('stream', '5-0');
  await c.xgroup('CREATE', 'stream', 'grp', '0');
  await c.xreadgroup('GROUP', 'grp', 'alice', 'COUNT', '3', 'STREAMS', 'stream', '>');
  await c.xgroup('CREATECONSUMER', 'stream', 'grp', 'bob');
  await c.select(5);
  await c.set('in5', 'five');
  await c.select(0);
}

/** Every key of every database, by type, comparable between two servers (TTLs: whether one is set). */
async function everyKey(c: Redis): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const name of infoFields(await c.info('keyspace')).keys()) {
    await c.select(Number(name.slice(2)));
    for (const key of (await c.keys('*')).sort()) {
      const type = await c.type(key);
      let value: unknown;
      if (type === 'string') value = await c.get(key);
      else if (type === 'list') value = await c.lrange(key, 0, -1);
      else if (type === 'hash') value = await c.hgetall(key);
      else if (type === 'set') value = (await c.smembers(key)).sort();
      else if (type === 'stream') {
        // Entries, groups and pending entries; no times (each server wrote them at its own).
        const groups = await c.call('XINFO', 'GROUPS', key);
        value = [await c.xrange(key, '-', '+'), groups, await c.call('XPENDING', key, 'grp')];
      } else value = await c.zrange(key, '0', '-1', 'WITHSCORES');
      out[`${name}:${key}`] = { type, value, ttl: (await c.pttl(key)) > 0 };
    }
  }
  await c.select(0);
  return out;
}

/**
 * The commands-base session both servers run: preamble off from the start, timestamps turned on at run time,
 * the data, a rewrite, writes after it. Returns the data as the server holds it.
 */
async function commandsBaseSession(c: Redis, dir: string, since: number): Promise<Record<string, unknown>> {
  await c.config('SET', 'aof-timestamp-enabled', 'yes');
  await writeData(c);
  const stamped = parseAof(readFileSync(lastIncrPath(dir)));
  checkStamps(stamped, since);
  expect(stamped.some((item) => 'ts' in item)).toBe(true);
  expect(await c.bgrewriteaof()).toBe('Background append only file rewriting started');
  expect((await untilRewriteIdle(c)).get('aof_last_bgrewrite_status')).toBe('ok');
  await c.set('after', 'rewrite');
  await c.incr('num');
  return everyKey(c);
}

/**
 * Annotations in a file: each later than the one before, within the wall clock's seconds of the test (a file may
 * have none: the log's last annotation is not repeated in a new file while the second has not moved).
 */
function checkStamps(items: AofItem[], fromSecond: number): void {
  const stamps = items.flatMap((item) => ('ts' in item ? [item.ts] : []));
  const nowSecond = Math.floor(Date.now() / 1000);
  for (let i = 0; i < stamps.length; i++) {
    expect(stamps[i]).toBeGreaterThanOrEqual(fromSecond);
    expect(stamps[i]).toBeLessThanOrEqual(nowSecond);
    if (i > 0) expect(stamps[i]).toBeGreaterThan(stamps[i - 1]);
  }
}

/** The auto-gc session: two rewrites with history kept; the manifest then, and after gc is turned back on. */
async function historySession(c: Redis, dir: string): Promise<{ kept: string; cleaned: string }> {
  await c.config('SET', 'aof-disable-auto-gc', 'yes');
  for (const value of ['1', '2']) {
    await c.set('a', value);
    expect(await c.bgrewriteaof()).toBe('Background append only file rewriting started');
    await untilRewriteIdle(c);
  }
  const kept = readFileSync(manifestPath(dir), 'latin1');
  for (const file of manifestIn(dir).history)
    expect(existsSync(path.join(dir, AOF_DIR, file.name))).toBe(true);
  await c.config('SET', 'aof-disable-auto-gc', 'no');
  // Redis deletes them within CONFIG SET; redis-lite's rewrite scheduler within its next look (100 ms).
  for (let round = 0; manifestIn(dir).history.length > 0; round++) {
    if (round > 2000) throw new Error('the history files were never deleted');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return { kept, cleaned: readFileSync(manifestPath(dir), 'latin1') };
}

describe.skipIf(!haveRedis)('Redis 7.0’s AOF settings, against redis-server 7.0.15', () => {
  let redis: RedisServerProcess;
  let expectedConfig: string[];
  let redisDir: string;
  let redisData: Record<string, unknown>;
  let redisHistory: { kept: string; cleaned: string };
  const since = Math.floor(Date.now() / 1000);

  beforeAll(async () => {
    redis = await startRedisServer(['--dir', mkdtempSync(path.join(tmpdir(), 'redis-aof-options-'))]);
    const raw = await RawClient.connect(redis.port, '127.0.0.1');
    try {
      expectedConfig = await configSession(raw);
    } finally {
      raw.destroy();
    }
    const names = await new Redis({ port: redis.port, host: '127.0.0.1', lazyConnect: false });
    const listed = (await names.config('GET', 'aof*')) as string[];
    await names.quit();
    // Every aof setting Redis 7.0 has is here, bar the rewrite child's CPU list (no fork, no affinity here).
    expect(listed.filter((_, i) => i % 2 === 0).sort()).toEqual(
      ['aof-load-truncated', 'aof_rewrite_cpulist', ...SETTINGS.slice(0, 4)].sort(),
    );
    await redis.stop();

    redisDir = mkdtempSync(path.join(tmpdir(), 'redis-aof-commands-'));
    const writer = await startRedisServer([
      '--dir',
      redisDir,
      '--appendonly',
      'yes',
      '--aof-use-rdb-preamble',
      'no',
    ]);
    const c = new Redis({ port: writer.port, host: '127.0.0.1' });
    try {
      redisData = await commandsBaseSession(c, redisDir, since);
    } finally {
      await c.quit();
      await writer.stop();
    }

    const gcDir = mkdtempSync(path.join(tmpdir(), 'redis-aof-history-'));
    const gc = await startRedisServer(['--dir', gcDir, '--appendonly', 'yes']);
    const g = new Redis({ port: gc.port, host: '127.0.0.1' });
    try {
      redisHistory = await historySession(g, gcDir);
    } finally {
      await g.quit();
      await gc.stop();
    }
  }, 120_000);

  afterAll(async () => {
    await redis?.stop();
  });

  it('the reference files are what the tests mean to compare', () => {
    expect(manifestIn(redisDir).base?.name).toBe('appendonly.aof.2.base.aof');
    const base = parseAof(readFileSync(basePath(redisDir)));
    expect('ts' in base[0]).toBe(true);
    expect(commandShapes(base)).toContain('RPUSH list 66');
    expect(redisHistory.kept).toContain('type h');
    expect(redisHistory.cleaned).not.toContain('type h');
  });

  it.each(transports)(
    '%s transport: CONFIG GET and SET of each setting, byte for byte',
    async (transport) => {
      const server = await startTestServer(transport);
      try {
        expect(await configSession(await server.connect())).toEqual(expectedConfig);
      } finally {
        await server.close();
      }
    },
  );

  it.each(transports)(
    '%s transport: aof-use-rdb-preamble no and timestamps write the files Redis writes, and each loads the other’s',
    async (transport) => {
      const dir = mkdtempSync(path.join(tmpdir(), 'redis-lite-aof-commands-'));
      const config = { dir, appendonly: 'yes', 'aof-use-rdb-preamble': 'no' };
      const data = await withIoredisServer(transport, { config }, async (client) =>
        commandsBaseSession(await client(), dir, since),
      );
      expect(data).toEqual(redisData);
      const manifest = manifestIn(dir);
      expect(manifest.base).toEqual({ name: 'appendonly.aof.2.base.aof', seq: 2, type: 'b' });
      const base = parseAof(readFileSync(basePath(dir)));
      expect('ts' in base[0]).toBe(true); // the rewrite's forced annotation, then the commands
      expect(commandShapes(base)).toEqual(commandShapes(parseAof(readFileSync(basePath(redisDir)))));
      const incr = parseAof(readFileSync(lastIncrPath(dir)));
      checkStamps(incr, since);
      expect(commandsOf(incr)).toEqual(commandsOf(parseAof(readFileSync(lastIncrPath(redisDir)))));
      // Redis reads what redis-lite wrote, and redis-lite what Redis wrote.
      const check = spawnSync('redis-check-aof', [manifestPath(dir)], { encoding: 'utf8' });
      expect(check.stdout).toContain('All AOF files and manifest are valid');
      const reader = await startRedisServer(['--dir', dir, '--appendonly', 'yes']);
      const c = new Redis({ port: reader.port, host: '127.0.0.1' });
      try {
        expect(await everyKey(c)).toEqual(redisData);
      } finally {
        await c.quit();
        await reader.stop();
      }
      await withIoredisServer(transport, { config: { dir: redisDir, appendonly: 'yes' } }, async (client) => {
        expect(await everyKey(await client())).toEqual(redisData);
      });
    },
    60_000,
  );

  it.each(transports)(
    '%s transport: aof-disable-auto-gc keeps the history in the manifest as Redis does, until set back to no',
    async (transport) => {
      const dir = mkdtempSync(path.join(tmpdir(), 'redis-lite-aof-history-'));
      const history = await withIoredisServer(
        transport,
        { config: { dir, appendonly: 'yes' } },
        async (client) => historySession(await client(), dir),
      );
      expect(history).toEqual(redisHistory);
    },
    60_000,
  );
});

describe.each(transports)('%s transport: the AOF settings at start-up', (transport) => {
  it('aof-disable-auto-gc yes keeps the history a restart finds, and the data loads past it', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'redis-lite-aof-keep-'));
    const config = { dir, appendonly: 'yes', 'aof-disable-auto-gc': 'yes' };
    await withIoredisServer(transport, { config }, async (client) => {
      const c = await client();
      await c.set('a', '1');
      await c.bgrewriteaof();
      await untilRewriteIdle(c);
      await c.set('b', '2');
    });
    const history = manifestIn(dir).history.map((f) => f.name);
    expect(history).toEqual(['appendonly.aof.1.incr.aof', 'appendonly.aof.1.base.rdb']); // Redis's order
    await withIoredisServer(transport, { config }, async (client) => {
      expect(await (await client()).mget('a', 'b')).toEqual(['1', '2']);
    });
    expect(manifestIn(dir).history.map((f) => f.name)).toEqual(history);
    for (const name of history) expect(existsSync(path.join(dir, AOF_DIR, name))).toBe(true);
    // Started with gc on, the history goes (aofDelHistoryFiles at start-up).
    await withIoredisServer(transport, { config: { dir, appendonly: 'yes' } }, async (client) => {
      expect(await (await client()).mget('a', 'b')).toEqual(['1', '2']);
    });
    expect(manifestIn(dir).history).toEqual([]);
    for (const name of history) expect(existsSync(path.join(dir, AOF_DIR, name))).toBe(false);
  });

  it('aof-use-rdb-preamble no with timestamps: an empty start makes a base of one annotation, named .base.aof', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'redis-lite-aof-empty-'));
    const since = Math.floor(Date.now() / 1000);
    const config = { dir, appendonly: 'yes', 'aof-use-rdb-preamble': 'no', 'aof-timestamp-enabled': 'yes' };
    await withIoredisServer(transport, { config }, async (client) => {
      await (await client()).set('k', 'v');
    });
    expect(manifestIn(dir).base?.name).toBe('appendonly.aof.1.base.aof');
    const base = parseAof(readFileSync(basePath(dir)));
    expect(base.length).toBe(1);
    checkStamps(base, since);
    expect('ts' in base[0]).toBe(true);
    const incr = parseAof(readFileSync(lastIncrPath(dir)));
    checkStamps(incr, since);
    expect(commandsOf(incr)).toEqual([
      ['SELECT', '0'],
      ['set', 'k', 'v'],
    ]);
  });
});

describe('aof-timestamp-enabled on an injected clock (event loop)', () => {
  it("takes the start-up base's annotation as the last one, as Redis writes it in its own process", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'redis-lite-aof-clock-base-'));
    let now = 1_800_000_000_100;
    const config = { dir, appendonly: 'yes', 'aof-use-rdb-preamble': 'no', 'aof-timestamp-enabled': 'yes' };
    await withIoredisServer('eventloop', { config, clock: () => now }, async (client) => {
      const c = await client();
      await c.set('a', '1'); // the base's second
      now += 1000;
      await c.set('b', '2');
    });
    expect(parseAof(readFileSync(basePath(dir)))).toEqual([{ ts: 1_800_000_000 }]);
    expect(parseAof(readFileSync(lastIncrPath(dir)))).toEqual([
      { argv: ['SELECT', '0'] },
      { argv: ['set', 'a', '1'] },
      { ts: 1_800_000_001 },
      { argv: ['set', 'b', '2'] },
    ]);
  });

  it('annotates the first record, and the next only once the second moved', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'redis-lite-aof-clock-'));
    let now = 1_800_000_000_250;
    const config = { dir, appendonly: 'yes', 'aof-timestamp-enabled': 'yes' };
    await withIoredisServer('eventloop', { config, clock: () => now }, async (client) => {
      const c = await client();
      await c.set('a', '1');
      now += 700; // the same second
      await c.set('b', '2');
      now += 100; // the next one
      await c.multi().set('c', '3').incr('n').exec();
      await c.config('SET', 'aof-timestamp-enabled', 'no');
      now += 5000;
      await c.set('d', '4');
    });
    expect(parseAof(readFileSync(lastIncrPath(dir)))).toEqual([
      { ts: 1_800_000_000 },
      { argv: ['SELECT', '0'] },
      { argv: ['set', 'a', '1'] },
      { argv: ['set', 'b', '2'] },
      { ts: 1_800_000_001 },
      { argv: ['MULTI'] },
      { argv: ['set', 'c', '3'] },
      { argv: ['incr', 'n'] },
      { argv: ['EXEC'] },
      { argv: ['set', 'd', '4'] },
    ]);
  });
});
