// Server commands through the real executor: INFO, TIME, CONFIG, COMMAND, with Redis 7.0's reply shapes (the maps,
// sets and verbatim strings Redis sends; how each is written per protocol is reply-encoding's, tested there).

import { describe, expect, it } from 'vitest';
import { Config } from '../../src/core/config.js';
import { createCommandTable } from '../../src/core/executor.js';
import { createServerContext, SharedServerCounters } from '../../src/core/server-context.js';
import { bytesToHuman } from '../../src/core/info.js';
import {
  array,
  bulkString,
  error,
  integer,
  map,
  NIL,
  OK,
  set,
  status,
  type Reply,
} from '../../src/core/reply.js';
import { createTestContext } from '../support/context.js';

/** A bulk's bytes, or a verbatim string's text (INFO). */
const text = (reply: Reply): string => {
  if (reply.kind !== 'bulk' && reply.kind !== 'verbatim')
    throw new Error(`expected a bulk, got ${JSON.stringify(reply)}`);
  return Buffer.from(reply.value).toString('latin1');
};

const items = (reply: Reply): readonly Reply[] => {
  if (reply.kind !== 'array') throw new Error(`expected an array, got ${JSON.stringify(reply)}`);
  return reply.value;
};

const members = (reply: Reply): readonly Reply[] => {
  if (reply.kind !== 'set') throw new Error(`expected a set, got ${JSON.stringify(reply)}`);
  return reply.value;
};

/** A map as an object of replies, by its keys' text. */
const asMap = (reply: Reply): Record<string, Reply> => {
  if (reply.kind !== 'map') throw new Error(`expected a map, got ${JSON.stringify(reply)}`);
  return Object.fromEntries(reply.value.map(([k, v]) => [text(k), v]));
};

const pairs = (...flat: string[]): Reply =>
  map(flat.flatMap((_, i) => (i % 2 === 0 ? [[bulkString(flat[i]), bulkString(flat[i + 1])] as const] : [])));

/** INFO's text as { field: value }; section headers are kept under "#". */
function parseInfo(body: string): { sections: string[]; fields: Record<string, string> } {
  const sections: string[] = [];
  const fields: Record<string, string> = {};
  for (const line of body.split('\r\n')) {
    if (line.startsWith('# ')) sections.push(line.slice(2));
    else if (line !== '') {
      const at = line.indexOf(':');
      fields[line.slice(0, at)] = line.slice(at + 1);
    }
  }
  return { sections, fields };
}

describe('INFO', () => {
  it('answers every section in Redis order, in "# Section\\r\\nfield:value\\r\\n" form, blank line between', () => {
    const ctx = createTestContext();
    const body = text(ctx.run('INFO'));
    expect(body).toMatch(/^# Server\r\nredis_version:7\.0\.0\r\nredis_git_sha1:00000000\r\n/);
    // redis-lite's own fields follow Redis's in their section.
    expect(body).toMatch(/\r\nio_threads_active:0\r\nredis_lite_version:0\.0\.0-test\r\ntransport:/);
    expect(body).toMatch(/\r\n\r\n# Clients\r\nconnected_clients:1\r\n/);
    expect(body.endsWith('# Keyspace\r\n')).toBe(true);
    const { sections } = parseInfo(body);
    expect(sections).toEqual([
      'Server',
      'Clients',
      'Memory',
      'Persistence',
      'Stats',
      'Replication',
      'CPU',
      'Modules',
      'Errorstats',
      'Cluster',
      'Keyspace',
    ]);
    for (const line of body.split('\r\n').slice(0, -1)) expect(line).toMatch(/^(# \w+|[a-z0-9_|]+:.*|)$/);
    expect(parseInfo(text(ctx.run('INFO', 'default'))).sections).toEqual(sections);
    // As Redis 7.0: "all" and "everything" add commandstats and latencystats to the defaults.
    const all = [
      ...sections.slice(0, 8),
      'Commandstats',
      'Errorstats',
      'Latencystats',
      'Cluster',
      'Keyspace',
    ];
    for (const word of ['all', 'everything', 'ALL', 'all nosuch']) {
      expect(parseInfo(text(ctx.run('INFO', ...word.split(' ')))).sections).toEqual(all);
    }
    expect(parseInfo(text(ctx.run('INFO', 'default', 'commandstats'))).sections).toEqual([
      ...sections.slice(0, 8),
      'Commandstats',
      ...sections.slice(8),
    ]);
    expect(parseInfo(text(ctx.run('INFO', 'module_list', 'COMMANDSTATS'))).sections).toEqual([
      'Modules',
      'Commandstats',
    ]);
  });

  it('server section: version, mode, port, uptime from the clock, hz, transport', () => {
    const ctx = createTestContext();
    ctx.clock.advance(90_061_000); // 1 day, 1 h, 1 min, 1 s
    const { fields } = parseInfo(text(ctx.run('INFO', 'server')));
    expect(fields.redis_version).toBe('7.0.0');
    expect(fields.redis_mode).toBe('standalone');
    expect(fields.tcp_port).toBe('6379');
    expect(fields.uptime_in_seconds).toBe('90061');
    expect(fields.uptime_in_days).toBe('1');
    expect(fields.hz).toBe('10');
    expect(fields.process_id).toBe(String(process.pid));
    expect(fields.arch_bits).toBe('64');
    expect(fields.transport).toBe('eventloop');
    expect(fields.server_time_usec).toBe(String(ctx.clock.now * 1000));
  });

  it('asks for one or several sections, case-insensitively, always in Redis order; unknown adds nothing', () => {
    const ctx = createTestContext();
    expect(parseInfo(text(ctx.run('INFO', 'KEYSPACE', 'clients'))).sections).toEqual(['Clients', 'Keyspace']);
    expect(text(ctx.run('INFO', 'nosuch'))).toBe('');
    expect(text(ctx.run('INFO', 'keyspace'))).toBe('# Keyspace\r\n');
  });

  it('clients section shows the transport figures it has', () => {
    const ctx = createTestContext();
    let fields = parseInfo(text(ctx.run('INFO', 'clients'))).fields;
    expect(fields.connected_clients).toBe('1');
    expect(fields.maxclients).toBe('10000');
    expect(fields.busy_workers).toBeUndefined();
    ctx.stats = {
      ...ctx.stats,
      transport: 'pool',
      connectedClients: 7,
      workers: 8,
      busyWorkers: 5,
      queuedClients: 2,
    };
    fields = parseInfo(text(ctx.run('INFO', 'clients'))).fields;
    expect([fields.connected_clients, fields.workers, fields.busy_workers, fields.queued_clients]).toEqual([
      '7',
      '8',
      '5',
      '2',
    ]);
    expect(parseInfo(text(ctx.run('INFO', 'server'))).fields.transport).toBe('pool');
  });

  it('keyspace section lists db0 only when it holds keys', () => {
    const ctx = createTestContext();
    ctx.run('SET', 'a', '1');
    ctx.run('SET', 'b', '2', 'EX', '100');
    expect(text(ctx.run('INFO', 'keyspace'))).toBe('# Keyspace\r\ndb0:keys=2,expires=1,avg_ttl=0\r\n');
  });

  it('memory section: used_memory grows with the store, human forms, maxmemory from config', () => {
    const ctx = createTestContext();
    const before = Number(parseInfo(text(ctx.run('INFO', 'memory'))).fields.used_memory);
    ctx.run('SET', 'big', 'x'.repeat(100_000));
    const { fields } = parseInfo(text(ctx.run('INFO', 'memory')));
    expect(Number(fields.used_memory) - before).toBeGreaterThanOrEqual(100_000);
    expect(fields.used_memory_human).toBe(bytesToHuman(Number(fields.used_memory)));
    expect(Number(fields.used_memory_rss)).toBeGreaterThan(0);
    expect(fields.maxmemory).toBe('0');
    ctx.run('CONFIG', 'SET', 'maxmemory', '1gb');
    expect(parseInfo(text(ctx.run('INFO', 'memory'))).fields.maxmemory_human).toBe('1.00G');
  });

  it('stats section counts commands, connections and expired keys; CONFIG RESETSTAT zeroes them', () => {
    const ctx = createTestContext();
    const counters = ctx.server.counters;
    if (counters === undefined) throw new Error('the server context has counters');
    for (let i = 0; i < 5; i++) ctx.run('PING');
    ctx.stats = { ...ctx.stats, totalConnections: 12, rejectedConnections: 3 };
    ctx.run('SET', 'k', 'v', 'PX', '10');
    ctx.clock.advance(20);
    ctx.run('GET', 'k');
    let fields = parseInfo(text(ctx.run('INFO', 'stats'))).fields;
    expect(Number(fields.total_commands_processed)).toBeGreaterThanOrEqual(5);
    expect([fields.total_connections_received, fields.rejected_connections, fields.expired_keys]).toEqual([
      '12',
      '3',
      '1',
    ]);
    expect(ctx.run('CONFIG', 'RESETSTAT')).toEqual(OK);
    fields = parseInfo(text(ctx.run('INFO', 'stats'))).fields;
    expect([fields.total_connections_received, fields.rejected_connections, fields.expired_keys]).toEqual([
      '0',
      '0',
      '0',
    ]);
    expect(Number(fields.total_commands_processed)).toBe(1); // CONFIG RESETSTAT itself, counted once it ran
  });

  it('still answers when the process figures cannot be read (EMFILE)', () => {
    const ctx = createTestContext();
    const original = process.memoryUsage.rss;
    process.memoryUsage.rss = () => {
      throw Object.assign(new Error('EMFILE: too many open files'), { code: 'EMFILE' });
    };
    try {
      const { fields } = parseInfo(text(ctx.run('INFO')));
      // Redis always prints the field: 0 when it could not be read.
      expect(fields.used_memory_rss).toBe('0');
      expect(Number(fields.used_memory)).toBeGreaterThan(0);
    } finally {
      process.memoryUsage.rss = original;
    }
  });

  it('bytesToHuman follows Redis', () => {
    expect([bytesToHuman(0), bytesToHuman(1023), bytesToHuman(1024), bytesToHuman(1536 * 1024)]).toEqual([
      '0B',
      '1023B',
      '1.00K',
      '1.50M',
    ]);
  });
});

describe('TIME', () => {
  it('answers [seconds, microseconds] as bulks from the server clock', () => {
    const ctx = createTestContext();
    ctx.clock.now = 1_700_000_123_456;
    expect(ctx.run('TIME')).toEqual(array([bulkString('1700000123'), bulkString('456000')]));
    expect(ctx.run('TIME', 'x')).toEqual(error("ERR wrong number of arguments for 'time' command"));
  });
});

describe('CONFIG', () => {
  it('GET answers a map of name to value for one or several patterns, each setting once', () => {
    const ctx = createTestContext();
    expect(ctx.run('CONFIG', 'GET', 'maxclients')).toEqual(pairs('maxclients', '10000'));
    expect(ctx.run('CONFIG', 'GET', 'nosuch')).toEqual(map([]));
    expect(ctx.run('CONFIG', 'GET', 'save', 'appendonly')).toEqual(pairs('save', '', 'appendonly', 'no'));
    expect(ctx.run('CONFIG', 'GET', 'appenddirname')).toEqual(pairs('appenddirname', 'appendonlydir'));
    expect(ctx.run('CONFIG', 'GET', 'MAXCLIENTS', 'maxclients')).toEqual(pairs('MAXCLIENTS', '10000'));
    expect(asMap(ctx.run('CONFIG', 'GET', 'max*', 'maxmemory'))).toEqual({
      maxclients: bulkString('10000'),
      maxmemory: bulkString('0'),
      'maxmemory-policy': bulkString('noeviction'),
      'maxmemory-samples': bulkString('5'),
      'maxmemory-eviction-tenacity': bulkString('10'),
    });
    // Every setting once: as many names as pairs (a count would break with each setting added).
    const all = ctx.run('CONFIG', 'GET', '*');
    const names = all.kind === 'map' ? all.value.map(([k]) => text(k)) : [];
    expect(new Set(names).size).toBe(names.length);
    expect(names).toEqual(expect.arrayContaining(['appendonly', 'maxclients', 'save', 'dir', 'maxmemory']));
    expect(ctx.run('CONFIG', 'GET')).toEqual(error("ERR wrong number of arguments for 'config|get' command"));
  });

  it('SET changes settings, with memory units, and GET shows bytes', () => {
    const ctx = createTestContext();
    expect(ctx.run('CONFIG', 'SET', 'maxmemory', '2mb', 'timeout', '60')).toEqual(OK);
    expect(ctx.run('CONFIG', 'GET', 'maxmemory')).toEqual(pairs('maxmemory', '2097152'));
    expect(ctx.config.number('timeout')).toBe(60);
  });

  it('SET reports Redis 7 errors and changes nothing on failure', () => {
    const ctx = createTestContext();
    expect(ctx.run('CONFIG', 'SET', 'nosuch', '1')).toEqual(
      error("ERR Unknown option or number of arguments for CONFIG SET - 'nosuch'"),
    );
    expect(ctx.run('CONFIG', 'SET', 'port', '1')).toEqual(
      error("ERR CONFIG SET failed (possibly related to argument 'port') - can't set immutable config"),
    );
    expect(ctx.run('CONFIG', 'SET', 'timeout', '5', 'maxclients', 'lots')).toEqual(
      error(
        "ERR CONFIG SET failed (possibly related to argument 'maxclients') - argument couldn't be parsed into an integer",
      ),
    );
    expect(ctx.config.number('timeout')).toBe(0);
    expect(ctx.run('CONFIG', 'SET', 'timeout')).toEqual(
      error("ERR wrong number of arguments for 'config|set' command"),
    );
    expect(ctx.run('CONFIG', 'SET', 'timeout', '5', 'hz')).toEqual(error('ERR syntax error'));
  });

  it('REWRITE has no file to write; HELP lists the subcommands', () => {
    const ctx = createTestContext();
    expect(ctx.run('CONFIG', 'REWRITE')).toEqual(error('ERR The server is running without a config file'));
    const help = items(ctx.run('CONFIG', 'HELP'));
    expect(help[0]).toEqual(status('CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:'));
    expect(help).toContainEqual(status('RESETSTAT'));
    expect(ctx.run('CONFIG', 'FOO')).toEqual(error("ERR unknown subcommand 'FOO'. Try CONFIG HELP."));
  });

  it('needs authentication like any admin command', () => {
    const ctx = createTestContext({ requirepass: 'pw' });
    expect(ctx.run('CONFIG', 'GET', '*')).toEqual(error('NOAUTH Authentication required.'));
  });
});

describe('COMMAND', () => {
  it('COUNT counts top-level commands; no arguments lists every one', () => {
    const ctx = createTestContext();
    const total = ctx.server.commands.all().length;
    expect(ctx.run('COMMAND', 'COUNT')).toEqual(integer(total));
    expect(items(ctx.run('COMMAND')).length).toBe(total);
  });

  it('INFO has Redis 7.0 shape: name, arity, flags, first, last, step, categories, tips, key specs, subcommands', () => {
    const ctx = createTestContext();
    const [get, nosuch] = items(ctx.run('COMMAND', 'INFO', 'GET', 'nosuch'));
    expect(nosuch).toEqual(NIL);
    const g = items(get);
    expect(g.length).toBe(10);
    expect(g.slice(0, 6)).toEqual([
      bulkString('get'),
      integer(2),
      set([status('readonly'), status('fast')]),
      integer(1),
      integer(1),
      integer(1),
    ]);
    // Sets where Redis 7.0 sends sets (RESP3 "~"): categories, tips, key specs and their flags, and the
    // subcommands of a command that has none.
    expect(g[6]).toEqual(set([status('@read'), status('@string'), status('@fast')]));
    expect(g[7]).toEqual(set([]));
    const spec = asMap(members(g[8])[0]);
    expect(spec.flags).toEqual(set([status('RO'), status('access')]));
    expect(asMap(spec.begin_search)).toEqual({
      type: bulkString('index'),
      spec: map([[bulkString('index'), integer(1)]]),
    });
    expect(Object.keys(asMap(asMap(spec.find_keys).spec))).toEqual(['lastkey', 'keystep', 'limit']);
    expect(g[9]).toEqual(set([]));
  });

  it('INFO of a container lists its subcommands; "client|list" names one', () => {
    const ctx = createTestContext();
    const client = items(items(ctx.run('COMMAND', 'INFO', 'client'))[0]);
    expect(client[1]).toEqual(integer(-2));
    const subs = items(client[9]).map((s) => text(items(s)[0]));
    expect(subs).toContain('client|setname');
    expect(subs).toContain('client|kill');
    const list = items(items(ctx.run('COMMAND', 'INFO', 'CLIENT|LIST'))[0]);
    expect(list[0]).toEqual(bulkString('client|list'));
    expect(list[6]).toEqual(
      set([status('@admin'), status('@slow'), status('@dangerous'), status('@connection')]),
    );
  });

  it("DOCS gives Redis 7.0.15's summary, since, group, complexity, history and arguments as maps", () => {
    const ctx = createTestContext();
    const docs = asMap(ctx.run('COMMAND', 'DOCS', 'echo', 'nosuch'));
    expect(Object.keys(docs)).toEqual(['echo']);
    const echo = asMap(docs.echo);
    expect(Object.keys(echo)).toEqual(['summary', 'since', 'group', 'complexity', 'arguments']);
    expect(echo.summary).toEqual(bulkString('Echo the given string'));
    expect(echo.since).toEqual(bulkString('1.0.0'));
    expect(echo.group).toEqual(bulkString('connection'));
    expect(echo.complexity).toEqual(bulkString('O(1)'));
    expect(items(echo.arguments).map(asMap)).toEqual([
      { name: bulkString('message'), type: bulkString('string') },
    ]);
    const set_ = asMap(asMap(ctx.run('COMMAND', 'DOCS', 'set')).set);
    expect(members(set_.history).map((h) => text(items(h)[0]))).toEqual([
      '2.6.12',
      '6.0.0',
      '6.2.0',
      '7.0.0',
    ]);
    const getex = asMap(asMap(ctx.run('COMMAND', 'DOCS', 'getex')).getex);
    expect(asMap(items(getex.arguments)[1]).flags).toEqual(set([status('optional')])); // a set, as in Redis 7.0
    const all = asMap(ctx.run('COMMAND', 'DOCS'));
    expect(Object.keys(all).length).toBe(ctx.server.commands.all().length);
    const config = asMap(all.config);
    expect(Object.keys(asMap(config.subcommands))).toContain('config|get');
  });

  it('LIST names every command and subcommand, with FILTERBY', () => {
    const ctx = createTestContext();
    const names = items(ctx.run('COMMAND', 'LIST')).map(text);
    expect(names).toContain('ping');
    expect(names).toContain('config|set');
    expect(items(ctx.run('COMMAND', 'LIST', 'FILTERBY', 'PATTERN', 'client|*')).map(text)).toContain(
      'client|id',
    );
    expect(items(ctx.run('COMMAND', 'LIST', 'FILTERBY', 'PATTERN', 'CONFIG|G*')).map(text)).toEqual([
      'config|get',
    ]);
    expect(items(ctx.run('COMMAND', 'LIST', 'FILTERBY', 'ACLCAT', 'connection')).map(text)).toContain('echo');
    expect(ctx.run('COMMAND', 'LIST', 'FILTERBY', 'MODULE', 'x')).toEqual(array([]));
    expect(ctx.run('COMMAND', 'LIST', 'FILTERBY', 'NOPE', 'x')).toEqual(error('ERR syntax error'));
  });

  it("GETKEYSANDFLAGS gives each key its key spec's flags, SET's and BITFIELD's by what the line does", () => {
    const ctx = createTestContext();
    const flagsOf = (...line: string[]) =>
      items(ctx.run('COMMAND', 'GETKEYSANDFLAGS', ...line)).map((pair) => {
        const [key, flags] = items(pair);
        return [text(key), ...members(flags).map((f) => (f.kind === 'status' ? f.value : '?'))];
      });
    expect(flagsOf('RENAME', 'a', 'b')).toEqual([
      ['a', 'RW', 'access', 'delete'],
      ['b', 'OW', 'update'],
    ]);
    expect(flagsOf('ZUNIONSTORE', 'd', '2', 'a', 'b')).toEqual([
      ['d', 'OW', 'update'],
      ['a', 'RO', 'access'],
      ['b', 'RO', 'access'],
    ]);
    expect(flagsOf('MSET', 'a', '1', 'b', '2')).toEqual([
      ['a', 'OW', 'update'],
      ['b', 'OW', 'update'],
    ]);
    expect(flagsOf('SET', 'k', 'v')).toEqual([['k', 'OW', 'update']]);
    expect(flagsOf('SET', 'k', 'v', 'get')).toEqual([['k', 'RW', 'access', 'update']]);
    expect(flagsOf('BITFIELD', 'k', 'GET', 'u8', '0')).toEqual([['k', 'RO', 'access']]);
    expect(flagsOf('BITFIELD', 'k', 'GET', 'u8', '0', 'SET', 'u8', '0', '1')).toEqual([
      ['k', 'RW', 'access', 'update'],
    ]);
    expect(ctx.run('COMMAND', 'GETKEYSANDFLAGS', 'PING', 'x')).toEqual(
      error('ERR The command has no key arguments'),
    );
  });

  it('GETKEYS extracts keys from a full command line', () => {
    const ctx = createTestContext();
    expect(ctx.run('COMMAND', 'GETKEYS', 'GET', 'k')).toEqual(array([bulkString('k')]));
    expect(ctx.run('COMMAND', 'GETKEYS', 'MSET', 'a', '1', 'b', '2')).toEqual(
      array([bulkString('a'), bulkString('b')]),
    );
    expect(ctx.run('COMMAND', 'GETKEYS', 'nosuch', 'x')).toEqual(error('ERR Invalid command specified'));
    expect(ctx.run('COMMAND', 'GETKEYS', 'PING', 'x')).toEqual(error('ERR The command has no key arguments'));
    expect(ctx.run('COMMAND', 'GETKEYS', 'GET', 'a', 'b')).toEqual(
      error('ERR Invalid number of arguments specified for command'),
    );
    expect(ctx.run('COMMAND', 'GETKEYS', 'GET')).toEqual(
      error("ERR wrong number of arguments for 'command|getkeys' command"),
    );
  });
});

describe('server context and its shared counters', () => {
  it('counts past 2^32 and shares the count with another thread attached to the same buffer', () => {
    const a = SharedServerCounters.create();
    const b = SharedServerCounters.attach(a.buffer);
    new Uint32Array(a.buffer, 0, 1)[0] = 0xffffffff; // keyspace_hits' low word
    a.keyLookup(true);
    b.keyLookup(true);
    expect(a.keyspaceHits()).toBe(2 ** 32 + 1);
    a.commandCalled(0, 1, false);
    b.commandCalled(0, 2, true);
    expect(a.commandsProcessed()).toBe(2);
    b.resetBaseline({ connections: 5, rejectedConnections: 1, expiredKeys: 2, evictedKeys: 3 });
    expect([a.commandsProcessed(), a.keyspaceHits()]).toEqual([0, 0]);
    expect(a.baseline()).toEqual({ connections: 5, rejectedConnections: 1, expiredKeys: 2, evictedKeys: 3 });
  });

  /** What a server context needs at the least, over `config`. */
  const minimalDeps = (config: Config) => ({
    clock: () => 0,
    config,
    version: '1.2.3',
    startedAt: 0,
    tcpPort: 1,
    commands: createCommandTable([]),
    clients: () => [],
    transportStats: () => createTestContext().stats,
    reportUnexpected: () => {},
  });

  it('reads requirepass live and offers killClient only when the transport can', () => {
    const config = new Config();
    const deps = minimalDeps(config);
    const server = createServerContext(deps);
    expect(server.requirePass()).toBe('');
    config.set('requirepass', 'x');
    expect(server.requirePass()).toBe('x');
    expect(server.killClient).toBeUndefined();
    expect(server.counters).toBeInstanceOf(SharedServerCounters);
    const killing = createServerContext({ ...deps, killClient: (id: number) => id === 7 });
    expect([killing.killClient?.(7), killing.killClient?.(8)]).toEqual([true, false]);
  });

  it('gives every server context the same fields in the same order, whichever optional parts it has', () => {
    const deps = minimalDeps(new Config());
    const bare = Object.keys(createServerContext(deps));
    const full = Object.keys(
      createServerContext({
        ...deps,
        killClient: () => false,
        purgeMemory: () => {},
        shutdown: () => false,
      }),
    );
    // One order of keys is one hidden class: the commands' reads of ctx.server stay monomorphic.
    expect(full).toEqual(bare);
    expect(bare).toEqual(
      expect.arrayContaining(['aof', 'killClient', 'scripting', 'functions', 'persistence']),
    );
  });
});
