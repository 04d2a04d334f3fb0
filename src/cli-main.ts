// The redis-lite command's body, started by src/cli.ts once V8 is set up: options (flags or REDIS_LITE_* environment
// variables) -> startServer(); signals and exit codes. SIGINT/SIGTERM close gracefully, their final save as
// shutdown-on-sigint / shutdown-on-sigterm say, and exit 0 (1 if that save failed without force), as does a
// SHUTDOWN that saved (the routine is the server's, src/shutdown.ts); a second signal exits at once with 128+signal
// (130 for SIGINT, 143 for SIGTERM); a bad option or value prints the usage error on stderr and exits 1; a
// start-up failure (port in use, permission) logs one line and exits 1. Everything else is the server's business (src/server.ts).

import yargs, { type Options } from 'yargs';
import { hideBin } from 'yargs/helpers';
import type { Logger } from 'pino';
import { createLogger, LOG_LEVELS, type LogFormat } from './logger.js';
import {
  DEFAULT_OPTIONS,
  InvalidOptionError,
  packageVersion,
  startServer,
  TransportUnavailableError,
  type RunningServer,
} from './server.js';

const SIGNAL_EXIT_CODES = { SIGINT: 130, SIGTERM: 143 } as const;
const ENV_PREFIX = 'REDIS_LITE';

/** A mistake in the command line or the REDIS_LITE_* variables: answered with the usage line and exit 1. */
class UsageError extends Error {
  readonly code = 'ERR_USAGE';
  override name = 'UsageError';
}

function exitWithUsageError(text: string): never {
  process.stderr.write(`redis-lite: ${text}\n`);
  process.stderr.write('Run redis-lite --help for the options.\n');
  process.exit(1);
}

const kebab = (name: string): string => name.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
const camel = (name: string): string => name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

/**
 * The names in the parsed arguments that are no option, each as the user wrote it: an option, or a REDIS_LITE_*
 * variable. yargs keys each unknown once per spelling (--bogus-opt as bogus-opt and bogusOpt; REDIS_LITE_FOO_BAR
 * as fooBar), so they are folded to one. (Its camelCase expansion stays on: it is how REDIS_LITE_LOG_LEVEL
 * reaches --log-level.) Done here rather than by yargs's strict mode, whose report is text for people only.
 */
function unknownArguments(argv: Record<string, unknown>, known: readonly string[]): string[] {
  const allowed = new Set(['_', '$0', 'help', 'h', 'version', ...known, ...known.map(camel)]);
  const unknown = [
    ...new Set(
      Object.keys(argv)
        .filter((key) => !allowed.has(key))
        .map(kebab),
    ),
  ].map((name) => {
    const variable = `${ENV_PREFIX}_${name.toUpperCase().replace(/-/g, '_')}`;
    return variable in process.env ? `unknown environment variable ${variable}` : `unknown option --${name}`;
  });
  const positional = (argv._ as unknown[]).map((word) => `unexpected argument '${String(word)}'`);
  return [...unknown, ...positional];
}

/**
 * A value outside an option's choices as the one-line usage error every other bad value gets (yargs's own
 * report of it spans several lines). Runs before yargs's choices check, which stays for --help's listing.
 */
function choiceCheckers(options: Record<string, Options>): Record<string, (value: unknown) => unknown> {
  const checkers: Record<string, (value: unknown) => unknown> = {};
  for (const [name, option] of Object.entries(options)) {
    const choices = option.choices as readonly unknown[] | undefined;
    if (choices === undefined) continue;
    checkers[name] = (value) => {
      if (choices.includes(value)) return value;
      throw new UsageError(`invalid --${name} '${String(value)}': must be one of ${choices.join(', ')}`);
    };
  }
  return checkers;
}

/**
 * Settings given at start-up under their CONFIG names, as redis-server takes them (`--maxmemory 100mb`): checked
 * as CONFIG SET checks them, a bad value being a usage error like any other.
 */
const CONFIG_FLAGS = {
  maxmemory: { type: 'string', describe: 'Cap on the store (maxmemory; 0: none), e.g. 100mb' },
  'maxmemory-policy': {
    type: 'string',
    describe: 'What goes past maxmemory: noeviction, allkeys-lru, allkeys-lfu, allkeys-random, volatile-...',
  },
  'maxmemory-samples': { type: 'string', describe: 'Keys sampled per eviction (maxmemory-samples, 5)' },
  'hll-sparse-max-bytes': {
    type: 'string',
    describe: 'A sparse HyperLogLog past this many bytes becomes dense (3000), e.g. 3kb',
  },
  appendonly: {
    type: 'string',
    describe: 'yes: log every write to the append-only file and replay it at start-up',
  },
  appendfsync: {
    type: 'string',
    describe: 'When the append-only file reaches the disk: always, everysec, no',
  },
  'shutdown-on-sigterm': {
    type: 'string',
    describe: 'SIGTERM shuts down as SHUTDOWN with these: default, or save|nosave, now, force ("nosave now")',
  },
  'shutdown-on-sigint': {
    type: 'string',
    describe: 'SIGINT shuts down as SHUTDOWN with these (as --shutdown-on-sigterm)',
  },
  appendfilename: {
    type: 'string',
    describe:
      "The append-only files' names start with this (appendonly.aof): <name>.manifest, <name>.1.base.rdb, ...",
  },
  appenddirname: {
    type: 'string',
    describe: 'The directory in --dir that holds the append-only files (appendonlydir), as Redis 7',
  },
  'aof-load-truncated': { type: 'string', describe: 'yes: load a file whose last command was cut short' },
  'no-appendfsync-on-rewrite': {
    type: 'string',
    describe: 'yes: no fsync of the append-only file while a rewrite or a BGSAVE runs',
  },
  'aof-use-rdb-preamble': {
    type: 'string',
    describe: "yes: a rewrite's base is an RDB (<name>.<n>.base.rdb); no: commands (<name>.<n>.base.aof)",
  },
  'aof-timestamp-enabled': {
    type: 'string',
    describe: 'yes: write #TS:<unix seconds> annotations into the append-only file as the second moves',
  },
  'aof-disable-auto-gc': {
    type: 'string',
    describe: 'yes: keep the files a rewrite replaced (listed as history in the manifest)',
  },
  'aof-rewrite-incremental-fsync': {
    type: 'string',
    describe: "yes: a rewrite's base is fsynced every 4 MB written",
  },
  'rdb-save-incremental-fsync': {
    type: 'string',
    describe: 'yes: a save of the dump is fsynced every 4 MB written',
  },
  'auto-aof-rewrite-percentage': {
    type: 'string',
    describe: 'Rewrite the append-only file once it grew by this % since the last rewrite (100; 0: never)',
  },
  'auto-aof-rewrite-min-size': {
    type: 'string',
    describe: '... and is larger than this (64mb)',
  },
  'busy-reply-threshold': {
    type: 'string',
    describe: 'ms a script runs before other clients get BUSY and SCRIPT KILL may stop it (5000; 0: never)',
  },
  'lua-time-limit': { type: 'string', describe: 'The old name of --busy-reply-threshold' },
  aclfile: {
    type: 'string',
    describe: 'The ACL file: users loaded from it at start-up, by ACL LOAD, and written by ACL SAVE',
  },
  'acl-pubsub-default': {
    type: 'string',
    describe: 'The channels a new ACL user starts with: resetchannels (none, the default) or allchannels',
  },
  'loading-process-events-interval-bytes': {
    type: 'string',
    describe: 'Loading the dump at start-up answers clients after each step of this many bytes (2097152)',
  },
} as const satisfies Record<string, Options>;

/** The CONFIG_FLAGS given on the command line, as config settings. */
function configFlagValues(args: Record<string, unknown>): Record<string, string> {
  const values: Record<string, string> = {};
  for (const name of Object.keys(CONFIG_FLAGS)) {
    if (args[name] !== undefined) values[name] = String(args[name]);
  }
  return values;
}

function parseArguments(argv: string[]) {
  const d = DEFAULT_OPTIONS;
  const options = {
    host: { type: 'string', default: d.host, describe: 'Address to listen on' },
    port: {
      type: 'number',
      default: d.port,
      describe: 'TCP port (0: any free port, logged at start-up)',
    },
    transport: {
      choices: ['eventloop', 'pool', 'hybrid'] as const,
      default: d.transport,
      describe:
        'eventloop: one non-blocking loop; pool: one blocked worker thread per client; hybrid: a pool of event loops',
    },
    workers: {
      type: 'number',
      describe: `Worker threads (pool: the most, started on demand, default ${d.workers}; hybrid: loop threads, default the number of cores)`,
    },
    'min-spare-workers': {
      type: 'number',
      describe: 'Pool: idle workers kept ready ahead of clients (default 2)',
    },
    'worker-idle-timeout': {
      type: 'number',
      describe:
        'Pool: retire a worker idle this many seconds while more than the spare ones idle (default 30; 0: never)',
    },
    backlog: { type: 'number', default: d.backlog, describe: 'Listen backlog (tcp-backlog)' },
    maxclients: { type: 'number', default: d.maxclients, describe: 'Most clients connected at once' },
    timeout: {
      type: 'number',
      default: d.timeout,
      describe: 'Close clients idle this many seconds (0: never)',
    },
    requirepass: { type: 'string', default: d.requirepass, describe: 'Password clients must AUTH with' },
    user: {
      type: 'string',
      array: true,
      describe:
        'An ACL user, as redis.conf\'s user directive: --user "alice on >secret ~app:* +@all" (repeatable)',
    },
    databases: {
      type: 'number',
      default: d.databases,
      describe: 'Number of databases (SELECT 0 .. N-1; at most 16384)',
    },
    'inline-replies': {
      choices: ['plain', 'resp'] as const,
      default: d.inlineReplies,
      describe:
        'Replies to inline requests of clients that never sent RESP: plaintext, or RESP as Redis (health checks)',
    },
    'enable-debug-command': {
      choices: ['no', 'yes', 'local'] as const,
      default: 'no',
      describe: 'Allow DEBUG: no, yes, or local (from loopback clients only), as Redis',
    },
    'enable-protected-configs': {
      choices: ['no', 'yes', 'local'] as const,
      default: 'no',
      describe: 'Allow CONFIG SET of dir and dbfilename: no, yes, or local (loopback clients only), as Redis',
    },
    ...CONFIG_FLAGS,
    'http-port': {
      type: 'number',
      describe: 'Serve HTTP on this port too: Webdis URLs (/GET/key), /metrics, /healthz (default: off)',
    },
    'http-host': { type: 'string', describe: 'Address the HTTP port listens on (default: --host)' },
    dir: {
      type: 'string',
      describe: 'Directory of the RDB dump and the append-only file (default: the working directory)',
    },
    dbfilename: { type: 'string', describe: 'File name of the RDB dump (default dump.rdb)' },
    save: {
      type: 'string',
      describe: 'RDB save points "<seconds> <changes> ...", e.g. "3600 1 300 100 60 10000" (default: none)',
    },
    rdbcompression: { choices: ['yes', 'no'] as const, describe: 'LZF-compress strings in the dump (yes)' },
    rdbchecksum: { choices: ['yes', 'no'] as const, describe: 'CRC-64 the dump, check it on load (yes)' },
    'stop-writes-on-bgsave-error': {
      choices: ['yes', 'no'] as const,
      describe: 'Refuse writes (MISCONF) after a failed background save while save points are set (yes)',
    },
    'log-level': { choices: LOG_LEVELS, default: d.logLevel, describe: 'Log level' },
    'log-format': { choices: ['json', 'pretty'] as const, default: d.logFormat, describe: 'Log format' },
  } as const satisfies Record<string, Options>;
  return (
    yargs(argv)
      .scriptName('redis-lite')
      .usage(
        '$0 [options]\n\nA Redis-like in-memory key-value server (RESP2, RESP3 and plaintext on one port).',
      )
      .env(ENV_PREFIX)
      .options(options)
      // Typed as naming no option: each checker returns its value unchanged, so the parsed types stay.
      .coerce(choiceCheckers(options) as Record<never, (value: unknown) => unknown>)
      // Every option takes a value: a bare `--port` is an error, not the default port taken silently.
      .requiresArg(Object.keys(options))
      .epilogue('Every option can also be set as an environment variable, e.g. REDIS_LITE_PORT=6380.')
      .check((argv) => {
        const unknown = unknownArguments(argv, Object.keys(options));
        if (unknown.length > 0) throw new UsageError(unknown.join('; '));
        return true;
      })
      .version(packageVersion())
      .alias('h', 'help')
      .help()
      .fail((message: string | undefined, error: Error | undefined) => {
        // yargs reports its own usage errors (a missing value, a value not among the choices) as a message or a
        // YError, and ours as the UsageError thrown; anything else is a bug, with its stack.
        if (
          error !== undefined &&
          error !== null &&
          !(error instanceof UsageError) &&
          error.name !== 'YError'
        )
          throw error;
        exitWithUsageError(message ?? error?.message ?? 'invalid arguments');
      })
      .parseSync()
  );
}

/** One clear line for the failures a user can fix; anything else gets its stack. */
function describeStartupError(error: unknown, host: string, port: number): { msg: string; code?: string } {
  const e = error as NodeJS.ErrnoException & { address?: string; port?: number };
  // A listen error names its own address: the HTTP port's, when that is the one that failed.
  if (typeof e.port === 'number') port = e.port;
  if (typeof e.address === 'string') host = e.address;
  if (e.code === 'EADDRINUSE')
    return { msg: `cannot listen on ${host}:${port}: address already in use`, code: e.code };
  if (e.code === 'EACCES')
    return { msg: `cannot listen on ${host}:${port}: permission denied`, code: e.code };
  if (e.code === 'EADDRNOTAVAIL') {
    return { msg: `cannot listen on ${host}:${port}: address not available on this machine`, code: e.code };
  }
  if (error instanceof TransportUnavailableError) return { msg: error.message };
  return { msg: `cannot start: ${e instanceof Error ? e.message : String(error)}`, code: e.code };
}

/**
 * Installed before the server starts, so no signal finds Node's default handler (which would kill the process
 * without a graceful close). A signal during start-up closes the server as soon as it is up.
 */
function handleSignals(logger: Logger): (server: RunningServer) => void {
  let server: RunningServer | null = null;
  /** The first signal received: its shutdown-on-<signal> setting decides the final save. */
  let first: keyof typeof SIGNAL_EXIT_CODES | null = null;
  const shutDown = (running: RunningServer, signal: keyof typeof SIGNAL_EXIT_CODES): void => {
    running.closeOnSignal(signal).then(
      () => {
        logger.info('shut down; bye');
        process.exit(0);
      },
      (e: unknown) => {
        logger.error({ err: e }, 'error while shutting down');
        process.exit(1);
      },
    );
  };
  const onSignal = (signal: keyof typeof SIGNAL_EXIT_CODES): void => {
    if (first !== null) {
      logger.warn({ signal }, 'second signal: exiting now');
      server?.abort();
      process.exit(SIGNAL_EXIT_CODES[signal]);
    }
    first = signal;
    logger.info({ signal }, 'shutting down: finishing requests already received');
    if (server !== null) shutDown(server, signal);
  };
  process.on('SIGINT', () => onSignal('SIGINT'));
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  return (started) => {
    server = started;
    if (first !== null) shutDown(started, first);
  };
}

/** The RDB settings given on the command line, under their Redis names (absent ones keep their defaults). */
function persistenceSettings(args: Record<string, unknown>): Record<string, string> {
  const names = ['dir', 'dbfilename', 'save', 'rdbcompression', 'rdbchecksum', 'stop-writes-on-bgsave-error'];
  const out: Record<string, string> = {};
  for (const name of names) if (typeof args[name] === 'string') out[name] = args[name];
  return out;
}

/** Runs the command; `youngGenerationHeld` says what src/cli.ts did to V8 (logged in the start-up line). */
export async function main(youngGenerationHeld: boolean): Promise<void> {
  const args = parseArguments(hideBin(process.argv));
  const logger = createLogger({ level: args['log-level'], format: args['log-format'] as LogFormat });
  const started = handleSignals(logger);
  let server: RunningServer;
  try {
    server = await startServer({
      host: args.host,
      port: args.port,
      transport: args.transport,
      workers: args.workers,
      minSpareWorkers: args['min-spare-workers'],
      workerIdleTimeout: args['worker-idle-timeout'],
      backlog: args.backlog,
      maxclients: args.maxclients,
      timeout: args.timeout,
      requirepass: args.requirepass,
      users: (args.user ?? []).map(String),
      databases: args.databases,
      inlineReplies: args['inline-replies'],
      httpPort: args['http-port'],
      httpHost: args['http-host'],
      config: {
        'enable-debug-command': args['enable-debug-command'],
        'enable-protected-configs': args['enable-protected-configs'],
        ...persistenceSettings(args),
        ...configFlagValues(args),
      },
      logger,
      readyDetails: { youngGenerationHeld },
      // SHUTDOWN has saved what it should and dropped every client: exit as redis-server does.
      onShutdown: () => process.exit(0),
      // A write or sync of the append-only file failed under appendfsync always: exit 1, as redis-server does.
      onFatal: () => process.exit(1),
    });
  } catch (e) {
    // A value the server refused is a usage error like any other the user can fix on the command line.
    if (e instanceof InvalidOptionError) {
      const value = e.value === undefined ? '' : ` '${e.value}'`;
      exitWithUsageError(`invalid --${kebab(e.option)}${value}: ${e.reason}`);
    }
    const { msg, code } = describeStartupError(e, args.host, args.port);
    logger.fatal(code === undefined ? {} : { code }, msg);
    process.exit(1);
  }
  started(server);
}
