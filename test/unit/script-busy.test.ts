// The busy word (src/core/scripting/script-busy.ts) and the check every command makes of it (busy-gate.ts):
// one script at a time, SCRIPT KILL against a first write (whichever lands first wins), SHUTDOWN's kill, and the
// gate's answers once the script timed out. The waiting half (a thread blocked until the script ends) is in
// test/integration/script-busy.test.ts, on real threads.

import { describe, expect, it } from 'vitest';
import { BUSY_ERROR, scriptTimedOut, waitForRunningScript } from '../../src/core/scripting/busy-gate.js';
import {
  BUSY_KILLED,
  BUSY_SHUTDOWN,
  BUSY_TIMED_OUT,
  ScriptBusy,
} from '../../src/core/scripting/script-busy.js';

const fresh = (): ScriptBusy => new ScriptBusy(new SharedArrayBuffer(12), 4);

describe('the busy word', () => {
  it('lets one script run at a time and is clear after it', () => {
    const busy = fresh();
    expect(busy.kill()).toBe('not-busy');
    expect(busy.begin()).toBe(true);
    expect(busy.begin()).toBe(false);
    busy.end();
    expect(busy.state()).toBe(0);
    expect(busy.begin()).toBe(true);
  });

  it('SCRIPT KILL stops a script that has not written, and then its first write is refused', () => {
    const busy = fresh();
    busy.begin();
    expect(busy.kill()).toBe('killed');
    expect(busy.state() & BUSY_KILLED).toBe(BUSY_KILLED);
    expect(busy.markDirty()).toBe(false);
  });

  it('SCRIPT KILL is refused once the script wrote; SHUTDOWN NOSAVE stops it anyway', () => {
    const busy = fresh();
    busy.begin();
    expect(busy.markDirty()).toBe(true);
    expect(busy.kill()).toBe('unkillable');
    busy.killForShutdown();
    expect(busy.state() & (BUSY_KILLED | BUSY_SHUTDOWN)).toBe(BUSY_KILLED | BUSY_SHUTDOWN);
  });

  it('once timed out, the gate lets allow-busy commands through and refuses the rest with BUSY', () => {
    const busy = fresh();
    expect(waitForRunningScript(busy, false)).toBeNull(); // none runs
    busy.begin();
    Atomics.or(busy.word, 0, BUSY_TIMED_OUT); // what the engine's hook does
    expect(scriptTimedOut(busy)).toBe(true);
    expect(waitForRunningScript(busy, false)).toBe(BUSY_ERROR);
    expect(waitForRunningScript(busy, true)).toBeNull();
    busy.end();
    expect(scriptTimedOut(busy)).toBe(false);
  });
});
