// One thread's side of Redis 7.0's Functions (functions.c): its own Lua engine for functions (separate from
// EVAL's, as Redis's is), compiled from the library list every thread shares (library-registry.ts). A change
// (FUNCTION LOAD, DELETE, FLUSH, RESTORE) takes the registry's lock, brings this thread's view up to date, checks
// and compiles what it adds here, then writes the new list; another thread compiles a library the first time it
// reads a list that has it. Knows nothing of commands: it answers libraries, functions and errors (without
// their ERR code).

import type { LuaAddon, LuaHost, LuaReply, LuaState, LuaWatch } from '../scripting/lua-addon.js';
import type { ScriptFlag } from '../scripting/shebang.js';
import type { ScriptLogLevel } from '../scripting/scripting.js';
import { type LibraryMetadata, readLibraryMetadata } from './library-metadata.js';
import type { LibraryRegistry } from './library-registry.js';

export interface FunctionInfo {
  /** As the library registered it (FCALL finds it whatever its case). */
  readonly name: string;
  readonly description: Buffer | null;
  /** In script.c scripts_flags_def's order. */
  readonly flags: readonly ScriptFlag[];
  readonly library: Library;
}

export interface Library {
  readonly name: string;
  /** The whole code, shebang included: what DUMP, the RDB and the append-only file carry. */
  readonly code: Buffer;
  /** Where this thread's engine keeps its functions. */
  readonly key: string;
  readonly functions: readonly FunctionInfo[];
}

/** FUNCTION RESTORE's policies (functions.c restorePolicy). */
export type RestorePolicy = 'flush' | 'append' | 'replace';

type Failure = { readonly error: string };

/** functions.c LOAD_TIMEOUT_MS: how long FUNCTION LOAD may run a library's code. */
export const LOAD_TIMEOUT_MS = 500;

export class Functions {
  private state: LuaState | null = null;
  private version = -1;
  private libraries: Library[] = [];
  /** By lower-case name (functions.c functionDictType compares without case). */
  private byName = new Map<string, FunctionInfo>();
  private nextKey = 0;
  /** The interpreter, or why this server has none. */
  private readonly lua: LuaAddon | Error;

  constructor(
    readonly registry: LibraryRegistry,
    lua: LuaAddon | Error,
    /** Where redis.log writes while FUNCTION LOAD runs a library's code. */
    private readonly log: (level: ScriptLogLevel, message: string) => void = () => {},
  ) {
    // An addon built before Functions existed has no engine for them: they answer why, EVAL still runs.
    this.lua =
      lua instanceof Error || typeof lua.functionsCreate === 'function'
        ? lua
        : new Error('the Lua addon was built without Functions: rebuild the native helper (npm run install)');
  }

  /** Why functions are unavailable, or null. */
  get unavailable(): string | null {
    return this.lua instanceof Error ? this.lua.message : null;
  }

  /** The libraries, in the order they were added. */
  list(): readonly Library[] {
    this.refresh();
    return this.libraries;
  }

  /** The function FCALL names, or undefined. */
  find(name: string): FunctionInfo | undefined {
    this.refresh();
    return this.byName.get(name.toLowerCase());
  }

  /** Every library's code as the shared list has it now (what a save writes; nothing is compiled here). */
  codes(): Buffer[] {
    return this.registry.read().codes;
  }

  /** FUNCTION STATS's counts. */
  counts(): { readonly libraries: number; readonly functions: number } {
    this.refresh();
    return { libraries: this.libraries.length, functions: this.byName.size };
  }

  /** FUNCTION LOAD (functionsCreateWithLibraryCtx): the library's name, or the error. */
  load(payload: Buffer, replace: boolean, timeoutMs: number): string | Failure {
    return this.change(() => {
      const metadata = readLibraryMetadata(payload);
      if ('error' in metadata) return metadata;
      const old = this.libraries.find((library) => library.name === metadata.name);
      if (old !== undefined && !replace) return { error: `Library '${metadata.name}' already exists` };
      // A copy: a command's arguments are views of the client's input buffer, which the next request reuses.
      const created = this.compile(metadata, Buffer.from(payload), timeoutMs, true);
      if ('error' in created) return created;
      const others = this.libraries.filter((library) => library !== old);
      const clash = firstClash([created], others);
      if (clash !== null) return this.discard([created], `Function ${clash} already exists`);
      this.commit(
        old === undefined
          ? [...this.libraries, created]
          : this.libraries.map((l) => (l === old ? created : l)),
      );
      return metadata.name;
    });
  }

  /** FUNCTION DELETE: false when there is no such library. */
  delete(name: string): boolean {
    return this.change(() => {
      const next = this.libraries.filter((library) => library.name !== name);
      if (next.length === this.libraries.length) return false;
      this.commit(next);
      return true;
    });
  }

  /** FUNCTION FLUSH. */
  flush(): void {
    this.change(() => this.commit([]));
  }

  /**
   * FUNCTION RESTORE and loading an RDB file (functionRestoreCommand, rdbFunctionLoad, libraryJoin): the
   * libraries' codes are compiled as a set of their own first (a name twice is an error), then joined to the
   * current ones by `policy`. Null, or the error (nothing changed).
   */
  restore(codes: readonly Buffer[], policy: RestorePolicy): Failure | null {
    return this.change(() => {
      const created: Library[] = [];
      for (const code of codes) {
        const metadata = readLibraryMetadata(code);
        if ('error' in metadata) return this.discard(created, metadata.error);
        if (created.some((library) => library.name === metadata.name)) {
          return this.discard(created, `Library '${metadata.name}' already exists`);
        }
        const library = this.compile(metadata, code, 0, false);
        if ('error' in library) return this.discard(created, library.error);
        const clash = firstClash([library], created);
        if (clash !== null) return this.discard([...created, library], `Function ${clash} already exists`);
        created.push(library);
      }
      if (policy === 'flush') {
        this.commit(created);
        return null;
      }
      const replaced = new Set<Library>();
      for (const library of created) {
        const old = this.libraries.find((l) => l.name === library.name);
        if (old === undefined) continue;
        if (policy === 'append') return this.discard(created, `Library ${library.name} already exists`);
        replaced.add(old);
      }
      const kept = this.libraries.filter((library) => !replaced.has(library));
      const clash = firstClash(created, kept);
      if (clash !== null) return this.discard(created, `Function ${clash} already exists`);
      this.commit([...kept, ...created]);
      return null;
    });
  }

  /**
   * Runs `fn` (found by find on this thread) with (keys, args), its commands going through `host`; `watch`: the
   * busy word its engine's hook reads and sets (scripting/script-busy.ts).
   */
  call(fn: FunctionInfo, keys: Buffer[], args: Buffer[], host: LuaHost, watch?: LuaWatch): LuaReply {
    const lua = this.lua as LuaAddon;
    const key = fn.library.key;
    if (watch === undefined) return lua.functionsCall(this.engine(), key, fn.name, keys, args, host);
    return lua.functionsCall(this.engine(), key, fn.name, keys, args, host, watch.word, watch.thresholdMs);
  }

  /** Bytes of the libraries' codes and names and their functions' names and descriptions (INFO used_memory_functions). */
  cacheBytes(): number {
    let total = 0;
    for (const library of this.list()) {
      total += library.code.length + library.name.length;
      for (const fn of library.functions) total += fn.name.length + (fn.description?.length ?? 0);
    }
    return total;
  }

  /** Bytes this thread's engine for functions holds (INFO used_memory_vm_functions). */
  get usedMemory(): number {
    return this.lua instanceof Error || this.state === null ? 0 : this.lua.usedMemory(this.state);
  }

  /** A change under the registry's lock, on a view brought up to date first. */
  private change<R>(work: () => R): R {
    return this.registry.locked(() => {
      this.refreshHolding();
      return work();
    });
  }

  /** Writes the new list and makes it this thread's view (the caller holds the lock). */
  private commit(next: Library[]): void {
    this.registry.write(next.map((library) => library.code));
    this.setView(next, this.registry.version);
  }

  /** Forgets libraries compiled for a change that failed; returns the failure. */
  private discard(libraries: readonly Library[], error: string): Failure {
    for (const library of libraries) this.drop(library);
    return { error };
  }

  private refresh(): void {
    if (this.registry.version === this.version) return;
    this.registry.locked(() => this.refreshHolding());
  }

  /** Reads the list again if another thread changed it: what is new is compiled, what went is forgotten. */
  private refreshHolding(): void {
    const { version, codes } = this.registry.read(true);
    if (version === this.version) return;
    const unused = new Set(this.libraries);
    const next: Library[] = [];
    for (const code of codes) {
      const same = this.libraries.find((library) => unused.has(library) && library.code.equals(code));
      if (same !== undefined) {
        unused.delete(same);
        next.push(same);
        continue;
      }
      // It loaded on the thread that added it: it loads here too (the same code, with no time limit).
      const metadata = readLibraryMetadata(code);
      const library = 'error' in metadata ? metadata : this.compile(metadata, code, 0, false);
      if (!('error' in library)) next.push(library);
    }
    this.setView(next, version);
  }

  private setView(next: Library[], version: number): void {
    const kept = new Set(next);
    for (const library of this.libraries) if (!kept.has(library)) this.drop(library);
    this.libraries = next;
    this.version = version;
    this.byName = new Map();
    for (const library of next) {
      for (const fn of library.functions) this.byName.set(fn.name.toLowerCase(), fn);
    }
    // With no library left, the engine is closed (Redis's flush frees its functions' memory): a fresh one later.
    if (next.length === 0 && this.state !== null && !(this.lua instanceof Error)) {
      this.lua.close(this.state);
      this.state = null;
    }
  }

  /** Runs a library's code in this thread's engine: the library with its functions, or the error. */
  private compile(
    metadata: LibraryMetadata,
    code: Buffer,
    timeoutMs: number,
    log: boolean,
  ): Library | Failure {
    if (this.lua instanceof Error) return { error: `scripting is unavailable: ${this.lua.message}` };
    const key = `lib:${this.nextKey++}`;
    const host = { log: log ? (level: number, message: string) => this.logAt(level, message) : () => {} };
    const registered = this.lua.functionsLoad(this.engine(), key, metadata.code, timeoutMs, host);
    if (typeof registered === 'string') return { error: registered };
    const functions: FunctionInfo[] = [];
    const library: Library = { name: metadata.name, code, key, functions };
    for (const fn of registered) {
      functions.push({ ...fn, flags: fn.flags as ScriptFlag[], library });
    }
    if (functions.length === 0) return this.discard([library], 'No functions registered');
    return library;
  }

  private drop(library: Library): void {
    if (this.state !== null && !(this.lua instanceof Error)) this.lua.functionsDrop(this.state, library.key);
  }

  private engine(): LuaState {
    this.state ??= (this.lua as LuaAddon).functionsCreate();
    return this.state;
  }

  private logAt(level: number, message: string): void {
    this.log(level >= 3 ? 'warn' : level === 2 ? 'info' : 'debug', message);
  }
}

/** The first function of `added` whose name (in any case) a function of `existing` has, or null. */
function firstClash(added: readonly Library[], existing: readonly Library[]): string | null {
  const taken = new Set<string>();
  for (const library of existing) for (const fn of library.functions) taken.add(fn.name.toLowerCase());
  for (const library of added) {
    for (const fn of library.functions) if (taken.has(fn.name.toLowerCase())) return fn.name;
  }
  return null;
}
