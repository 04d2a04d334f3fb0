// Loads EVAL's Lua 5.1 interpreter, the native addon build/Release/luaengine.node (native/lua-engine.c), from a
// package root, and says why not when it cannot: node-gyp builds it only where Lua 5.1's headers are installed
// (Debian: liblua5.1-0-dev), and a server without it runs, answering EVAL with an error. Loaded once per root
// and thread (each worker thread loads its own copy of the module). Knows nothing of commands.

import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

/** A Lua state, owned by the thread that created it. */
export type LuaState = { readonly __brand: 'LuaState' };

/**
 * What a script returned, converted as Redis converts it (script_lua.c luaReplyToRedisReply): a Buffer is a
 * bulk string, a number or bigint an integer, a boolean (RESP3 scripts) a boolean, null a null, an array an
 * array; the objects are the tables Redis reads by field.
 */
export type LuaReply =
  | Buffer
  | number
  | bigint
  | boolean
  | null
  | LuaReply[]
  /** `counted`: a command's error, counted in errorstats when that command replied it. */
  | { readonly err: string; readonly counted?: true }
  | { readonly ok: string }
  | { readonly double: number }
  | { readonly big: string }
  | { readonly verbatim: Buffer; readonly format: string }
  | { readonly map: LuaReply[] }
  | { readonly set: LuaReply[] };

/** What a running script calls back into. */
export interface LuaHost {
  /**
   * redis.call / redis.pcall: runs the arguments packed in `packed` (unpackArgv) and answers the reply as RESP
   * bytes in version `resp`, read before the script goes on.
   */
  call(packed: Buffer, resp: 2 | 3): Buffer;
  /** redis.log: level 0 (debug) to 3 (warning). */
  log(level: number, message: string): void;
  /** redis.sha1hex. */
  sha1hex(data: Buffer): string;
  /**
   * redis.acl_check_cmd: whether the server has the command `name` (the subcommand `subcommand` of a container,
   * when given), as redis.call would name it.
   */
  commandExists(name: Buffer, subcommand: Buffer | null): boolean;
  /** The run has lasted busy-reply-threshold (`ms` so far): called once, by the engine's count hook. */
  timedOut?(ms: number): void;
  /**
   * From then on, every hook (100k instructions) until the run ends, as Redis's processEventsWhileBlocked: the
   * thread may serve its other clients here. A SCRIPT KILL served here stops the script right after.
   */
  whileBusy?(): void;
}

/** What run() is given to watch a script (native/lua-busy.c): the shared busy word and busy-reply-threshold. */
export interface LuaWatch {
  /** ScriptBusy.word: element 0 is read by the engine's hook. */
  readonly word: Int32Array;
  /** Milliseconds; 0 or less: not watched (no hook, as Redis with busy-reply-threshold 0). */
  readonly thresholdMs: number;
}

/** A function a library registered (redis.register_function): flags in script.c scripts_flags_def's order. */
export interface RegisteredFunction {
  readonly name: string;
  readonly description: Buffer | null;
  readonly flags: readonly string[];
}

export interface LuaAddon {
  /**
   * run() and functionsCall() watch a long run when given a busy word (native/lua-busy.c); absent on an addon
   * built before that, which ignores the word (scripts then never time out: rebuild the native helper).
   */
  readonly watchesLongRuns?: boolean;
  /**
   * Past busy-reply-threshold the engine's hook calls the host's whileBusy() (native/lua-busy.c); absent on an addon
   * built before that (the event loop then cannot serve its clients while a script runs long).
   */
  readonly servesWhileBusy?: boolean;
  /** A state set up as Redis's: its libraries, redis.*, and its globals protected. */
  create(): LuaState;
  /** Frees the state now; it is unusable after. */
  close(state: LuaState): void;
  /** Compiles `body` as function `name` (f_<sha>): null, or the compiler's message. */
  load(state: LuaState, name: string, body: Buffer): string | null;
  has(state: LuaState, name: string): boolean;
  /**
   * Runs function `name` with KEYS and ARGV set; failures come back as {err}, with the script's line. With a busy
   * word and a positive threshold, the run is watched: timed out, and stopped when the word says killed.
   */
  run(
    state: LuaState,
    name: string,
    sha: string,
    keys: Buffer[],
    args: Buffer[],
    host: LuaHost,
    busy?: Int32Array,
    thresholdMs?: number,
  ): LuaReply;
  /** Bytes the state holds (INFO used_memory_lua). */
  usedMemory(state: LuaState): number;
  /** A state for Functions (native/lua-functions.c): EVAL's, with globals that follow the load-time sandbox. */
  functionsCreate(): LuaState;
  /**
   * Runs a library's code (after its shebang line) in the load-time sandbox for up to `timeoutMs` (0: no limit),
   * keeping its functions under `key`: the functions it registered, or the error to reply (without ERR).
   */
  functionsLoad(
    state: LuaState,
    key: string,
    code: Buffer,
    timeoutMs: number,
    host: Pick<LuaHost, 'log'>,
  ): RegisteredFunction[] | string;
  /** Forgets the functions kept under `key`. */
  functionsDrop(state: LuaState, key: string): void;
  /**
   * Runs function `name` of the library under `key` with (keys, args); failures come back as {err}. Watched as
   * run() watches a script.
   */
  functionsCall(
    state: LuaState,
    key: string,
    name: string,
    keys: Buffer[],
    args: Buffer[],
    host: LuaHost,
    busy?: Int32Array,
    thresholdMs?: number,
  ): LuaReply;
}

/**
 * The arguments of a redis.call as the engine packs them into one Buffer: a count, each length (32-bit little
 * endian), then the bytes. Views of that Buffer, which nothing else writes to.
 */
export function unpackArgv(packed: Buffer): Buffer[] {
  const count = packed.readUInt32LE(0);
  const argv = new Array<Buffer>(count);
  let at = 4 + 4 * count;
  for (let i = 0; i < count; i++) {
    const length = packed.readUInt32LE(4 + 4 * i);
    argv[i] = packed.subarray(at, at + length);
    at += length;
  }
  return argv;
}

const ADDON = join('build', 'Release', 'luaengine.node');

const loaded = new Map<string, LuaAddon | Error>();

/** The interpreter built under `root`, or an Error saying why scripting is unavailable. */
export function loadLuaFrom(root: string | null): LuaAddon | Error {
  if (root === null) return new Error('the native helper was not found');
  let addon = loaded.get(root);
  if (addon === undefined) {
    addon = load(join(root, ADDON));
    loaded.set(root, addon);
  }
  return addon;
}

function load(path: string): LuaAddon | Error {
  if (!existsSync(path)) {
    return new Error(
      `${path} was not built: install Lua 5.1's headers (Debian: liblua5.1-0-dev) and rebuild the native helper`,
    );
  }
  try {
    const module = createRequire(path)(path) as Partial<LuaAddon>;
    if (typeof module.create !== 'function' || typeof module.run !== 'function') {
      return new Error(`${path} does not export the Lua engine`);
    }
    return module as LuaAddon;
  } catch (e) {
    return new Error(`${path} failed to load (${e instanceof Error ? e.message : String(e)})`);
  }
}
