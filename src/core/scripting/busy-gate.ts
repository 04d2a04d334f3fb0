// processCommand's check of a running script (Redis 7.0 server.c: isInsideYieldingLongCommand and CMD_ALLOW_BUSY),
// for a thread that is not the one running it: while the script has not timed out the command waits, as every
// client of Redis waits while its one thread runs a script; once it has (busy-reply-threshold passed), only the
// commands flagged allow-busy run (SCRIPT KILL, SHUTDOWN, MULTI, AUTH, ...) and the rest are refused with BUSY.
// The thread blocks while it waits (Atomics.wait on the busy word, woken when the script ends or times out).
// The script's own thread never waits: it reads commands from inside the script only once it has timed out
// (executor.ts executeInsideScript). Knows the busy word only.

import { BUSY_FUNCTION, BUSY_TIMED_OUT, type ScriptBusy } from './script-busy.js';

/** shared.slowevalerr. */
export const BUSY_ERROR =
  'BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.';
/** shared.slowscripterr: the same while a function runs. */
export const BUSY_FUNCTION_ERROR =
  'BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE.';

/** The BUSY error for the script the word says runs (scriptIsEval). */
export function busyError(state: number): string {
  return (state & BUSY_FUNCTION) !== 0 ? BUSY_FUNCTION_ERROR : BUSY_ERROR;
}

/** How long one wait lasts before the word is read again (a wake-up missed by a bug costs this, not a hang). */
const RECHECK_MS = 1000;

/** Null: the command may run now (no script runs, or it timed out and the command is allowed); else BUSY. */
export function waitForRunningScript(busy: ScriptBusy, allowBusy: boolean): string | null {
  for (;;) {
    const state = busy.state();
    if (state === 0) return null;
    if ((state & BUSY_TIMED_OUT) !== 0) return allowBusy ? null : busyError(state);
    busy.waitChange(state, RECHECK_MS);
  }
}

/** Whether a script has run past busy-reply-threshold now (SHUTDOWN without NOSAVE is refused then). */
export function scriptTimedOut(busy: ScriptBusy): boolean {
  return (busy.state() & BUSY_TIMED_OUT) !== 0;
}
