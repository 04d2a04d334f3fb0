// The server's settings, under Redis's names, with Redis 7's parsing, bounds and CONFIG SET error messages
// (src/config.c: memtoull, numericParseString, numericBoundaryCheck, configSetCommand). One instance per
// thread; a change made on one thread reaches the others through onChange + apply, never through this module.
// It knows nothing of sockets, transports or commands: CONFIG GET/SET (commands/server.ts) call get/setMany.

import { parseInt64 } from './args.js';
import type { ConfigRegistry } from './command.js';
import { CommandError } from './errors.js';
import { globMatch } from './glob.js';
import { normalisePercentiles } from './latency-percentiles.js';
import { checkKeyspaceEvents, showKeyspaceEvents } from './pubsub/keyspace-events.js';
import type { ParserLimits } from './parser.js';

type Kind = 'integer' | 'memory' | 'string' | 'bool' | 'enum';

interface Setting {
  readonly name: string;
  readonly kind: Kind;
  readonly initial: string;
  /** Inclusive bounds for integer and memory settings (Redis's lower_bound / upper_bound). */
  readonly min?: bigint;
  readonly max?: bigint;
  /** The values an enum setting takes, lower case, in the order its error message lists them. */
  readonly choices?: readonly string[];
  /** Redis's IMMUTABLE_CONFIG, or a setting this server can only take at start-up (bind, port). */
  readonly immutable?: boolean;
  /** Redis's PROTECTED_CONFIG: CONFIG SET only where enable-protected-configs allows (it names files). */
  readonly protected?: boolean;
  /** Redis's HIDDEN_CONFIG (a test knob): CONFIG GET shows it asked by its name only, never for a pattern. */
  readonly hidden?: boolean;
  /**
   * Redis's alias (config.c createConfig's alias): the older name, which CONFIG GET / SET and the command line
   * take too; a pattern lists the setting under both names.
   */
  readonly alias?: string;
  /** Extra rule after parsing; returns the value to store or an error text (Redis's apply step). */
  readonly refine?: (value: string) => string | { error: string };
  /** What CONFIG GET shows for the stored value, where Redis prints back a form of its own. */
  readonly show?: (stored: string) => string;
}

const INT_MAX = 2n ** 31n - 1n;
const UINT_MAX = 2n ** 32n - 1n;
const LONG_MAX = 2n ** 63n - 1n;
const ULLONG_MAX = 2n ** 64n - 1n;
const MB = 1024n * 1024n;

/** Redis's updateHZ clamps rather than rejects: CONFIG SET hz 1000 leaves hz at 500. */
const clampHz = (value: string): string => String(Math.min(500, Math.max(1, Number(value))));

const LLONG_MIN = -(2n ** 63n);

/**
 * C's strtoll over a whole word, as config.c checks it (eptr[0] == '\0'): leading white space, a sign, digits,
 * saturated at the long long range; no digits at all reads 0, valid only for an empty word. Null: trailing
 * characters.
 */
function strtollWord(word: string): bigint | null {
  const match = /^[ \t\n\v\f\r]*([+-]?)([0-9]+)$/.exec(word);
  if (match === null) return word === '' ? 0n : null;
  const value = BigInt(match[1] + match[2]);
  return value < LLONG_MIN ? LLONG_MIN : value > LONG_MAX ? LONG_MAX : value;
}

/**
 * config.c setConfigSaveOption: the value split on single spaces (so "" is no save points, and a doubled or
 * trailing space makes an empty word), in pairs of seconds >= 1 and changes >= 0, each read by strtoll; stored
 * canonical (a stored value must read back as itself: a pool worker's CONFIG SET is set again on the main thread).
 */
function normaliseSavePoints(value: string): string | { error: string } {
  const words = value === '' ? [] : value.split(' ');
  const invalid = { error: 'Invalid save parameters' };
  if (words.length % 2 !== 0) return invalid;
  const pairs: string[] = [];
  for (let i = 0; i < words.length; i += 2) {
    const seconds = strtollWord(words[i]);
    const changes = strtollWord(words[i + 1]);
    if (seconds === null || changes === null || seconds < 1n || changes < 0n) return invalid;
    pairs.push(`${seconds} ${changes}`);
  }
  return pairs.join(' ');
}

/**
 * The save points as Redis prints them back ("%jd %d"): its changes count is a C int, so one set past INT_MAX
 * shows wrapped. Only the display follows it: Redis then also saves on a count it wrapped to 0 or below, where
 * such a count is kept whole here (more changes than any server makes between two saves).
 */
function showSavePoints(stored: string): string {
  const words = stored === '' ? [] : stored.split(' ');
  return words.map((w, i) => (i % 2 === 1 ? String(BigInt.asIntN(32, BigInt(w))) : w)).join(' ');
}

/** config.c isValidDBfilename (pathIsBaseName): a file name, not a path; empty is a name. */
function checkDbfilename(value: string): string | { error: string } {
  return value.includes('/') || value.includes('\\')
    ? { error: "dbfilename can't be a path, just a filename" }
    : value;
}

/** config.c pathIsBaseName for appendfilename and appenddirname. */
function checkBaseName(value: string, error: string): string | { error: string } {
  return value.includes('/') || value.includes('\\') ? { error } : value;
}

/** config.c shutdown_on_sig_enum, in its order: "default" is no flag. */
const SHUTDOWN_FLAG_NAMES = ['default', 'save', 'nosave', 'now', 'force'];

/**
 * shutdown-on-sigint / shutdown-on-sigterm (a MULTI_ARG_CONFIG enum of flags): words split on single spaces, each
 * a flag name in any case, SAVE and NOSAVE not both; stored as Redis prints it back (configEnumGetName): the
 * flags in the enum's order, or "default" for none.
 */
function normaliseShutdownOnSignal(value: string): string | { error: string } {
  const words = value === '' ? [] : value.toLowerCase().split(' ');
  if (words.length === 0 || words.some((w) => !SHUTDOWN_FLAG_NAMES.includes(w)))
    return { error: `argument(s) must be one of the following: ${SHUTDOWN_FLAG_NAMES.join(', ')}` };
  if (words.includes('save') && words.includes('nosave'))
    return { error: "shutdown options SAVE and NOSAVE can't be used simultaneously" };
  const flags = SHUTDOWN_FLAG_NAMES.slice(1).filter((name) => words.includes(name));
  return flags.length === 0 ? 'default' : flags.join(' ');
}

const SETTINGS: readonly Setting[] = [
  // bind and port are modifiable in Redis (it rebinds); our transports bind once, at start-up.
  { name: 'bind', kind: 'string', initial: '127.0.0.1', immutable: true },
  { name: 'port', kind: 'integer', initial: '6379', min: 0n, max: 65535n, immutable: true },
  { name: 'requirepass', kind: 'string', initial: '' },
  // ACL (acl/): the file ACL LOAD and SAVE use, read at start-up; how many refusals ACL LOG keeps; the channels
  // a user (or selector) made from now on starts with (acl/user.ts PubsubDefault; users already made keep theirs).
  { name: 'aclfile', kind: 'string', initial: '', immutable: true },
  { name: 'acllog-max-len', kind: 'integer', initial: '128', min: 0n, max: LONG_MAX },
  {
    name: 'acl-pubsub-default',
    kind: 'enum',
    initial: 'resetchannels',
    choices: ['allchannels', 'resetchannels'],
  },
  { name: 'maxclients', kind: 'integer', initial: '10000', min: 1n, max: UINT_MAX },
  { name: 'timeout', kind: 'integer', initial: '0', min: 0n, max: INT_MAX },
  { name: 'proto-max-bulk-len', kind: 'memory', initial: String(512n * MB), min: MB, max: LONG_MAX },
  { name: 'client-query-buffer-limit', kind: 'memory', initial: String(1024n * MB), min: MB, max: LONG_MAX },
  // When a container leaves its compact encoding (store/containers.ts; Redis 7.0's names and bounds).
  { name: 'hash-max-listpack-entries', kind: 'integer', initial: '512', min: 0n, max: LONG_MAX },
  { name: 'hash-max-listpack-value', kind: 'integer', initial: '64', min: 0n, max: LONG_MAX },
  { name: 'list-max-listpack-size', kind: 'integer', initial: '-2', min: -INT_MAX - 1n, max: INT_MAX },
  { name: 'set-max-intset-entries', kind: 'integer', initial: '512', min: 0n, max: LONG_MAX },
  { name: 'zset-max-listpack-entries', kind: 'integer', initial: '128', min: 0n, max: LONG_MAX },
  { name: 'zset-max-listpack-value', kind: 'integer', initial: '64', min: 0n, max: LONG_MAX },
  { name: 'hll-sparse-max-bytes', kind: 'memory', initial: '3000', min: 0n, max: LONG_MAX },
  { name: 'stream-node-max-bytes', kind: 'memory', initial: '4096', min: 0n, max: LONG_MAX },
  { name: 'stream-node-max-entries', kind: 'integer', initial: '100', min: 0n, max: LONG_MAX },
  { name: 'hz', kind: 'integer', initial: '10', min: 0n, max: INT_MAX, refine: clampHz },
  { name: 'tcp-backlog', kind: 'integer', initial: '511', min: 0n, max: INT_MAX, immutable: true },
  // Redis as a cache (store/eviction.ts): the cap on used_memory and how keys are chosen to go past it.
  { name: 'maxmemory', kind: 'memory', initial: '0', min: 0n, max: ULLONG_MAX },
  {
    name: 'maxmemory-policy',
    kind: 'enum',
    initial: 'noeviction',
    choices: [
      'volatile-lru',
      'volatile-lfu',
      'volatile-random',
      'volatile-ttl',
      'allkeys-lru',
      'allkeys-lfu',
      'allkeys-random',
      'noeviction',
    ],
  },
  { name: 'maxmemory-samples', kind: 'integer', initial: '5', min: 1n, max: INT_MAX },
  { name: 'maxmemory-eviction-tenacity', kind: 'integer', initial: '10', min: 0n, max: 100n },
  { name: 'lfu-log-factor', kind: 'integer', initial: '10', min: 0n, max: INT_MAX },
  { name: 'lfu-decay-time', kind: 'integer', initial: '1', min: 0n, max: INT_MAX },
  // Client-side caching: the most keys the tracking table holds (0: no limit); past it, random keys are
  // invalidated as if written (tracking/hub.ts limit).
  { name: 'tracking-table-max-keys', kind: 'integer', initial: '1000000', min: 0n, max: UINT_MAX },
  // Not a Redis name: our single hard cap on one client's pending output (0: no cap), in place of Redis's
  // three-class client-output-buffer-limit.
  {
    name: 'client-output-buffer-limit-bytes',
    kind: 'memory',
    initial: String(256n * MB),
    min: 0n,
    max: LONG_MAX,
  },
  // Not a Redis name either: the hard limit of Redis's pubsub class (client-output-buffer-limit pubsub 32mb):
  // a client in subscribed state whose pending output (replies and messages) passes it is disconnected, so a
  // subscriber that does not read never grows without bound. 0: no cap.
  {
    name: 'client-output-buffer-limit-pubsub-bytes',
    kind: 'memory',
    initial: String(32n * MB),
    min: 0n,
    max: LONG_MAX,
  },
  // Which keyspace events are published (notify.c): Redis's class letters, stored as given once valid; shown as
  // Redis prints its flags back (where 'A' hides 'n', which still applies).
  {
    name: 'notify-keyspace-events',
    kind: 'string',
    initial: '',
    refine: checkKeyspaceEvents,
    show: showKeyspaceEvents,
  },
  // Not a Redis name: how inline requests of a client that never sent RESP are answered. 'plain': plaintext
  // (docs/protocol.md); 'resp': in RESP, as Redis answers every request (health checkers send "PING\r\n" and
  // expect "+PONG"). A client that has sent a RESP request gets RESP either way (session.ts).
  { name: 'inline-replies', kind: 'enum', initial: 'plain', choices: ['plain', 'resp'] },
  // Redis's protected-command switch for DEBUG (server.c allowProtectedAction): 'no' refuses it, 'yes' allows
  // it, 'local' allows it from loopback connections only. Start-up only, as in Redis.
  {
    name: 'enable-debug-command',
    kind: 'enum',
    initial: 'no',
    choices: ['no', 'yes', 'local'],
    immutable: true,
  },
  // Redis's switch for CONFIG SET of the protected settings (dir, dbfilename): 'no', 'yes', or 'local' (from
  // loopback connections only). Start-up only, as in Redis.
  {
    name: 'enable-protected-configs',
    kind: 'enum',
    initial: 'no',
    choices: ['no', 'yes', 'local'],
    immutable: true,
  },
  // Reports the pool's worker count; 1 on the event loop.
  { name: 'io-threads', kind: 'integer', initial: '1', min: 1n, max: INT_MAX, immutable: true },
  // Redis allows up to INT_MAX; each database costs the store 1 KiB of fixed memory here (store/layout.ts).
  { name: 'databases', kind: 'integer', initial: '16', min: 1n, max: 16384n, immutable: true },
  // RDB persistence (rdb/persistence.ts). `dir` '' is the working directory (Redis's default dir is its own cwd
  // too, shown as a path); save points are off unless set, so a server started for tests or benchmarks never
  // writes into its working directory (Redis 7.0's default is "3600 1 300 100 60 10000").
  { name: 'dir', kind: 'string', initial: '', protected: true, show: (v) => (v === '' ? process.cwd() : v) },
  { name: 'dbfilename', kind: 'string', initial: 'dump.rdb', protected: true, refine: checkDbfilename },
  { name: 'save', kind: 'string', initial: '', refine: normaliseSavePoints, show: showSavePoints },
  { name: 'latency-tracking', kind: 'bool', initial: 'yes' },
  {
    name: 'latency-tracking-info-percentiles',
    kind: 'string',
    initial: '50 99 99.9',
    refine: normalisePercentiles,
  },
  { name: 'rdbcompression', kind: 'bool', initial: 'yes' },
  { name: 'rdbchecksum', kind: 'bool', initial: 'yes', immutable: true },
  { name: 'stop-writes-on-bgsave-error', kind: 'bool', initial: 'yes' },
  // Redis's hidden test knob: microseconds a SAVE or BGSAVE sleeps after each key (debug-delay.ts), so a test can
  // hold a save in progress; shared, so a CONFIG SET reaches a save running on another thread.
  {
    name: 'rdb-key-save-delay',
    kind: 'integer',
    initial: '0',
    min: -INT_MAX - 1n,
    max: INT_MAX,
    hidden: true,
  },
  // Redis's hidden rdb.c loading_process_events_interval_bytes: the load at start-up answers clients after each
  // step of this many bytes of the dump (server.ts runLoad).
  {
    name: 'loading-process-events-interval-bytes',
    kind: 'integer',
    initial: String(2 * 1024 * 1024),
    min: 1024n,
    max: INT_MAX,
    hidden: true,
  },
  // The append-only file (src/core/aof/), in `dir`. CONFIG SET appendonly reaches every thread through the
  // store's shared state (aof/aof-state.ts); turning it on starts the rewrite that writes the data so far.
  { name: 'appendonly', kind: 'bool', initial: 'no' },
  // Redis 7.0's multi-part file (aof/aof-files.ts): a directory in `dir` holding the manifest, the base and the
  // incremental files, all named after appendfilename. Both start-up only, and a name, not a path (as Redis).
  {
    name: 'appendfilename',
    kind: 'string',
    initial: 'appendonly.aof',
    immutable: true,
    refine: (value) => checkBaseName(value, "appendfilename can't be a path, just a filename"),
  },
  {
    name: 'appenddirname',
    kind: 'string',
    initial: 'appendonlydir',
    immutable: true,
    refine: (value) =>
      value === ''
        ? { error: "appenddirname can't be empty" }
        : checkBaseName(value, "appenddirname can't be a path, just a dirname"),
  },
  { name: 'appendfsync', kind: 'enum', initial: 'everysec', choices: ['everysec', 'always', 'no'] },
  { name: 'aof-load-truncated', kind: 'bool', initial: 'yes' },
  // yes: no fsync of the file while a rewrite or a BGSAVE runs (aof/aof-log.ts fsyncHeldBack), as Redis skips it
  // while a child does I/O: less latency, at the risk of what was written meanwhile.
  { name: 'no-appendfsync-on-rewrite', kind: 'bool', initial: 'no' },
  // A rewrite's base: an RDB (appendonly.aof.<n>.base.rdb), or with no the commands that rebuild the data
  // (<n>.base.aof, aof/rewrite-commands.ts), as Redis 7.0's rewriteAppendOnlyFileRio writes them.
  { name: 'aof-use-rdb-preamble', kind: 'bool', initial: 'yes' },
  // `#TS:<unix seconds>` annotations before a record whenever the second has moved since the last one
  // (aof/append-buffer.ts), and at the head of a base written as commands; the loader skips them.
  { name: 'aof-timestamp-enabled', kind: 'bool', initial: 'no' },
  // yes: the files a rewrite made history stay on disk, listed in the manifest as `type h` (aofDelHistoryFiles
  // skips); set back to no, they are deleted (the rewrite scheduler's next look).
  { name: 'aof-disable-auto-gc', kind: 'bool', initial: 'no' },
  // An fdatasync every 4 MB written (REDIS_AUTOSYNC_BYTES) while a rewrite writes its base or a save its dump
  // (incremental-sync.ts), so the kernel never holds a whole file of dirty pages for one sync at the end.
  { name: 'aof-rewrite-incremental-fsync', kind: 'bool', initial: 'yes' },
  { name: 'rdb-save-incremental-fsync', kind: 'bool', initial: 'yes' },
  // The automatic rewrite (aof/rewrite-scheduler.ts): once the file passes min-size and has grown by percentage%
  // since the last rewrite (0: never).
  { name: 'auto-aof-rewrite-percentage', kind: 'integer', initial: '100', min: 0n, max: INT_MAX },
  { name: 'auto-aof-rewrite-min-size', kind: 'memory', initial: String(64n * MB), min: 0n, max: LONG_MAX },
  // What SIGINT and SIGTERM's shutdown does (src/shutdown.ts): SHUTDOWN's flags, "default" for none.
  { name: 'shutdown-on-sigint', kind: 'string', initial: 'default', refine: normaliseShutdownOnSignal },
  { name: 'shutdown-on-sigterm', kind: 'string', initial: 'default', refine: normaliseShutdownOnSignal },
  // The slow log (slowlog/shared-slowlog.ts): microseconds (negative: off) and entries kept.
  { name: 'slowlog-log-slower-than', kind: 'integer', initial: '10000', min: -1n, max: LONG_MAX },
  { name: 'slowlog-max-len', kind: 'integer', initial: '128', min: 0n, max: LONG_MAX },
  // The latency monitor (latency/latency-monitor.ts): milliseconds, 0 off.
  { name: 'latency-monitor-threshold', kind: 'integer', initial: '0', min: 0n, max: LONG_MAX },
  // After this many ms a running script makes other clients' commands BUSY (SCRIPT KILL may stop it); 0: never.
  {
    name: 'busy-reply-threshold',
    alias: 'lua-time-limit',
    kind: 'integer',
    initial: '5000',
    min: 0n,
    max: LONG_MAX,
  },
];

const BY_NAME = new Map(
  SETTINGS.flatMap((s): [string, Setting][] =>
    s.alias === undefined
      ? [[s.name, s]]
      : [
          [s.name, s],
          [s.alias, s],
        ],
  ),
);

const MEMORY_UNITS: Record<string, bigint> = {
  '': 1n,
  b: 1n,
  k: 1000n,
  kb: 1024n,
  m: 1000n * 1000n,
  mb: 1024n * 1024n,
  g: 1000n * 1000n * 1000n,
  gb: 1024n * 1024n * 1024n,
};

/**
 * Redis's memtoull: no sign, digits (none reads 0), then an optional unit, case-insensitive (k = 1000,
 * kb = 1024, ...). As in C, the digits saturate at 2^64 - 1 (strtoull) and the product with the unit wraps.
 */
export function parseMemory(text: string): bigint | null {
  const match = /^([0-9]*)(.*)$/s.exec(text);
  if (match === null) return null;
  const [, digits, unitText] = match;
  const unit = MEMORY_UNITS[unitText.replace(/[A-Z]/g, (c) => c.toLowerCase())];
  if (unit === undefined || digits.length >= 128) return null; // memtoull's digit buffer holds 127
  const value = digits === '' ? 0n : BigInt(digits);
  return ((value > ULLONG_MAX ? ULLONG_MAX : value) * unit) & ULLONG_MAX;
}

/** Parses and bounds-checks one value; returns the value as CONFIG GET shows it, or Redis's error text. */
function validate(setting: Setting, raw: string): string | { error: string } {
  let value = raw;
  if (setting.kind === 'integer' || setting.kind === 'memory') {
    const n = setting.kind === 'memory' ? parseMemory(raw) : parseInt64(Buffer.from(raw, 'latin1'));
    if (n === null) {
      return {
        error:
          setting.kind === 'memory'
            ? 'argument must be a memory value'
            : "argument couldn't be parsed into an integer",
      };
    }
    if (n < (setting.min ?? 0n) || n > (setting.max ?? LONG_MAX)) {
      return {
        error: `argument must be between ${setting.min ?? 0n} and ${setting.max ?? LONG_MAX} inclusive`,
      };
    }
    value = String(n);
  } else if (setting.kind === 'bool') {
    const lower = raw.toLowerCase();
    if (lower !== 'yes' && lower !== 'no') return { error: "argument must be 'yes' or 'no'" };
    value = lower;
  } else if (setting.kind === 'enum') {
    // Redis's enumConfigSet: matched case-insensitively, stored as the choice's own spelling.
    const choices = setting.choices ?? [];
    const lower = raw.toLowerCase();
    if (!choices.includes(lower))
      return { error: `argument(s) must be one of the following: ${choices.join(', ')}` };
    value = lower;
  }
  return setting.refine === undefined ? value : setting.refine(value);
}

const unknownOption = (name: string) =>
  `ERR Unknown option or number of arguments for CONFIG SET - '${name}'`;
const setFailed = (name: string, why: string) =>
  `ERR CONFIG SET failed (possibly related to argument '${name}') - ${why}`;

/**
 * A start-up value Config refused (the constructor's failure; CONFIG SET answers a CommandError instead).
 * Structured so a caller can report it under its own name for the setting (startServer names its option).
 */
export class InvalidSettingError extends Error {
  readonly code = 'ERR_INVALID_SETTING';

  constructor(
    readonly setting: string,
    readonly value: string,
    readonly reason: string,
  ) {
    super(`invalid ${setting} '${value}': ${reason}`);
    this.name = 'InvalidSettingError';
  }
}

export class Config implements ConfigRegistry {
  private readonly values = new Map<string, string>();
  private readonly listeners: ((name: string, value: string) => void)[] = [];
  private readonly checks = new Map<string, (value: string) => string | null>();

  /**
   * Start-up values (from the CLI): validated like CONFIG SET, read-only ones included. Throws
   * InvalidSettingError for a refused value, Error for an unknown name (a caller's bug).
   */
  constructor(initial: Partial<Record<string, string>> = {}) {
    for (const s of SETTINGS) this.values.set(s.name, s.initial);
    for (const [name, raw] of Object.entries(initial)) {
      if (raw === undefined) continue;
      const setting = BY_NAME.get(name.toLowerCase());
      if (setting === undefined) throw new Error(`unknown setting '${name}'`);
      const checked = validate(setting, raw);
      if (typeof checked !== 'string') throw new InvalidSettingError(setting.name, raw, checked.error);
      this.values.set(setting.name, checked);
    }
  }

  /** The current value; `name` must be a known setting (a typo is a bug, so it throws). */
  string(name: string): string {
    const value = this.values.get(name);
    if (value === undefined) throw new Error(`unknown setting '${name}'`);
    return value;
  }

  number(name: string): number {
    return Number(this.string(name));
  }

  /**
   * CONFIG GET for one pattern, matched case-insensitively. A name without glob characters is looked up
   * directly and, as in Redis 7's configGetCommand, answered under the name as the client typed it.
   */
  get(pattern: string): [string, string][] {
    if (!/[*?[]/.test(pattern)) {
      const setting = BY_NAME.get(pattern.toLowerCase());
      return setting === undefined ? [] : [[pattern, this.shown(setting)]];
    }
    const p = Buffer.from(pattern, 'latin1');
    const matches = (name: string) => globMatch(p, Buffer.from(name, 'latin1'), true);
    const found: [string, string][] = [];
    for (const s of SETTINGS) {
      if (s.hidden === true) continue;
      if (matches(s.name)) found.push([s.name, this.shown(s)]);
      if (s.alias !== undefined && matches(s.alias)) found.push([s.alias, this.shown(s)]);
    }
    return found;
  }

  private shown(setting: Setting): string {
    const value = this.string(setting.name);
    return setting.show === undefined ? value : setting.show(value);
  }

  set(name: string, value: string): void {
    this.setMany([[name, value]]);
  }

  /**
   * CONFIG SET with several pairs, all or nothing, with Redis 7's precedence: the first unknown, read-only,
   * protected (unless `protectedAllowed`: the client may, by enable-protected-configs) or repeated name is
   * reported before any value is looked at; then the first invalid value. Listeners hear of
   * each change only once every value has been accepted.
   */
  setMany(pairs: readonly (readonly [string, string])[], protectedAllowed = true): void {
    const settings: Setting[] = [];
    /** The names as given, lower case: Redis finds a duplicate by name, so a setting and its alias may both come. */
    const given: string[] = [];
    for (const [name] of pairs) {
      const lower = name.toLowerCase();
      const setting = BY_NAME.get(lower);
      if (setting === undefined) throw new CommandError(unknownOption(name));
      if (setting.immutable === true) throw new CommandError(setFailed(name, "can't set immutable config"));
      if (setting.protected === true && !protectedAllowed) {
        throw new CommandError(setFailed(name, "can't set protected config"));
      }
      if (given.includes(lower)) throw new CommandError(setFailed(name, 'duplicate parameter'));
      settings.push(setting);
      given.push(lower);
    }
    const accepted = settings.map((setting, i) => {
      // An error names the alias when the alias was given (config.c reports the argument's own name).
      const named = given[i] === setting.alias ? setting.alias : setting.name;
      const checked = validate(setting, pairs[i][1]);
      if (typeof checked !== 'string') throw new CommandError(setFailed(named, checked.error));
      const refused = this.checks.get(setting.name)?.(checked);
      if (refused != null) throw new CommandError(setFailed(named, refused));
      return checked;
    });
    settings.forEach((setting, i) => this.values.set(setting.name, accepted[i]));
    for (const [i, setting] of settings.entries()) {
      for (const listener of this.listeners) listener(setting.name, accepted[i]);
    }
  }

  /** Called after every successful set(), with the value as stored (e.g. "1048576" for "1mb"). */
  onChange(listener: (name: string, value: string) => void): void {
    this.listeners.push(listener);
  }

  /**
   * An extra rule a server component puts on a setting (e.g. maxclients against the descriptor limit): it
   * returns an error text, reported as "CONFIG SET failed ... - <text>", or null to accept.
   */
  addCheck(name: string, check: (value: string) => string | null): void {
    this.string(name);
    this.checks.set(name, check);
  }

  /**
   * Sets a value already accepted elsewhere (another thread's CONFIG SET, or the server lowering maxclients
   * at start-up): no validation, no listeners, read-only settings included.
   */
  apply(name: string, value: string): void {
    this.string(name);
    this.values.set(name, value);
  }

  snapshot(): Record<string, string> {
    return Object.fromEntries(this.values);
  }
}

/** The parser's limits as Redis has them: inline and multibulk counts are fixed, the bulk limit a setting. */
export function limitsFromConfig(config: Config): ParserLimits {
  return {
    inlineMax: 64 * 1024,
    multibulkMax: 1024 * 1024,
    bulkMax: config.number('proto-max-bulk-len'),
  };
}
