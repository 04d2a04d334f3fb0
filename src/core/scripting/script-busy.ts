// Whether a script is running, as every thread sees it (Redis 7.0's script.c curr_run_ctx and its flags): one
// Int32 word in shared memory (in the script cache's header, which every thread holds already). The thread that
// runs a script sets RUNNING and clears the word when it ends; its Lua engine's count hook sets TIMED_OUT once
// busy-reply-threshold has passed and stops the script when KILLED is set (native/lua-busy.c reads the same bits);
// SCRIPT KILL and SHUTDOWN NOSAVE on any thread set KILLED; the first write sets DIRTY, after which SCRIPT KILL
// is refused. Every change is one compare-and-swap, so a kill and a first write cannot both win. Other threads
// read the word before each command (executor.ts): wait while RUNNING, answer BUSY once TIMED_OUT. Plain
// Atomics; knows nothing of Lua, commands or clients.

export const BUSY_RUNNING = 1;
/** native/lua-busy.c BUSY_TIMED_OUT: the run has lasted busy-reply-threshold (Redis's SCRIPT_TIMEDOUT). */
export const BUSY_TIMED_OUT = 2;
/** The script wrote (SCRIPT_WRITE_DIRTY): SCRIPT KILL can no longer stop it. */
export const BUSY_DIRTY = 4;
/** native/lua-busy.c BUSY_KILLED: the engine raises Redis's kill error at its next hook (SCRIPT_KILLED). */
export const BUSY_KILLED = 8;
/** Killed by SHUTDOWN NOSAVE: whatever the script wrote is not to reach the append-only file. */
export const BUSY_SHUTDOWN = 16;
/** The script is a function (FCALL): FUNCTION KILL stops it, SCRIPT KILL does not (SCRIPT_EVAL_MODE unset). */
export const BUSY_FUNCTION = 32;

/** 'other-kind': SCRIPT KILL of a function, or FUNCTION KILL of an EVAL script (refused as BUSY in Redis). */
export type KillOutcome = 'killed' | 'not-busy' | 'unkillable' | 'other-kind';

export class ScriptBusy {
  /** The word alone, for the engine's hook (run() reads element 0). */
  readonly word: Int32Array;
  /** busy-reply-threshold in ms, saturated to 2^31 - 1: each EVAL reads one word, not the thread's settings. */
  private readonly threshold: Int32Array;
  /**
   * This thread's own: it is serving its clients from inside the script it runs (Scripting.whileBusy), so a command
   * that would wait for the script must be held or refused, never wait (executor.ts).
   */
  servingFromHook = false;

  /** `buffer` and `byteOffset`: where the two shared words are (8 bytes, aligned). */
  constructor(buffer: SharedArrayBuffer, byteOffset: number) {
    this.word = new Int32Array(buffer, byteOffset, 1);
    this.threshold = new Int32Array(buffer, byteOffset + 4, 1);
  }

  /** busy-reply-threshold as the last CONFIG SET (or the start-up) on any thread left it. */
  thresholdMs(): number {
    return Atomics.load(this.threshold, 0);
  }

  setThresholdMs(ms: number): void {
    Atomics.store(this.threshold, 0, Math.min(ms, 2 ** 31 - 1));
  }

  /**
   * The word as last written: 0 while no script runs (what every command pays while none does). A plain read, not
   * Atomics.load (a call into the runtime per command on Node 20): a command that reads a word a moment old runs
   * as it would have just before the script began (waiting for the store's locks the script holds) or just after
   * it ended, and the word's changes are made with Atomics on the script's thread.
   */
  state(): number {
    return this.word[0];
  }

  /** A script (`isFunction`: a function) starts on this thread: false when another thread's is running. */
  begin(isFunction = false): boolean {
    const running = isFunction ? BUSY_RUNNING | BUSY_FUNCTION : BUSY_RUNNING;
    return Atomics.compareExchange(this.word, 0, 0, running) === 0;
  }

  /** The script ended, however: the word is clear and every thread waiting for it wakes. */
  end(): void {
    Atomics.store(this.word, 0, 0);
    Atomics.notify(this.word, 0);
  }

  /** The engine marked the run timed out: the threads waiting for it wake to answer BUSY. */
  timedOut(): void {
    Atomics.notify(this.word, 0);
  }

  /** The running script is about to write: false when it was killed (the write must not run). */
  markDirty(): boolean {
    for (;;) {
      const state = Atomics.load(this.word, 0);
      if ((state & BUSY_KILLED) !== 0) return false;
      if ((state & BUSY_DIRTY) !== 0) return true;
      if (Atomics.compareExchange(this.word, 0, state, state | BUSY_DIRTY) === state) return true;
    }
  }

  /** SCRIPT KILL, or FUNCTION KILL with `function` (script.c scriptKill): stops a script that has not written. */
  kill(isFunction = false): KillOutcome {
    for (;;) {
      const state = Atomics.load(this.word, 0);
      if ((state & BUSY_RUNNING) === 0) return 'not-busy';
      if ((state & BUSY_DIRTY) !== 0) return 'unkillable';
      if (((state & BUSY_FUNCTION) !== 0) !== isFunction) return 'other-kind';
      if (Atomics.compareExchange(this.word, 0, state, state | BUSY_KILLED) === state) return 'killed';
    }
  }

  /** SHUTDOWN NOSAVE while a script runs: it is stopped whatever it wrote, so its thread lets the locks go. */
  killForShutdown(): void {
    for (;;) {
      const state = Atomics.load(this.word, 0);
      if ((state & BUSY_RUNNING) === 0) return;
      const next = state | BUSY_KILLED | BUSY_SHUTDOWN;
      if (Atomics.compareExchange(this.word, 0, state, next) === state) return;
    }
  }

  /**
   * Waits (this thread blocks) until the word is no longer `seen`: the script ended, timed out or was killed.
   * At most `timeoutMs`, so a caller re-reads the word now and then whatever happens.
   */
  waitChange(seen: number, timeoutMs: number): void {
    Atomics.wait(this.word, 0, seen, timeoutMs);
  }
}
