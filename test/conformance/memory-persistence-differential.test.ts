// Replies of the memory and persistence commands' edge cases against redis-server 7.0, for every transport,
// byte for byte: the OOM refusal under noeviction with a tiny maxmemory (which commands, in and out of MULTI),
// OBJECT FREQ and IDLETIME under each kind of policy (counted deterministically: lfu-decay-time 0, and
// lfu-log-factor 0 makes every access count), RESTORE's errors in Redis's order (options, BUSYKEY, TTL,
// payload version and checksum, data format), and SAVE / BGSAVE: their syntax, inside MULTI, and a failed BGSAVE
// (its directory removed) turning writes away with MISCONF. Each server writes in its own temporary directory.
// Skipped when redis-server is not on PATH.

import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { crc64 } from '../../src/core/rdb/crc64.js';
import { haveRedisServer, useBothServers } from '../support/both-servers.js';
import { transports } from '../support/server.js';
import { step, stepBoth, type StepArgs } from '../support/script-step.js';

/** A DUMP payload around `body`: the RDB version (little-endian u16) and the CRC-64 of both. */
function payload(body: Uint8Array, version = 10): Buffer {
  const head = Buffer.concat([body, Buffer.from([version & 0xff, version >> 8])]);
  return Buffer.concat([head, crc64(head).bytes()]);
}

/** The bytes of a bulk string reply (as step() returns it, latin1). */
function bulkBytes(reply: string): Buffer {
  const at = reply.indexOf('\r\n');
  return Buffer.from(reply.slice(at + 2, at + 2 + Number(reply.slice(1, at))), 'latin1');
}

describe.skipIf(!haveRedisServer).each(transports)(
  '%s transport: memory and persistence replies as redis-server 7.0',
  (transport) => {
    // CONFIG SET dir is protected in Redis 7.0: both allow it, for the failed BGSAVE below.
    const both = useBothServers(transport, {
      ownDirs: true,
      settings: { 'enable-protected-configs': 'yes' },
    });

    /** One step (several requests sent together, e.g. MULTI ... EXEC), compared. */
    async function compare(...requests: StepArgs[]): Promise<string> {
      const replies = await stepBoth(both.theirs, both.mine, requests);
      expect(replies.mine).toBe(replies.theirs);
      return replies.theirs.slice(replies.theirs.indexOf(' -> ') + 4);
    }

    /** A request whose argv differs per server (a directory), its replies compared. */
    async function compareEach(argv: (dir: string) => string[]): Promise<void> {
      const expected = await step(both.theirs, [argv(both.dirs.theirs)]);
      expect(await step(both.mine, [argv(both.dirs.mine)])).toBe(expected);
    }

    /**
     * Until neither server runs a BGSAVE; with `saved`, until each has also saved every change (a BGSAVE in EXEC
     * is only scheduled by Redis, and starts at its next cron tick).
     */
    async function bgsavesDone(saved = false): Promise<void> {
      for (const client of [both.theirs, both.mine]) {
        for (;;) {
          const info = await step(client, [['INFO', 'persistence']]);
          const running = info.includes('rdb_bgsave_in_progress:1');
          if (!running && (!saved || info.includes('rdb_changes_since_last_save:0\r\n'))) break;
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
      }
    }

    it('refuses what Redis refuses with OOM under noeviction and a tiny maxmemory', async () => {
      await compare(['FLUSHALL']);
      await compare(['SET', 'k', 'v']);
      await compare(['CONFIG', 'SET', 'maxmemory', '1']);
      try {
        for (const argv of [
          ['SET', 'x', 'y'],
          ['GET', 'k'],
          ['APPEND', 'k', 'v'],
          ['INCR', 'n'],
          ['SETRANGE', 'k', '0', 'v'],
          ['LPUSH', 'l', 'a'],
          ['SADD', 's', 'm'],
          ['HSET', 'h', 'f', 'v'],
          ['ZADD', 'z', '1', 'm'],
          ['EXPIRE', 'k', '100'],
          ['PERSIST', 'k'],
          ['EXISTS', 'k'],
          ['PING'],
        ]) {
          await compare(argv);
        }
        await compare(['MULTI'], ['SET', 'x', 'y'], ['EXEC']);
        await compare(['MULTI'], ['GET', 'k'], ['DEL', 'k'], ['EXEC']);
        await compare(['SET', 'k', 'v']);
      } finally {
        await compare(['CONFIG', 'SET', 'maxmemory', '0']);
      }
      await compare(['SET', 'k', 'v']);
    });

    it('counts OBJECT FREQ under an LFU policy and refuses it (and IDLETIME) under the other', async () => {
      await compare(['FLUSHALL']);
      await compare(['CONFIG', 'SET', 'lfu-decay-time', '0']);
      try {
        await compare(['CONFIG', 'SET', 'maxmemory-policy', 'allkeys-lru']);
        await compare(['SET', 'k', 'v']);
        await compare(['OBJECT', 'FREQ', 'k']);
        await compare(['OBJECT', 'FREQ', 'missing']);
        await compare(['CONFIG', 'SET', 'maxmemory-policy', 'allkeys-lfu']);
        await compare(['SET', 'f', 'v']);
        await compare(['OBJECT', 'FREQ', 'f']);
        await compare(['OBJECT', 'IDLETIME', 'f']);
        await compare(['OBJECT', 'IDLETIME', 'missing']);
        await compare(['GET', 'f']); // the first access from the initial count always counts
        await compare(['OBJECT', 'FREQ', 'f']);
        await compare(['CONFIG', 'SET', 'lfu-log-factor', '0']);
        for (let i = 0; i < 3; i++) await compare(['GET', 'f']);
        await compare(['OBJECT', 'FREQ', 'f']);
        await compare(['CONFIG', 'SET', 'maxmemory-policy', 'volatile-lfu']);
        await compare(['OBJECT', 'FREQ', 'f']);
        await compare(['CONFIG', 'SET', 'maxmemory-policy', 'noeviction']);
        await compare(['OBJECT', 'FREQ', 'f']);
      } finally {
        await compare(['CONFIG', 'SET', 'maxmemory-policy', 'noeviction']);
        await compare(['CONFIG', 'SET', 'lfu-log-factor', '10']);
        await compare(['CONFIG', 'SET', 'lfu-decay-time', '1']);
      }
    });

    it("answers RESTORE's errors in Redis's order", async () => {
      await compare(['FLUSHALL']);
      await compare(['SET', 'src', 'hello']);
      const dump = bulkBytes(await compare(['DUMP', 'src']));
      const badChecksum = Buffer.from(dump);
      badChecksum[badChecksum.length - 1] ^= 0xff;
      const newerVersion = payload(dump.subarray(0, dump.length - 10), 11);
      const unknownType = payload(Buffer.from([200]));
      // Redis reads the value from the whole payload: a string whose length runs past its body reads on into
      // the footer, bytes left over are ignored; past the footer's end, or no body at all, is a bad format.
      const intoFooter = payload(Buffer.from([0, 5, 0x61]));
      const leftOver = payload(Buffer.from([0, 1, 0x61, 0x62]));
      const pastEnd = payload(Buffer.from([0, 20, 0x61]));
      const noBody = payload(Buffer.alloc(0));
      const steps: StepArgs[] = [
        ['RESTORE', 'src', '0', dump],
        ['RESTORE', 'src', 'abc', badChecksum, 'FOO'],
        ['RESTORE', 'src', 'abc', badChecksum],
        ['RESTORE', 'new', 'abc', dump],
        ['RESTORE', 'new', '-1', dump],
        ['RESTORE', 'new', '0', badChecksum],
        ['RESTORE', 'new', '0', Buffer.from('abc')],
        ['RESTORE', 'new', '0', newerVersion],
        ['RESTORE', 'new', '0', payload(dump.subarray(0, dump.length - 10), 9)],
        ['DEL', 'new'],
        ['RESTORE', 'new', '0', unknownType],
        ['RESTORE', 'new', '0', pastEnd],
        ['RESTORE', 'new', '0', noBody],
        ['RESTORE', 'new', '0', intoFooter],
        ['GET', 'new'],
        ['RESTORE', 'new', '0', leftOver, 'REPLACE'],
        ['GET', 'new'],
        ['DEL', 'new'],
        ['RESTORE', 'new', '0', dump, 'IDLETIME', '-1'],
        ['RESTORE', 'new', '0', dump, 'IDLETIME', 'x'],
        ['RESTORE', 'new', '0', dump, 'IDLETIME'],
        ['RESTORE', 'new', '0', dump, 'FREQ', '256'],
        ['RESTORE', 'new', '0', dump, 'FREQ', '-1'],
        ['RESTORE', 'new', '0', dump, 'IDLETIME', '10', 'FREQ', '10'],
        ['RESTORE', 'new', '0', dump, 'FREQ', '10', 'IDLETIME', '10'],
        ['RESTORE', 'new', '0', dump, 'REPLACE', 'ABSTTL', 'IDLETIME', '10'],
        ['RESTORE', 'new', '0', dump],
        ['RESTORE', 'new', '0', dump, 'replace', 'FREQ', '3'],
        ['GET', 'new'],
        ['RESTORE', 'old', '1', dump, 'ABSTTL'],
        ['EXISTS', 'old'],
        ['RESTORE', 'ttl', '100000', dump],
        ['TTL', 'ttl'],
      ];
      for (const argv of steps) await compare(argv);
    });

    it('answers SAVE and BGSAVE as Redis, and turns writes away with MISCONF after a failed BGSAVE', async () => {
      await compare(['FLUSHALL']);
      await compare(['SET', 'k', 'v']);
      await compare(['SAVE', 'extra']);
      await compare(['BGSAVE', 'foo']);
      await compare(['BGSAVE', 'SCHEDULE', 'foo']);
      await compare(['MULTI'], ['SAVE'], ['EXEC']);
      await compare(['MULTI'], ['BGSAVE'], ['EXEC']);
      await bgsavesDone(true);
      await compare(['SAVE']);
      await compare(['BGSAVE']);
      await bgsavesDone();
      await compare(['BGSAVE', 'SCHEDULE']);
      await bgsavesDone();
      // A BGSAVE into a directory that is gone fails; with save points set, writes are refused until a save works.
      await compare(['CONFIG', 'SET', 'save', '3600 1']);
      for (const dir of Object.values(both.dirs)) mkdirSync(join(dir, 'gone'));
      await compareEach((dir) => ['CONFIG', 'SET', 'dir', join(dir, 'gone')]);
      for (const dir of Object.values(both.dirs)) rmSync(join(dir, 'gone'), { recursive: true });
      try {
        await compare(['BGSAVE']);
        await bgsavesDone();
        await compare(['SET', 'k', 'refused']);
        await compare(['GET', 'k']);
        await compare(['PING']);
        await compare(['MULTI'], ['SET', 'k', 'queued'], ['EXEC']);
        await compare(['CONFIG', 'SET', 'stop-writes-on-bgsave-error', 'no']);
        await compare(['SET', 'k', 'allowed']);
        await compare(['SAVE']);
        await compare(['CONFIG', 'SET', 'stop-writes-on-bgsave-error', 'yes']);
        await compare(['SET', 'k', 'refused again']);
      } finally {
        await compareEach((dir) => ['CONFIG', 'SET', 'dir', dir]);
      }
      await compare(['SAVE']);
      await compare(['SET', 'k', 'fine']);
      await compare(['CONFIG', 'SET', 'save', '']);
    });
  },
);
