// One EVAL's or FCALL's run (script.c scriptPrepareForRun, scriptCall; script_lua.c luaCallFunction): the script's
// commands go through the executor's call(), synchronously, as a client of the script's own (Redis's Lua
// client: RESP2 until redis.setresp, the caller's database, never blocking), with the checks Redis makes of a
// command called from a script. The whole run is one atomic unit as EXEC is: it holds every segment's lock
// (its keys need not be declared), and its writes reach the append-only file as one MULTI ... EXEC block.
// Knows the executor, the store's transaction and the interpreter's host contract; nothing of sockets.

import { aclDenial, deniedInScript } from '../acl/enforce.js';
import type { ClientState, CommandContext, CommandSpec } from '../command.js';
import { ClientContexts } from '../command-context.js';
import { ERR } from '../errors.js';
import { call } from '../executor.js';
import { refusedForMemory } from '../memory-limit.js';
import { diskErrorRefusal } from '../disk-error.js';
import { encodeReply } from '../reply-encoding.js';
import {
  array,
  bigNumber,
  boolean,
  bulk,
  double,
  error,
  integer,
  map,
  NIL,
  set,
  status,
  type Reply,
} from '../reply.js';
import type { KeyValueStore } from '../store/types.js';
import { Transaction } from '../transaction.js';
import { type LuaHost, type LuaReply, type LuaWatch, unpackArgv } from './lua-addon.js';
import { BUSY_SHUTDOWN, BUSY_TIMED_OUT } from './script-busy.js';
import { scriptSha } from './script-cache.js';
import type { Scripting } from './scripting.js';

export interface ScriptRunOptions {
  /** EVAL_RO / EVALSHA_RO, or a script whose shebang says no-writes: write commands are refused. */
  readonly readOnly: boolean;
  /** The shebang's allow-oom: commands that may grow memory run even over maxmemory. */
  readonly allowOom: boolean;
  /** The keys the script was given (KEYS): a read it makes has a tracking caller track them (client-side caching). */
  readonly keys: readonly Buffer[];
  /** What the slow-script warning names: EVAL's sha, or FCALL's function. */
  readonly name: string;
  /** FCALL: FUNCTION KILL stops it, not SCRIPT KILL, and BUSY says so. */
  readonly isFunction: boolean;
}

/**
 * Runs a script for the caller in `ctx` (`invoke` starts it in its interpreter: EVAL's script or a function, with
 * the host its commands go through and the watch its engine keeps) and converts what it returned to the caller's
 * reply. The run is marked in the shared busy word (script-busy.ts) once it holds every segment's lock, so other
 * threads' commands wait for it at the executor's check, or answer BUSY once it timed out (busy-gate.ts), instead
 * of blocking on the locks it holds. Marked under the locks, never before: a script that held the word while it
 * waited for the locks of an EXEC whose own script then waited for the word would wait for ever.
 */
export function runScript(
  scripting: Scripting,
  invoke: (host: LuaHost, watch: LuaWatch) => LuaReply,
  ctx: CommandContext,
  options: ScriptRunOptions,
): Reply {
  const busy = scripting.cache.busy;
  const work = (store: KeyValueStore): Reply => {
    // Every script runs holding every segment's lock, so none other can hold the word now.
    if (!busy.begin(options.isFunction)) throw new Error('the busy word is held by another script');
    scripting.heldStore = store;
    try {
      return workMarked(store);
    } finally {
      scripting.heldStore = null;
      const timedOut = (busy.state() & BUSY_TIMED_OUT) !== 0;
      busy.end();
      if (timedOut) {
        scripting.busyChanged?.(false);
        scripting.held.releaseAll(); // the commands read meanwhile that wait for its end
      }
    }
  };
  const workMarked = (store: KeyValueStore): Reply => {
    const aof = ctx.server.aof;
    // Inside EXEC the transaction's block is open already and EXEC holds every segment (transaction.ts keysOf).
    const nested = ctx.client.transaction.executing;
    if (!nested) aof?.beginTransaction();
    let killedForShutdown = false;
    try {
      const run = new ScriptCalls(store, ctx, options, scripting);
      // Client-side caching: a read the script makes has the caller track the keys the script declared.
      const tracking = ctx.server.tracking;
      const outer = tracking?.scriptCaller ?? null;
      if (tracking !== undefined) tracking.scriptCaller = { client: ctx.client, keys: options.keys };
      let reply: LuaReply;
      try {
        reply = invoke(run.host, { word: busy.word, thresholdMs: busy.thresholdMs() });
      } finally {
        if (tracking !== undefined) tracking.scriptCaller = outer;
      }
      killedForShutdown = (busy.state() & BUSY_SHUTDOWN) !== 0;
      if (!killedForShutdown) return toReply(reply);
      // Redis exits inside the script: its caller gets no reply, only the end of the connection.
      ctx.client.closeAfterReply = true;
      return NO_REPLY;
    } finally {
      // SHUTDOWN NOSAVE stopped it half done: Redis exits without propagating a script cut short.
      if (!nested) {
        if (killedForShutdown) aof?.discardTransaction();
        else aof?.endTransaction();
      }
    }
  };
  return ctx.client.transaction.executing ? work(ctx.store) : ctx.store.transaction(null, work);
}

/** Nothing written back (SHUTDOWN's own reply is the same: the connection just closes). */
const NO_REPLY: Reply = { kind: 'sequence', value: [] };

/** script_lua.c luaMaskCountHook's error: the engine adds the script and line to it. */
const KILLED = 'ERR Script killed by user with SCRIPT KILL...';

/**
 * PUBLISH and SPUBLISH are CMD_MAY_REPLICATE in Redis 7.0.15 (a read-only script may not call them), without the
 * flag here, which would send them down the executor's write path (every segment's lock with the AOF on).
 */
const PUBLISHES = new Set(['publish', 'spublish']);

/** The Lua client Redis runs a script's commands as: the caller's database, its own RESP version. */
function scriptClient(caller: ClientState): ClientState {
  return {
    id: caller.id,
    addr: 'lua', // MONITOR shows a script's commands as [db lua]
    peerId: '?:0', // and the slow log as a client without a connection
    laddr: caller.laddr,
    name: '',
    db: caller.db,
    authenticated: true,
    // Its commands are checked against the caller's user, as Redis's script client takes the caller's c->user.
    user: caller.user,
    userIncarnation: caller.userIncarnation,
    aclUnrestricted: caller.aclUnrestricted,
    resp: 2,
    transaction: new Transaction(),
    closeAfterReply: false,
    lastCommand: '',
    createdAt: caller.createdAt,
    lastInteraction: caller.lastInteraction,
  };
}

class ScriptCalls {
  private readonly contexts: ClientContexts;
  private readonly client: ClientState;
  /** A write ran (SCRIPT_WRITE_DIRTY): later writes are no longer refused for MISCONF or OOM. */
  private dirty = false;
  readonly host: LuaHost;

  constructor(
    store: KeyValueStore,
    private readonly caller: CommandContext,
    private readonly options: ScriptRunOptions,
    private readonly scripting: Scripting,
  ) {
    this.client = scriptClient(caller.client);
    this.contexts = new ClientContexts(store, this.client, caller.server);
    this.host = {
      call: (packed, resp) => this.call(unpackArgv(packed), resp),
      log: (level, message) => this.log(level, message),
      sha1hex: (data) => scriptSha(data),
      // One user here, Redis's default: every command it has is allowed.
      commandExists: (name, subcommand) =>
        lookup(subcommand === null ? [name] : [name, subcommand], (n) => caller.server.commands.lookup(n)) !==
        undefined,
      timedOut: (ms) => this.timedOut(ms),
    };
  }

  /** script.c scriptInterrupt's warning, then the threads waiting for the script wake to answer BUSY. */
  private timedOut(ms: number): void {
    this.scripting.log(
      'warn',
      `Slow script detected: still in execution after ${ms} milliseconds. You can try killing the script ` +
        `using the ${this.options.isFunction ? 'FUNCTION' : 'SCRIPT'} KILL command. Script name is: ` +
        `${this.options.name}.`,
    );
    this.scripting.cache.busy.timedOut();
    this.scripting.busyChanged?.(true);
    // Only now: a script that ends before the threshold pays nothing for it (the engine looks it up at each hook).
    if (this.scripting.serveWhileBusy !== null) this.host.whileBusy = () => this.whileBusy();
  }

  /** Past the threshold, every hook: the transport may serve its clients now (Scripting.whileBusy). */
  private whileBusy(): void {
    const tracking = this.caller.server.tracking;
    this.scripting.whileBusy(tracking === undefined ? (serve) => serve() : (serve) => tracking.nested(serve));
  }

  private call(argv: Buffer[], resp: 2 | 3): Buffer {
    this.client.resp = resp;
    const reply = this.run(argv);
    // This thread's writer: one script runs at a time, and the interpreter reads each reply before the next call.
    const writer = this.scripting.replyWriter;
    encodeReply(reply, resp === 3 ? 'resp3' : 'resp2', writer);
    return writer.lend(); // read by the interpreter before this returns to Lua: no copy needed
  }

  private run(argv: Buffer[]): Reply {
    const server = this.caller.server;
    const spec = lookup(argv, server.commands.lookup.bind(server.commands));
    if (spec === undefined) return this.refuse(null, 'ERR Unknown Redis command called from script');
    if (!arityOk(spec.arity, argv.length)) {
      return this.refuse(spec, 'ERR Wrong number of args calling Redis command from script');
    }
    if (spec.flags.includes('noscript')) {
      return this.refuse(spec, 'ERR This Redis command is not allowed from script');
    }
    if (!this.client.aclUnrestricted) {
      const denial = aclDenial(this.contexts.current(), spec, argv, 'lua', this.caller);
      if (denial !== null) return this.refuse(spec, deniedInScript(denial));
    }
    const write = spec.flags.includes('write');
    // script.c: a command that may replicate (PFCOUNT's cache write) counts as a write in a read-only script.
    if (
      this.options.readOnly &&
      (write || spec.flags.includes('may_replicate') || PUBLISHES.has(spec.name))
    ) {
      return this.refuse(spec, 'ERR Write commands are not allowed from read-only scripts.');
    }
    const ctx = this.contexts.current();
    // script.c scriptVerifyWriteCommandAllow: refused as processCommand refuses it, until the script has written.
    const refusal = write && !this.dirty ? diskErrorRefusal(server) : null;
    if (refusal !== null) return this.refuse(spec, refusal);
    if (
      !this.options.allowOom &&
      !this.dirty &&
      spec.flags.includes('denyoom') &&
      refusedForMemory(ctx, spec)
    ) {
      return this.refuse(spec, ERR.oom);
    }
    if (write) {
      // A SCRIPT KILL that won before this first write stops the script here (its hook raises the same error).
      if (!this.dirty && !this.scripting.cache.busy.markDirty()) return error(KILLED);
      this.dirty = true;
    }
    return call(spec, argv, ctx);
  }

  /** A command refused before it ran: counted as Redis's rejectCommand counts it. */
  private refuse(spec: CommandSpec | null, message: string): Reply {
    const counters = this.caller.server.counters;
    if (spec !== null) counters?.commandRejected(this.caller.server.commands.slotOf(spec));
    counters?.errorReplied(message);
    return error(message);
  }

  /** redis.log: Redis's levels 0-3 (debug, verbose, notice, warning) on the server's log. */
  private log(level: number, message: string): void {
    this.scripting.log(level >= 3 ? 'warn' : level === 2 ? 'info' : 'debug', message);
  }
}

/** The command argv names, a subcommand for a container (server.c lookupCommand); undefined when unknown. */
function lookup(argv: Buffer[], byName: (name: string) => CommandSpec | undefined): CommandSpec | undefined {
  const name = argv[0].toString('latin1').toLowerCase();
  if (name.includes('|')) return undefined;
  const spec = byName(name);
  if (spec?.subcommands === undefined || argv.length < 2) return spec;
  return byName(`${name}|${argv[1].toString('latin1').toLowerCase()}`);
}

function arityOk(arity: number, argc: number): boolean {
  return arity >= 0 ? argc === arity : argc >= -arity;
}

/** What the script returned, as the caller's reply (script_lua.c luaReplyToRedisReply's kinds). */
export function toReply(value: LuaReply): Reply {
  if (value === null) return NIL;
  if (Buffer.isBuffer(value)) return bulk(value);
  if (typeof value === 'number' || typeof value === 'bigint') return integer(value);
  if (typeof value === 'boolean') return boolean(value);
  if (Array.isArray(value)) return array(value.map(toReply));
  if ('err' in value)
    return value.counted === true ? { kind: 'error', value: value.err, counted: true } : error(value.err);
  if ('ok' in value) return status(value.ok);
  if ('double' in value) return double(value.double);
  if ('big' in value)
    return /^-?\d+$/.test(value.big) ? bigNumber(BigInt(value.big)) : bulk(Buffer.from(value.big));
  if ('verbatim' in value) return { kind: 'verbatim', value: value.verbatim, format: value.format };
  if ('map' in value) {
    const pairs: [Reply, Reply][] = [];
    for (let i = 0; i + 1 < value.map.length; i += 2)
      pairs.push([toReply(value.map[i]), toReply(value.map[i + 1])]);
    return map(pairs);
  }
  return set(value.set.map(toReply));
}
