// One thread's side of EVAL: its Lua interpreter (lua-addon.ts) over the script cache every thread shares
// (script-cache.ts). A script is compiled into this thread's interpreter the first time this thread runs it,
// from the body whichever thread cached it; SCRIPT FLUSH on any thread makes each start a fresh interpreter,
// as Redis's scriptingReset does. Knows nothing of commands: it compiles and runs, the caller decides what
// redis.call does (script-run.ts).

import { ByteWriter } from '../reply-encoding.js';
import type { KeyValueStore } from '../store/types.js';
import { HeldWhileBusy } from './held-while-busy.js';
import type { LuaAddon, LuaHost, LuaReply, LuaState, LuaWatch } from './lua-addon.js';
import { ScriptCache, scriptSha } from './script-cache.js';
import { readShebang, type ScriptFlag } from './shebang.js';

/** A script ready to run here: its name and its shebang's flags (null: no shebang). */
export interface LoadedScript {
  readonly sha: string;
  readonly body: Buffer;
  readonly flags: ReadonlySet<ScriptFlag> | null;
}

/** redis.log's levels as the server's logger names them (LOG_DEBUG and LOG_VERBOSE are debug). */
export type ScriptLogLevel = 'debug' | 'info' | 'warn';

export class Scripting {
  private state: LuaState | null = null;
  private generation = -1;
  private readonly flags = new Map<string, ReadonlySet<ScriptFlag> | null>();
  /** Where redis.call's replies are encoded for the interpreter (script-run.ts), reused by every run here. */
  readonly replyWriter = new ByteWriter();
  /**
   * Set by a transport that must know: a script of this thread passed busy-reply-threshold (true), and such a
   * script ended (false). The hybrid's accepting loop hands accepting to another loop meanwhile.
   */
  busyChanged: ((timedOut: boolean) => void) | null = null;
  /**
   * Set by a transport whose clients are served by the thread that runs the script (the event loop): called from
   * the script's hook, every 100k Lua instructions once it has passed busy-reply-threshold, to read and answer
   * them (Redis's processEventsWhileBlocked). Through whileBusy() only.
   */
  serveWhileBusy: (() => void) | null = null;
  /**
   * The store as this thread's running script holds it (every segment's lock; null while none runs). Commands read
   * from inside the script run on it (executor.ts executeInsideScript): WATCH, UNWATCH, DISCARD and RESET take a
   * segment's lock, which the thread holds already, so on the store of the pool and the hybrid (real locks) they
   * would wait for ever for their own thread.
   */
  heldStore: KeyValueStore | null = null;
  /** Commands read from inside a script that wait for it to end: SHUTDOWN NOSAVE (held-while-busy.ts). */
  readonly held = new HeldWhileBusy();

  constructor(
    readonly cache: ScriptCache,
    /** The interpreter, or why this server has none (every EVAL then answers that). */
    private readonly lua: LuaAddon | Error,
    /** Where redis.log writes; absent: its lines are dropped. */
    readonly log: (level: ScriptLogLevel, message: string) => void = () => {},
  ) {}

  /** Why scripting is unavailable, or null. */
  get unavailable(): string | null {
    return this.lua instanceof Error ? this.lua.message : null;
  }

  /**
   * EVAL and SCRIPT LOAD (eval.c luaCreateFunction): the script is compiled here and added to the shared cache;
   * or the error to reply (with its code).
   */
  load(body: Buffer): LoadedScript | { readonly error: string } {
    const sha = scriptSha(body);
    const loaded = this.prepare(sha, body);
    if ('error' in loaded) return loaded;
    if (this.cache.find(sha) === undefined) this.cache.add(body, sha);
    return loaded;
  }

  /** EVALSHA: the cached script named `sha` (any case), compiled here if it was not yet; null: NOSCRIPT. */
  find(sha: string): LoadedScript | null {
    const lower = sha.toLowerCase();
    const cached = this.cache.find(lower);
    if (cached === undefined) return null;
    const loaded = this.prepare(lower, cached.body);
    return 'error' in loaded ? null : loaded;
  }

  /**
   * Runs a loaded script (prepared by load or find on this thread, in this cache generation); `watch`: the busy
   * word its engine's hook reads and sets (script-busy.ts).
   */
  run(script: LoadedScript, keys: Buffer[], args: Buffer[], host: LuaHost, watch?: LuaWatch): LuaReply {
    const lua = this.lua as LuaAddon;
    // A SCRIPT FLUSH on another thread since it was prepared left a fresh interpreter without it.
    if (!lua.has(this.interpreter(), `f_${script.sha}`)) this.prepare(script.sha, script.body);
    const name = `f_${script.sha}`;
    if (watch === undefined) return lua.run(this.interpreter(), name, script.sha, keys, args, host);
    return lua.run(this.interpreter(), name, script.sha, keys, args, host, watch.word, watch.thresholdMs);
  }

  /**
   * The script's hook, past busy-reply-threshold: the transport serves its clients now, their commands marked as
   * read from inside the script (ScriptBusy.servingFromHook). `nest` wraps the serving (the caller's batch state set
   * aside meanwhile).
   */
  whileBusy(nest: (serve: () => void) => void): void {
    const serve = this.serveWhileBusy;
    if (serve === null) return;
    const busy = this.cache.busy;
    busy.servingFromHook = true;
    try {
      nest(serve);
    } finally {
      busy.servingFromHook = false;
    }
  }

  /** SCRIPT FLUSH. */
  flush(): void {
    this.cache.flush();
  }

  /** Bytes this thread's interpreter holds (INFO used_memory_lua). */
  get usedMemory(): number {
    return this.lua instanceof Error || this.state === null ? 0 : this.lua.usedMemory(this.state);
  }

  private prepare(sha: string, body: Buffer): LoadedScript | { readonly error: string } {
    if (this.lua instanceof Error) return { error: `ERR scripting is unavailable: ${this.lua.message}` };
    const state = this.interpreter();
    const name = `f_${sha}`;
    if (this.lua.has(state, name)) return { sha, body, flags: this.flags.get(sha) ?? null };
    const shebang = readShebang(body);
    if ('error' in shebang) return { error: `ERR ${shebang.error}` };
    // The shebang is skipped but its line feed kept, so errors name the user's line numbers.
    const failed = this.lua.load(state, name, body.subarray(shebang.length));
    if (failed !== null) return { error: `ERR Error compiling script (new function): ${failed}` };
    this.flags.set(sha, shebang.flags);
    return { sha, body, flags: shebang.flags };
  }

  /** This thread's interpreter for the cache's current generation (a fresh one after a flush). */
  private interpreter(): LuaState {
    const lua = this.lua as LuaAddon;
    const generation = this.cache.generation;
    if (this.state === null || generation !== this.generation) {
      if (this.state !== null) lua.close(this.state);
      this.state = lua.create();
      this.generation = generation;
      this.flags.clear();
    }
    return this.state;
  }
}
