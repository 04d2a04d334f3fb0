// The append-only file's run-time features on real servers, on every transport (issue 17): CONFIG SET appendonly
// yes / no while connections write (from several threads on the pool and the hybrid), BGREWRITEAOF answered at
// once with the rewrite in the background (a second refused, one inside MULTI or during a BGSAVE scheduled), the
// automatic rewrite past auto-aof-rewrite-min-size / -percentage, and INFO persistence's aof_ figures. Counters
// incremented by concurrent writers check that no acknowledged write is lost or applied twice after a restart.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { infoFields, untilInfo, untilRewriteIdle } from '../support/info-wait.js';
import { onPath } from '../support/live-tools.js';
import { AOF_DIR, basePath, lastIncrPath, manifestIn, manifestPath } from '../support/aof-dir.js';
import { withIoredisServer } from '../support/ioredis-fixture.js';
import { transports, type TransportName } from '../support/server.js';

type Connect = () => Promise<Redis>;

/** A server on `config` (8 workers: the pool's tests hold several clients at once), ioredis clients on demand. */
function withServer<R>(
  transport: TransportName,
  config: Record<string, string>,
  work: (client: Connect) => Promise<R>,
): Promise<R> {
  return withIoredisServer(transport, { workers: 8, config }, (client) => work(client));
}

/** Writers that INCR a key of their own and a shared one until stopped; how many rounds each had acknowledged. */
async function startIncrementing(client: Connect, writers: number) {
  const connections = await Promise.all(Array.from({ length: writers }, () => client()));
  const acked = new Array<number>(writers).fill(0);
  let running = true;
  /** A writer's failed request: it stops them all and fails advance() and stop() with it (not left unhandled). */
  let failure: unknown = null;
  const done = connections.map(async (c, w) => {
    try {
      while (running) {
        // Plain writes and transactions: both must be logged, or be in the rewrite's snapshot, exactly once.
        if (w % 2 === 0) await c.multi().incr(`own:${w}`).incr('shared').exec();
        else await Promise.all([c.incr(`own:${w}`), c.incr('shared')]);
        acked[w]++;
      }
    } catch (error) {
      failure ??= error;
      running = false;
    }
  });
  return {
    acked,
    /** Resolves once every writer has acknowledged at least `n` more writes. */
    async advance(n: number) {
      const from = [...acked];
      while (acked.some((a, w) => a < from[w] + n)) {
        if (failure !== null) throw failure;
        await new Promise((r) => setImmediate(r));
      }
    },
    async stop() {
      running = false;
      await Promise.all(done);
      if (failure !== null) throw failure;
      return acked;
    },
  };
}

async function expectCounters(c: Redis, acked: readonly number[]): Promise<void> {
  const own = await c.mget(...acked.map((_, w) => `own:${w}`));
  expect(own).toEqual(acked.map(String));
  expect(await c.get('shared')).toBe(String(acked.reduce((a, b) => a + b, 0)));
}

/** redis-check-aof (7.0: given the manifest) accepts the manifest and every file it lists. */
function checkAof(dir: string): void {
  if (!onPath('redis-check-aof')) return;
  expect(spawnSync('redis-check-aof', [manifestPath(dir)], { encoding: 'utf8' }).stdout).toContain(
    'All AOF files and manifest are valid',
  );
}

/** aof_current_size as Redis 7.0 counts it: the base and the incremental files. */
function sizeOnDisk(dir: string): number {
  const m = manifestIn(dir);
  return [m.base, ...m.incr].reduce(
    (sum, f) => sum + (f === null ? 0 : statSync(path.join(dir, AOF_DIR, f.name)).size),
    0,
  );
}

describe.each(transports)('%s transport: the append-only file at run time', (transport) => {
  // Turned on in a dir with no append-only directory yet: the writers' threads log and write out from the moment
  // they read it on (test/unit/aof-turn-on.test.ts plays that interleaving step by step).
  it('CONFIG SET appendonly yes while others write: the data before and every write after survive a restart', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'redis-lite-aofrt-'));
    const acked = await withServer(transport, { dir }, async (client) => {
      const c = await client();
      await c.set('before', 'x');
      await c.hset('h', 'f', 'v');
      await c.select(4);
      await c.set('in4', 'four');
      const writers = await startIncrementing(client, 4);
      await writers.advance(20);
      expect(await c.config('SET', 'appendonly', 'yes')).toBe('OK');
      expect((await untilRewriteIdle(c)).get('aof_enabled')).toBe('1');
      await writers.advance(20);
      await c.set('after', 'y'); // on database 4
      return writers.stop();
    });
    // The turn-on's rewrite wrote the base, and its temporary incremental file became the first one.
    expect(manifestIn(dir).base?.name).toBe('appendonly.aof.1.base.rdb');
    expect(manifestIn(dir).incr.map((f) => f.name)).toEqual(['appendonly.aof.1.incr.aof']);
    expect(readFileSync(basePath(dir)).subarray(0, 5).toString()).toBe('REDIS');
    expect(readdirSync(path.join(dir, AOF_DIR)).filter((name) => name.startsWith('temp-'))).toEqual([]);
    checkAof(dir);
    await withServer(transport, { dir, appendonly: 'yes' }, async (client) => {
      const c = await client();
      await expectCounters(c, acked);
      expect(await c.get('before')).toBe('x');
      expect(await c.hgetall('h')).toEqual({ f: 'v' });
      await c.select(4);
      expect(await c.mget('in4', 'after')).toEqual(['four', 'y']);
    });
  });

  it('CONFIG SET appendonly no: the file stops growing, and holds what was written until then', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'redis-lite-aofrt-'));
    await withServer(transport, { dir, appendonly: 'yes' }, async (client) => {
      const file = lastIncrPath(dir);
      const [c, other] = [await client(), await client()];
      await c.set('kept', '1');
      await other.set('kept2', '2');
      expect(await c.config('SET', 'appendonly', 'no')).toBe('OK');
      const size = statSync(file).size;
      await c.set('lost', '3');
      await other.set('lost2', '4');
      expect(statSync(file).size).toBe(size);
      const info = (await c.info('persistence')).split('\r\n');
      expect(info).toContain('aof_enabled:0');
      expect(info.some((l) => l.startsWith('aof_current_size'))).toBe(false); // shown only while on
    });
    await withServer(transport, { dir, appendonly: 'yes' }, async (client) => {
      const c = await client();
      expect(await c.mget('kept', 'kept2', 'lost', 'lost2')).toEqual(['1', '2', null, null]);
    });
  });

  it('BGREWRITEAOF answers at once, refuses a second while it runs, and loses no concurrent write', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'redis-lite-aofrt-'));
    const acked = await withServer(transport, { dir, appendonly: 'yes' }, async (client) => {
      const c = await client();
      await fill(c, 100_000); // enough that the rewrite outlasts the next two commands by far
      const writers = await startIncrementing(client, 3);
      await writers.advance(10);
      const raw = await client();
      const replies = await raw.pipeline().bgrewriteaof().bgrewriteaof().info('persistence').exec();
      expect(replies?.[0]).toEqual([null, 'Background append only file rewriting started']);
      expect(String(replies?.[1][0])).toBe(
        'ReplyError: ERR Background append only file rewriting already in progress',
      );
      expect(String(replies?.[2][1])).toContain('aof_rewrite_in_progress:1\r\n');
      await writers.advance(10);
      const after = await untilRewriteIdle(c);
      expect(after.get('aof_last_bgrewrite_status')).toBe('ok');
      expect(after.get('aof_rewrites')).toBe('1');
      expect(Number(after.get('aof_base_size'))).toBeGreaterThan(100_000);
      await writers.advance(10);
      return writers.stop();
    });
    expect(readFileSync(basePath(dir)).subarray(0, 5).toString()).toBe('REDIS');
    checkAof(dir);
    await withServer(transport, { dir, appendonly: 'yes' }, async (client) => {
      const c = await client();
      await expectCounters(c, acked);
      expect(await c.dbsize()).toBe(100_000 + acked.length + 1);
    });
  });

  it('BGREWRITEAOF inside MULTI, or while a BGSAVE runs, is scheduled and runs after', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'redis-lite-aofrt-'));
    await withServer(transport, { dir, appendonly: 'yes' }, async (client) => {
      const [c, saver] = [await client(), await client()];
      expect(await c.multi().bgrewriteaof().exec()).toEqual([
        [null, 'Background append only file rewriting scheduled'],
      ]);
      const first = await untilInfo(c, 'persistence', (f) => f.get('aof_rewrites') === '1', 'the rewrite');
      expect(first.get('aof_rewrite_scheduled')).toBe('0');
      await fill(c, 1000);
      // 100 ms after each key (rdb-key-save-delay, as Redis's own test holds its child): the BGSAVE runs until
      // the delay is lifted, so the BGREWRITEAOF below meets it whatever the machine's load.
      await c.config('SET', 'rdb-key-save-delay', '100000');
      const saving = saver.bgsave(); // on the pool and the hybrid, its thread answers once the dump is written
      await untilInfo(c, 'persistence', (f) => f.get('rdb_bgsave_in_progress') === '1', 'the BGSAVE');
      expect(await c.bgrewriteaof()).toBe('Background append only file rewriting scheduled');
      expect(infoFields(await c.info('persistence')).get('aof_rewrite_scheduled')).toBe('1');
      await c.config('SET', 'rdb-key-save-delay', '0');
      expect(await saving).toBe('Background saving started');
      const after = await untilRewriteIdle(c);
      expect(after.get('aof_rewrites')).toBe('2');
      expect(after.get('rdb_bgsave_in_progress')).toBe('0');
    });
  });

  it('BGSAVE while a rewrite runs is refused, or with SCHEDULE started once the rewrite has ended', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'redis-lite-aofrt-'));
    await withServer(transport, { dir, appendonly: 'yes' }, async (client) => {
      const c = await client();
      await fill(c, 100_000);
      const replies = await c.pipeline().bgrewriteaof().bgsave().bgsave('SCHEDULE').exec();
      expect(replies?.map(([error, reply]) => (error === null ? reply : String(error)))).toEqual([
        'Background append only file rewriting started',
        "ReplyError: ERR Another child process is active (AOF?): can't BGSAVE right now. Use BGSAVE SCHEDULE in " +
          'order to schedule a BGSAVE whenever possible.',
        'Background saving scheduled',
      ]);
      // As in Redis, the scheduled BGSAVE has begun by the time the rewrite shows as ended: no INFO, on any
      // thread, sees neither running while it waits (a client that waits for both to be idle would go on early).
      const ended = await untilInfo(
        c,
        'persistence',
        (f) => f.get('aof_rewrite_in_progress') === '0',
        'the end',
      );
      expect(
        ended.get('rdb_bgsave_in_progress') === '1' || ended.get('rdb_last_bgsave_time_sec') !== '-1',
      ).toBe(true);
      const saved = await untilInfo(
        c,
        'persistence',
        (f) => f.get('rdb_last_bgsave_time_sec') !== '-1' && f.get('rdb_bgsave_in_progress') === '0',
        'the scheduled BGSAVE',
      );
      expect([saved.get('aof_rewrites'), saved.get('rdb_last_bgsave_status')]).toEqual(['1', 'ok']);
      expect(statSync(path.join(dir, 'dump.rdb')).size).toBeGreaterThan(100_000);
    });
  });

  it('rewrites by itself once the file passes auto-aof-rewrite-min-size and grows by the percentage', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'redis-lite-aofrt-'));
    const config = {
      dir,
      appendonly: 'yes',
      'auto-aof-rewrite-min-size': '16kb',
      'auto-aof-rewrite-percentage': '100',
    };
    await withServer(transport, config, async (client) => {
      const c = await client();
      for (let i = 0; i < 200; i++) await c.set('same-key', 'x'.repeat(100)); // ~24 KB of history, 1 key
      const first = await untilInfo(
        c,
        'persistence',
        (f) => f.get('aof_rewrites') === '1',
        'an automatic rewrite',
      );
      // The snapshot's one key and the commands logged while it ran (at most the writes after 16 KB).
      expect(Number(first.get('aof_base_size'))).toBeLessThan(16 * 1024);
      expect(readFileSync(basePath(dir)).subarray(0, 5).toString()).toBe('REDIS');
      // Past min-size again, and more than twice the new base: a second one.
      for (let i = 0; i < 200; i++) await c.set('same-key', 'y'.repeat(100));
      await untilInfo(c, 'persistence', (f) => f.get('aof_rewrites') === '2', 'a second automatic rewrite');
      expect(await c.config('SET', 'auto-aof-rewrite-percentage', '0')).toBe('OK');
      expect(await c.config('GET', 'auto-aof-rewrite-*')).toEqual([
        'auto-aof-rewrite-percentage',
        '0',
        'auto-aof-rewrite-min-size',
        '16384',
      ]);
    });
    await withServer(transport, config, async (client) => {
      expect(await (await client()).get('same-key')).toBe('y'.repeat(100));
    });
  });

  it("INFO persistence: the rewrite's figures and the file's sizes", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'redis-lite-aofrt-'));
    await withServer(transport, { dir, appendonly: 'yes' }, async (client) => {
      const c = await client();
      await c.set('k', 'v');
      const before = await untilInfo(c, 'persistence', () => true, 'anything');
      expect(before.get('aof_enabled')).toBe('1');
      expect(before.get('aof_rewrites')).toBe('0');
      expect(before.get('aof_last_rewrite_time_sec')).toBe('-1');
      // The empty base made at start-up and the incremental file; no base loaded: 0, as Redis 7.0.
      expect(before.get('aof_current_size')).toBe(String(sizeOnDisk(dir)));
      expect(before.get('aof_base_size')).toBe('0');
      expect(await c.bgrewriteaof()).toBe('Background append only file rewriting started');
      const after = await untilRewriteIdle(c);
      expect(after.get('aof_rewrites')).toBe('1');
      expect(after.get('aof_last_bgrewrite_status')).toBe('ok');
      expect(after.get('aof_rewrites_consecutive_failures')).toBe('0');
      expect(Number(after.get('aof_last_rewrite_time_sec'))).toBeGreaterThanOrEqual(0);
      expect(after.get('aof_current_rewrite_time_sec')).toBe('-1');
      // Redis's aof_rewrite_base_size after a rewrite: the new base and the incremental file opened at its cut.
      expect(after.get('aof_base_size')).toBe(String(sizeOnDisk(dir)));
      // The snapshot's pause stands for Redis's fork.
      expect(Number(infoFields(await c.info('stats')).get('latest_fork_usec'))).toBeGreaterThan(0);
      await c.set('k2', 'v2');
      const grown = await untilInfo(c, 'persistence', () => true, 'anything');
      expect(Number(grown.get('aof_current_size'))).toBe(sizeOnDisk(dir));
      expect(Number(grown.get('aof_current_size'))).toBeGreaterThan(Number(after.get('aof_base_size')));
      expect(grown.get('aof_last_write_status')).toBe('ok');
      expect(grown.get('aof_buffer_length')).toBe('0'); // written out at the end of each client read
      // In one read with the write, the record is still in the buffer every thread shares (Redis's aof_buf).
      const [, info] = (await c.pipeline().set('k3', 'v3').info('persistence').exec()) ?? [];
      expect(Number(infoFields(String(info?.[1])).get('aof_buffer_length'))).toBeGreaterThan(0);
    });
  });
});

/** `count` string keys, in pipelined MSETs of 1,000. */
async function fill(c: Redis, count: number): Promise<void> {
  const pipeline = c.pipeline();
  for (let at = 0; at < count; at += 1000) {
    const pairs: string[] = [];
    for (let i = at; i < Math.min(count, at + 1000); i++) pairs.push(`key:${i}`, `value:${i}`);
    pipeline.mset(...pairs);
  }
  await pipeline.exec();
}

/** This process's descriptors open on `file` (the servers under test run in it). */
function descriptorsOn(file: string): number {
  let count = 0;
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      if (readlinkSync(`/proc/self/fd/${fd}`) === file) count++;
    } catch {
      // closed meanwhile
    }
  }
  return count;
}

describe.skipIf(!transports.includes('pool'))('pool transport: the append-only file and idle workers', () => {
  it('a worker started after CONFIG SET dir logs to the directory the server opened at start-up', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'redis-lite-aofrt-'));
    const moved = mkdtempSync(path.join(tmpdir(), 'redis-lite-aofrt-moved-'));
    const config = { dir, appendonly: 'yes', 'enable-protected-configs': 'yes' };
    await withServer('pool', config, async (client) => {
      const c = await client();
      expect(await c.config('SET', 'dir', moved)).toBe('OK');
      // More clients than the spare workers started with the server: workers spawned with the new dir.
      const late = await Promise.all(Array.from({ length: 6 }, () => client()));
      await Promise.all(late.map((w, i) => w.set(`late:${i}`, String(i))));
    });
    expect(readdirSync(moved)).toEqual([]);
    await withServer('pool', { dir, appendonly: 'yes' }, async (client) => {
      const c = await client();
      expect(await c.mget(Array.from({ length: 6 }, (_, i) => `late:${i}`))).toEqual(
        Array.from({ length: 6 }, (_, i) => String(i)),
      );
    });
  });

  it("a worker whose client left holds no descriptor of the file (a retired worker's would leak)", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'redis-lite-aofrt-'));
    await withServer('pool', { dir, appendonly: 'yes' }, async (client) => {
      const file = lastIncrPath(dir);
      const writers = await Promise.all([client(), client(), client()]);
      // One after another: each worker's read ends with its own record unwritten, so it writes the shared
      // buffer out itself, through a descriptor of its own (at once, another's write-out could cover it).
      for (let i = 0; i < writers.length; i++) await writers[i].set(`k${i}`, 'v');
      expect(descriptorsOn(file)).toBeGreaterThanOrEqual(3);
      await Promise.all(writers.map((w) => w.quit()));
      const c = await client();
      await untilInfo(c, 'clients', (f) => f.get('busy_workers') === '1', 'the writers gone'); // c's own
      // At most the main thread's (its once-a-second sync) and c's worker's, which has written nothing.
      expect(descriptorsOn(file)).toBeLessThanOrEqual(1);
    });
  });
});
