// CONFIG GET and CONFIG SET of the memory, eviction and persistence settings against redis-server 7.0, for every
// transport: valid and invalid values, units, bounds, several pairs at once, read-only and protected settings,
// replies compared byte for byte (each SET followed by a GET, so a value stored differently shows too). Both
// servers work in one temporary directory, and save points are cleared at the end, so nothing is written
// elsewhere. Skipped when redis-server is not on PATH.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { haveRedisServer, startBothServers } from '../support/both-servers.js';
import { transports } from '../support/server.js';
import { stepBoth } from '../support/script-step.js';

/** shutdown-on-sigint / -sigterm: SHUTDOWN's flags in any case and order, SAVE with NOSAVE, empty words. */
const SHUTDOWN_FLAG_VALUES: readonly string[] = [
  'nosave',
  'NOW nosave',
  'force now save nosave',
  'save nosave',
  'default',
  'now default',
  'force  now',
  'force now ',
  ' now',
  '',
  'x',
  'SAVE',
  'now force save',
  'default',
];

/** [setting, values CONFIG SET is tried with]: each followed by CONFIG GET of the setting. */
const VALUES: readonly [string, readonly string[]][] = [
  [
    'maxmemory',
    [
      '100mb',
      '1gb',
      '1GB',
      '100k',
      '100kb',
      '5b',
      'kb',
      '',
      '-1',
      'abc',
      '1.5',
      '1.5mb',
      '10 mb',
      ' 10',
      '+10',
      '1tb',
      '18446744073709551615',
      '18446744073709551616',
      '99999999999999999999999',
      '17179869184gb',
      '17179869185gb',
      '1'.repeat(127),
      '1'.repeat(128),
      '0',
    ],
  ],
  [
    'maxmemory-policy',
    [
      'allkeys-lru',
      'ALLKEYS-LFU',
      'volatile-lru',
      'volatile-lfu',
      'volatile-random',
      'volatile-ttl',
      'allkeys-random',
      'bad',
      '',
      'noeviction',
    ],
  ],
  ['maxmemory-samples', ['0', '1', '64', '65', '2147483647', '2147483648', '-1', 'x', '10k', '', '5']],
  [
    'hll-sparse-max-bytes',
    ['0', '1kb', '3KB', '9223372036854775807', '9223372036854775808', '-1', 'x', '1.5', '', '3000'],
  ],
  ['maxmemory-eviction-tenacity', ['0', '100', '101', '-1', 'x', '1.0', '10']],
  ['lfu-log-factor', ['0', '-1', '2147483647', '2147483648', ' 1', '10']],
  ['lfu-decay-time', ['0', '-1', '2147483648', '1k', '1']],
  ['appendfsync', ['always', 'NO', 'sometimes', '', 'everysec']],
  ['shutdown-on-sigterm', SHUTDOWN_FLAG_VALUES],
  ['shutdown-on-sigint', SHUTDOWN_FLAG_VALUES],
  [
    'save',
    [
      '900 1',
      '3600 1 300 100 60 10000',
      '900',
      'abc 1',
      '900 -1',
      '-1 1',
      '0 0',
      '  900   1  ',
      '900  1',
      '900 ',
      '900 1 ',
      '+900 +1',
      '900 0x1',
      '900 \t1',
      '900 2147483648',
      '99999999999999999999 1',
      '',
    ],
  ],
  ['rdbcompression', ['no', 'maybe', 'YES', '1', 'yes']],
  ['rdbchecksum', ['no', 'x', 'yes']],
  ['stop-writes-on-bgsave-error', ['no', 'x', 'yes']],
  ['dbfilename', ['x.rdb', 'a/b.rdb', '', 'dump.rdb']],
  ['latency-tracking', ['no', 'maybe', 'YES', '', 'yes']],
  [
    'latency-tracking-info-percentiles',
    [
      '50.5000 99.90 100 0',
      '',
      '50 abc',
      '101',
      '-1',
      '50  99',
      ' 50',
      '50 ',
      '1e1 0.0000001 99.9999999',
      'inf',
      'nan',
      '50 99 99.9',
    ],
  ],
  ['enable-protected-configs', ['yes']],
];

/** Several pairs at once: all or nothing, the first bad name before any value. */
const MULTI_SET: readonly string[][] = [
  ['maxmemory', '1mb', 'maxmemory-policy', 'bad'],
  ['maxmemory', '1mb', 'maxmemory', '2mb'],
  ['maxmemory', 'x', 'rdbchecksum', 'no'],
  ['maxmemory', 'x', 'dir', '/'],
  ['maxmemory', 'x', 'nosuch', '1'],
  ['maxmemory', '1mb', 'maxmemory-policy', 'allkeys-lru'],
  ['maxmemory', '0', 'maxmemory-policy', 'noeviction'],
  ['maxmemory'],
];

/** What the protected settings accept once enable-protected-configs allows it (here: 'local'). */
const PROTECTED_VALUES: readonly [string, readonly string[]][] = [
  ['dbfilename', ['x.rdb', 'a/b.rdb', 'a\\b.rdb', '', 'dump.rdb']],
];

describe.skipIf(!haveRedisServer).each(transports)(
  '%s transport: CONFIG as redis-server 7.0',
  (transport) => {
    let dir: string;
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'redis-lite-config-diff-'));
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    /** Both servers, started with `settings`, in `dir`; `script` gets a compare function. */
    async function withBoth(
      settings: Record<string, string>,
      script: (compare: (argv: string[]) => Promise<void>) => Promise<void>,
    ): Promise<void> {
      const both = await startBothServers(transport, { settings: { dir, ...settings } });
      try {
        await script(async (argv) => {
          const replies = await stepBoth(both.theirs, both.mine, [argv]);
          expect(replies.mine).toBe(replies.theirs);
        });
      } finally {
        await both.close();
      }
    }

    it('sets and shows every value as Redis does, refusing the same ones with the same errors', async () => {
      await withBoth({}, async (compare) => {
        for (const [name, values] of VALUES) {
          await compare(['CONFIG', 'GET', name]);
          for (const value of values) {
            await compare(['CONFIG', 'SET', name, value]);
            await compare(['CONFIG', 'GET', name]);
          }
        }
        for (const pairs of MULTI_SET) {
          await compare(['CONFIG', 'SET', ...pairs]);
          await compare(['CONFIG', 'GET', pairs[0]]);
        }
        await compare(['CONFIG', 'SET', 'dir', dir]);
        await compare(['CONFIG', 'SET', 'save', '']);
      });
    });

    it('lets a loopback client set the protected settings under enable-protected-configs local', async () => {
      await withBoth({ 'enable-protected-configs': 'local' }, async (compare) => {
        await compare(['CONFIG', 'GET', 'enable-protected-configs']);
        for (const [name, values] of PROTECTED_VALUES) {
          for (const value of values) {
            await compare(['CONFIG', 'SET', name, value]);
            await compare(['CONFIG', 'GET', name]);
          }
        }
        await compare(['CONFIG', 'SET', 'dir', dir]);
        await compare(['CONFIG', 'GET', 'dir']);
      });
    });
  },
);
