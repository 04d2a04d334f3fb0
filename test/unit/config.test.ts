// Config: Redis's names, defaults, memory units, bounds and Redis 7's CONFIG SET error lines.

import { describe, expect, it } from 'vitest';
import { Config, InvalidSettingError, limitsFromConfig, parseMemory } from '../../src/core/config.js';
import { CommandError } from '../../src/core/errors.js';

function setError(config: Config, ...pairs: [string, string][]): string {
  try {
    config.setMany(pairs);
  } catch (e) {
    if (e instanceof CommandError) return e.message;
    throw e;
  }
  throw new Error('expected CONFIG SET to fail');
}

describe('hidden settings (Redis HIDDEN_CONFIG)', () => {
  it('are answered by their name, never for a pattern', () => {
    const c = new Config();
    expect(c.get('rdb-key-save-delay')).toEqual([['rdb-key-save-delay', '0']]);
    expect(c.get('loading-process-events-interval-bytes')).toEqual([
      ['loading-process-events-interval-bytes', '2097152'],
    ]);
    expect(c.get('rdb-key-*')).toEqual([]);
    expect(c.get('*').map(([name]) => name)).not.toContain('loading-process-events-interval-bytes');
    expect(c.get('*').map(([name]) => name)).toContain('rdbcompression');
  });

  it('loading-process-events-interval-bytes is at least 1024, as Redis', () => {
    const c = new Config();
    expect(setError(c, ['loading-process-events-interval-bytes', '1023'])).toMatch(/must be between 1024/);
    c.set('loading-process-events-interval-bytes', '1024');
    expect(c.number('loading-process-events-interval-bytes')).toBe(1024);
  });
});

describe('Config defaults', () => {
  it('has Redis defaults under Redis names', () => {
    const c = new Config();
    expect(c.snapshot()).toEqual({
      bind: '127.0.0.1',
      port: '6379',
      requirepass: '',
      aclfile: '',
      'acllog-max-len': '128',
      'acl-pubsub-default': 'resetchannels',
      maxclients: '10000',
      timeout: '0',
      'proto-max-bulk-len': '536870912',
      'client-query-buffer-limit': '1073741824',
      'hash-max-listpack-entries': '512',
      'hash-max-listpack-value': '64',
      'list-max-listpack-size': '-2',
      'set-max-intset-entries': '512',
      'zset-max-listpack-entries': '128',
      'zset-max-listpack-value': '64',
      'hll-sparse-max-bytes': '3000',
      'stream-node-max-bytes': '4096',
      'stream-node-max-entries': '100',
      hz: '10',
      'tcp-backlog': '511',
      maxmemory: '0',
      'maxmemory-policy': 'noeviction',
      'maxmemory-samples': '5',
      'maxmemory-eviction-tenacity': '10',
      'lfu-log-factor': '10',
      'lfu-decay-time': '1',
      'tracking-table-max-keys': '1000000',
      'client-output-buffer-limit-bytes': '268435456',
      'client-output-buffer-limit-pubsub-bytes': '33554432',
      'notify-keyspace-events': '',
      'inline-replies': 'plain',
      'enable-debug-command': 'no',
      'enable-protected-configs': 'no',
      'io-threads': '1',
      databases: '16',
      dir: '',
      dbfilename: 'dump.rdb',
      save: '',
      rdbcompression: 'yes',
      rdbchecksum: 'yes',
      'stop-writes-on-bgsave-error': 'yes',
      'rdb-key-save-delay': '0',
      'loading-process-events-interval-bytes': '2097152',
      'latency-tracking': 'yes',
      'latency-tracking-info-percentiles': '50 99 99.9',
      appendonly: 'no',
      appendfilename: 'appendonly.aof',
      appenddirname: 'appendonlydir',
      appendfsync: 'everysec',
      'aof-load-truncated': 'yes',
      'no-appendfsync-on-rewrite': 'no',
      'aof-use-rdb-preamble': 'yes',
      'aof-timestamp-enabled': 'no',
      'aof-disable-auto-gc': 'no',
      'aof-rewrite-incremental-fsync': 'yes',
      'rdb-save-incremental-fsync': 'yes',
      'auto-aof-rewrite-percentage': '100',
      'auto-aof-rewrite-min-size': '67108864',
      'shutdown-on-sigint': 'default',
      'shutdown-on-sigterm': 'default',
      'slowlog-log-slower-than': '10000',
      'slowlog-max-len': '128',
      'latency-monitor-threshold': '0',
      'busy-reply-threshold': '5000',
    });
    expect(c.number('maxclients')).toBe(10000);
    expect(c.string('bind')).toBe('127.0.0.1');
  });

  it('takes start-up values, read-only ones included, validated and normalised', () => {
    const c = new Config({ port: '7000', 'io-threads': '8', maxmemory: '1mb', requirepass: undefined });
    expect(c.number('port')).toBe(7000);
    expect(c.number('io-threads')).toBe(8);
    expect(c.string('maxmemory')).toBe('1048576');
    expect(() => new Config({ port: '70000' })).toThrow(/argument must be between 0 and 65535 inclusive/);
    expect(() => new Config({ nosuch: '1' })).toThrow(/unknown setting 'nosuch'/);
  });

  it('reports a refused start-up value as structured data: setting, value, reason, code', () => {
    let thrown: unknown;
    try {
      new Config({ 'tcp-backlog': '-1' });
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(InvalidSettingError);
    expect(thrown).toMatchObject({
      code: 'ERR_INVALID_SETTING',
      setting: 'tcp-backlog',
      value: '-1',
      reason: expect.stringMatching(/^argument must be between/) as unknown,
    });
    // An unknown name is the caller's bug, not a refused value.
    expect(() => new Config({ nosuch: '1' })).not.toThrow(InvalidSettingError);
  });

  it('throws on an unknown name in string()/number() (a typo is a bug)', () => {
    expect(() => new Config().string('maxclient')).toThrow(/unknown setting/);
  });
});

describe('memory units (memtoull)', () => {
  it.each([
    ['0', 0n],
    ['100', 100n],
    ['100b', 100n],
    ['1k', 1000n],
    ['1kb', 1024n],
    ['1K', 1000n],
    ['1KB', 1024n],
    ['2m', 2_000_000n],
    ['2mb', 2n * 1024n * 1024n],
    ['1g', 1_000_000_000n],
    ['1Gb', 1024n ** 3n],
  ])('%s = %s bytes', (text, bytes) => {
    expect(parseMemory(text)).toBe(bytes);
  });

  // As C reads them (redis-server 7.0.15 answers the same): no digits read 0, the digits saturate at 2^64 - 1
  // (strtoull) and the product with the unit wraps.
  it.each([
    ['', 0n],
    ['mb', 0n],
    ['18446744073709551616', 2n ** 64n - 1n],
    ['99999999999999999999gb', 2n ** 64n - 2n ** 30n],
    ['17179869184gb', 0n],
  ])('%j = %s bytes', (text, bytes) => {
    expect(parseMemory(text)).toBe(bytes);
  });

  it.each(['-1', '1x', '1 mb', '1.5mb', '+1', ' 1', '1'.repeat(128)])('rejects %j', (text) => {
    expect(parseMemory(text)).toBeNull();
  });
});

describe('CONFIG SET', () => {
  it('sets a value and stores it as CONFIG GET shows it', () => {
    const c = new Config();
    c.set('MAXMEMORY', '100mb');
    expect(c.get('maxmemory')).toEqual([['maxmemory', String(100 * 1024 * 1024)]]);
    c.set('timeout', '30');
    expect(c.number('timeout')).toBe(30);
  });

  it('reports an unknown name exactly as Redis 7', () => {
    expect(setError(new Config(), ['nosuch', '1'])).toBe(
      "ERR Unknown option or number of arguments for CONFIG SET - 'nosuch'",
    );
  });

  it('refuses read-only settings', () => {
    const readOnly = ['port', 'bind', 'tcp-backlog', 'io-threads', 'databases', 'enable-debug-command'];
    for (const name of [...readOnly, 'enable-protected-configs', 'rdbchecksum']) {
      expect(setError(new Config(), [name, '1'])).toBe(
        `ERR CONFIG SET failed (possibly related to argument '${name}') - can't set immutable config`,
      );
    }
  });

  it('reports invalid values with Redis 7 wording', () => {
    const c = new Config();
    expect(setError(c, ['maxclients', 'abc'])).toBe(
      "ERR CONFIG SET failed (possibly related to argument 'maxclients') - argument couldn't be parsed into an integer",
    );
    expect(setError(c, ['maxclients', '0'])).toBe(
      "ERR CONFIG SET failed (possibly related to argument 'maxclients') - argument must be between 1 and 4294967295 inclusive",
    );
    expect(setError(c, ['timeout', '-1'])).toBe(
      "ERR CONFIG SET failed (possibly related to argument 'timeout') - argument must be between 0 and 2147483647 inclusive",
    );
    expect(setError(c, ['maxmemory', '10zb'])).toBe(
      "ERR CONFIG SET failed (possibly related to argument 'maxmemory') - argument must be a memory value",
    );
    expect(setError(c, ['proto-max-bulk-len', '1kb'])).toBe(
      "ERR CONFIG SET failed (possibly related to argument 'proto-max-bulk-len') - argument must be between 1048576 and 9223372036854775807 inclusive",
    );
    expect(setError(c, ['aof-load-truncated', 'maybe'])).toBe(
      "ERR CONFIG SET failed (possibly related to argument 'aof-load-truncated') - argument must be 'yes' or 'no'",
    );
    expect(c.snapshot()).toEqual(new Config().snapshot());
  });

  it('takes save points as pairs of integers, shown as Redis prints them', () => {
    const c = new Config();
    c.set('save', '3600 +1 300 0100');
    expect(c.string('save')).toBe('3600 1 300 100');
    c.set('save', '900 ');
    expect(c.string('save')).toBe('900 0'); // split on single spaces: strtoll reads the empty word as 0
    c.set('save', '900 2147483648');
    expect(c.get('save')).toEqual([['save', '900 -2147483648']]); // a C int, as Redis prints it
    c.set('save', c.string('save')); // the stored form reads back as itself (a pool worker's SET is relayed)
    expect(c.get('save')).toEqual([['save', '900 -2147483648']]);
    c.set('save', '');
    expect(c.string('save')).toBe('');
    expect(setError(c, ['save', '900'])).toBe(
      "ERR CONFIG SET failed (possibly related to argument 'save') - Invalid save parameters",
    );
    for (const bad of ['900 x', ' 900 1', '900  1', '0 1', '900 -1']) {
      expect(setError(c, ['save', bad]), bad).toMatch(/Invalid save parameters/);
    }
    expect(setError(c, ['dbfilename', 'a/b.rdb'])).toMatch(/dbfilename can't be a path, just a filename/);
    expect(setError(c, ['dbfilename', 'a\\b.rdb'])).toMatch(/dbfilename can't be a path, just a filename/);
    expect(c.get('dir')).toEqual([['dir', process.cwd()]]);
  });

  it('refuses the protected settings unless the caller may set them (enable-protected-configs)', () => {
    const c = new Config();
    for (const name of ['dir', 'dbfilename']) {
      expect(() => c.setMany([[name, 'x']], false)).toThrow(
        `ERR CONFIG SET failed (possibly related to argument '${name}') - can't set protected config`,
      );
    }
    // Read-only is reported before protected, protected before a bad value of another pair.
    expect(() =>
      c.setMany(
        [
          ['dir', 'x'],
          ['rdbchecksum', 'no'],
        ],
        false,
      ),
    ).toThrow(/'dir'\) - can't set protected/);
    expect(() =>
      c.setMany(
        [
          ['maxmemory', 'x'],
          ['dir', 'x'],
        ],
        false,
      ),
    ).toThrow(/'dir'\) - can't set protected/);
    c.setMany([['dbfilename', 'other.rdb']], true);
    expect(c.string('dbfilename')).toBe('other.rdb');
  });

  it('takes appendfilename at start-up only, appendonly and appendfsync at any time', () => {
    const c = new Config({ appendonly: 'YES' });
    expect(c.string('appendonly')).toBe('yes');
    c.set('appendonly', 'No');
    expect(c.string('appendonly')).toBe('no');
    expect(setError(c, ['appendfilename', 'other.aof'])).toBe(
      "ERR CONFIG SET failed (possibly related to argument 'appendfilename') - can't set immutable config",
    );
    expect(setError(c, ['appenddirname', 'other'])).toBe(
      "ERR CONFIG SET failed (possibly related to argument 'appenddirname') - can't set immutable config",
    );
    // Names, not paths, as Redis 7.0's isValidAOFfilename / isValidAOFdirname.
    expect(new Config({ appenddirname: 'aofs' }).string('appenddirname')).toBe('aofs');
    expect(() => new Config({ appenddirname: 'a/b' })).toThrow(
      "appenddirname can't be a path, just a dirname",
    );
    expect(() => new Config({ appenddirname: '' })).toThrow("appenddirname can't be empty");
    expect(() => new Config({ appendfilename: '../x.aof' })).toThrow(
      "appendfilename can't be a path, just a filename",
    );
    // Redis 7.0.15's replies.
    expect(setError(c, ['appendonly', 'maybe'])).toBe(
      "ERR CONFIG SET failed (possibly related to argument 'appendonly') - argument must be 'yes' or 'no'",
    );
    expect(setError(c, ['auto-aof-rewrite-percentage', '-1'])).toBe(
      "ERR CONFIG SET failed (possibly related to argument 'auto-aof-rewrite-percentage') - argument must be " +
        'between 0 and 2147483647 inclusive',
    );
    expect(setError(c, ['auto-aof-rewrite-min-size', '-1'])).toBe(
      "ERR CONFIG SET failed (possibly related to argument 'auto-aof-rewrite-min-size') - argument must be a " +
        'memory value',
    );
    c.set('auto-aof-rewrite-min-size', '1kb');
    expect(c.string('auto-aof-rewrite-min-size')).toBe('1024');
    // Redis 7.0.15's reply.
    expect(setError(c, ['appendfsync', 'sometimes'])).toBe(
      "ERR CONFIG SET failed (possibly related to argument 'appendfsync') - argument(s) must be one of the " +
        'following: everysec, always, no',
    );
    c.set('appendfsync', 'ALWAYS');
    expect(c.string('appendfsync')).toBe('always');
  });

  it('takes inline-replies as Redis takes an enum: either choice, any case, stored lower case', () => {
    const c = new Config({ 'inline-replies': 'RESP' });
    expect(c.string('inline-replies')).toBe('resp');
    c.set('inline-replies', 'Plain');
    expect(c.string('inline-replies')).toBe('plain');
    // Redis 7.0's enumConfigSet wording (CONFIG SET loglevel bogus on redis-server 7.0.15).
    expect(setError(c, ['inline-replies', 'json'])).toBe(
      "ERR CONFIG SET failed (possibly related to argument 'inline-replies') - argument(s) must be one of the following: plain, resp",
    );
    expect(() => new Config({ 'inline-replies': 'x' })).toThrow(/invalid inline-replies 'x'/);
  });

  it('clamps hz to 1..500 as Redis does', () => {
    const c = new Config();
    c.set('hz', '1000');
    expect(c.string('hz')).toBe('500');
    c.set('hz', '0');
    expect(c.string('hz')).toBe('1');
  });

  it('is all or nothing over several pairs', () => {
    const c = new Config();
    expect(setError(c, ['timeout', '5'], ['maxclients', 'x'])).toMatch(/argument 'maxclients'/);
    expect(c.string('timeout')).toBe('0');
    c.setMany([
      ['timeout', '5'],
      ['maxclients', '50'],
    ]);
    expect([c.number('timeout'), c.number('maxclients')]).toEqual([5, 50]);
  });

  it('reports names before values, the first problem first, and duplicates', () => {
    const c = new Config();
    expect(setError(c, ['maxclients', 'x'], ['nosuch', '1'])).toBe(
      "ERR Unknown option or number of arguments for CONFIG SET - 'nosuch'",
    );
    expect(setError(c, ['port', '1'], ['nosuch', '1'])).toMatch(
      /argument 'port'\) - can't set immutable config/,
    );
    expect(setError(c, ['timeout', '1'], ['TIMEOUT', '2'])).toBe(
      "ERR CONFIG SET failed (possibly related to argument 'TIMEOUT') - duplicate parameter",
    );
  });

  it('tells listeners after a successful set, with the stored value', () => {
    const c = new Config();
    const heard: [string, string][] = [];
    c.onChange((name, value) => heard.push([name, value]));
    c.set('maxmemory', '1kb');
    setError(c, ['timeout', 'x']);
    expect(heard).toEqual([['maxmemory', '1024']]);
  });

  it('runs extra checks a server component adds', () => {
    const c = new Config();
    c.addCheck('maxclients', (v) =>
      Number(v) > 100
        ? 'The operating system is not able to handle the specified number of clients, try with 100'
        : null,
    );
    c.set('maxclients', '100');
    expect(setError(c, ['maxclients', '101'])).toBe(
      "ERR CONFIG SET failed (possibly related to argument 'maxclients') - The operating system is not able to handle the specified number of clients, try with 100",
    );
  });

  it('apply() replicates a change without validation or listeners', () => {
    const c = new Config();
    let calls = 0;
    c.onChange(() => calls++);
    c.apply('requirepass', 'secret');
    c.apply('maxclients', '42');
    expect([c.string('requirepass'), c.number('maxclients'), calls]).toEqual(['secret', 42, 0]);
  });
});

describe('CONFIG GET patterns', () => {
  it('matches exact names case-insensitively and globs', () => {
    const c = new Config();
    expect(c.get('port')).toEqual([['port', '6379']]);
    expect(c.get('PORT')).toEqual([['PORT', '6379']]); // echoed as typed, like Redis 7
    expect(c.get('nosuch')).toEqual([]);
    expect(c.get('max*')).toEqual([
      ['maxclients', '10000'],
      ['maxmemory', '0'],
      ['maxmemory-policy', 'noeviction'],
      ['maxmemory-samples', '5'],
      ['maxmemory-eviction-tenacity', '10'],
    ]);
    // Every setting but the two hidden ones (rdb-key-save-delay, loading-process-events-interval-bytes), and
    // busy-reply-threshold a second time under its alias lua-time-limit.
    expect(c.get('*').length).toBe(Object.keys(c.snapshot()).length - 2 + 1);
    expect(c.get('?z')).toEqual([['hz', '10']]);
    expect(c.get('[sa]*')).toEqual([
      ['aclfile', ''],
      ['acllog-max-len', '128'],
      ['acl-pubsub-default', 'resetchannels'],
      ['set-max-intset-entries', '512'],
      ['stream-node-max-bytes', '4096'],
      ['stream-node-max-entries', '100'],
      ['save', ''],
      ['stop-writes-on-bgsave-error', 'yes'],
      ['appendonly', 'no'],
      ['appendfilename', 'appendonly.aof'],
      ['appenddirname', 'appendonlydir'],
      ['appendfsync', 'everysec'],
      ['aof-load-truncated', 'yes'],
      ['aof-use-rdb-preamble', 'yes'],
      ['aof-timestamp-enabled', 'no'],
      ['aof-disable-auto-gc', 'no'],
      ['aof-rewrite-incremental-fsync', 'yes'],
      ['auto-aof-rewrite-percentage', '100'],
      ['auto-aof-rewrite-min-size', '67108864'],
      ['shutdown-on-sigint', 'default'],
      ['shutdown-on-sigterm', 'default'],
      ['slowlog-log-slower-than', '10000'],
      ['slowlog-max-len', '128'],
    ]);
  });
});

describe('shutdown-on-sigint and shutdown-on-sigterm', () => {
  it('take SHUTDOWN\'s flags, several at once, shown in Redis\'s order, "default" for none', () => {
    const c = new Config({ 'shutdown-on-sigterm': 'NOW nosave' });
    expect(c.string('shutdown-on-sigterm')).toBe('nosave now');
    c.set('shutdown-on-sigint', 'force save now');
    expect(c.string('shutdown-on-sigint')).toBe('save now force');
    c.set('shutdown-on-sigint', 'default now');
    expect(c.string('shutdown-on-sigint')).toBe('now');
    c.set('shutdown-on-sigint', 'default');
    expect(c.string('shutdown-on-sigint')).toBe('default');
    expect(setError(c, ['shutdown-on-sigint', 'save nosave'])).toBe(
      "ERR CONFIG SET failed (possibly related to argument 'shutdown-on-sigint') - shutdown options SAVE and " +
        "NOSAVE can't be used simultaneously",
    );
    for (const bad of ['', 'now  force', 'later'])
      expect(setError(c, ['shutdown-on-sigint', bad])).toBe(
        "ERR CONFIG SET failed (possibly related to argument 'shutdown-on-sigint') - argument(s) must be one of " +
          'the following: default, save, nosave, now, force',
      );
  });
});

describe('limitsFromConfig', () => {
  it('takes the bulk limit from proto-max-bulk-len and fixed Redis values for the rest', () => {
    const c = new Config({ 'proto-max-bulk-len': '2mb' });
    expect(limitsFromConfig(c)).toEqual({ inlineMax: 65536, multibulkMax: 1048576, bulkMax: 2097152 });
  });
});

describe('a setting with an alias (busy-reply-threshold, once lua-time-limit)', () => {
  it('is read and set under either name; a pattern lists each name that matches', () => {
    const c = new Config({ 'lua-time-limit': '1234' });
    expect(c.number('busy-reply-threshold')).toBe(1234);
    expect(c.get('LUA-time-limit')).toEqual([['LUA-time-limit', '1234']]);
    expect(c.get('*time-limit*')).toEqual([['lua-time-limit', '1234']]);
    expect(c.get('busy*')).toEqual([['busy-reply-threshold', '1234']]);
    c.set('lua-time-limit', '77');
    expect(c.get('busy-reply-threshold')).toEqual([['busy-reply-threshold', '77']]);
  });

  it('takes both names in one CONFIG SET (the last wins), but not one name twice; errors name what was given', () => {
    const c = new Config();
    c.setMany([
      ['lua-time-limit', '5'],
      ['busy-reply-threshold', '6'],
    ]);
    expect(c.number('busy-reply-threshold')).toBe(6);
    expect(() =>
      c.setMany([
        ['lua-time-limit', '5'],
        ['LUA-TIME-LIMIT', '6'],
      ]),
    ).toThrow("ERR CONFIG SET failed (possibly related to argument 'LUA-TIME-LIMIT') - duplicate parameter");
    expect(() => c.set('lua-time-limit', '-1')).toThrow(
      "ERR CONFIG SET failed (possibly related to argument 'lua-time-limit') - argument must be between 0 and " +
        '9223372036854775807 inclusive',
    );
    expect(() => c.set('busy-reply-threshold', 'x')).toThrow(
      "ERR CONFIG SET failed (possibly related to argument 'busy-reply-threshold') - argument couldn't be parsed " +
        'into an integer',
    );
  });
});
