// The native Lua 5.1 engine (native/lua-engine.c, lua-reply.c) on its own: a state set up as Redis 7.0's,
// redis.call through a host callback that answers RESP, and the conversions of both directions. The texts
// expected are redis-server 7.0.15's (test/conformance/scripting-differential.test.ts compares whole replies).

import { createHash } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type LuaAddon,
  type LuaHost,
  type LuaState,
  loadLuaFrom,
  unpackArgv,
} from '../../src/core/scripting/lua-addon.js';
import { packageRoot } from '../../src/transport/threadpool/native.js';
import { BUSY_KILLED, BUSY_RUNNING, BUSY_TIMED_OUT } from '../../src/core/scripting/script-busy.js';
import { luaServesWhileBusy, luaWatchesLongRuns } from '../support/lua-watch.js';

const addon = loadLuaFrom(packageRoot());
if (addon instanceof Error) throw addon;
const lua: LuaAddon = addon;

const calls: string[][] = [];
const logged: [number, string][] = [];
/** Answers GET with "bar", PING with +PONG, anything else with an error. */
const host: LuaHost = {
  call(packed, resp) {
    const argv = unpackArgv(packed);
    calls.push([...argv.map(String), `resp${resp}`]);
    const name = argv[0].toString().toLowerCase();
    if (name === 'get') return Buffer.from('$3\r\nbar\r\n');
    if (name === 'ping') return Buffer.from('+PONG\r\n');
    if (name === 'hgetall')
      return Buffer.from(resp === 3 ? '%1\r\n$1\r\nf\r\n$1\r\nv\r\n' : '*2\r\n$1\r\nf\r\n$1\r\nv\r\n');
    return Buffer.from('-WRONGTYPE no good\r\n');
  },
  log: (level, message) => void logged.push([level, message]),
  sha1hex: (data) => createHash('sha1').update(data).digest('hex'),
  commandExists: (name) => name.toString().toLowerCase() === 'get',
};

let state: LuaState;
beforeEach(() => {
  state = lua.create();
  calls.length = 0;
  logged.length = 0;
});
afterEach(() => lua.close(state));

function run(body: string, keys: string[] = [], args: string[] = []): unknown {
  const failed = lua.load(state, 'f_test', Buffer.from(body));
  if (failed !== null) return { compile: failed };
  return lua.run(
    state,
    'f_test',
    'sha',
    keys.map((k) => Buffer.from(k)),
    args.map((a) => Buffer.from(a)),
    host,
  );
}

describe('the Lua engine', () => {
  it('converts Lua values as Redis does: numbers truncated, arrays cut at the first nil, booleans in RESP2', () => {
    expect(run('return {1, 2.7, -3.9, "x", true, false, nil, 5}')).toEqual([
      1,
      2,
      -3,
      Buffer.from('x'),
      1,
      null,
    ]);
    expect(run('return 1e20')).toBe(-9223372036854775808n);
    expect(run('return {ok="A\\r\\nB"}')).toEqual({ ok: 'A  B' });
    expect(run('return {err="X\\ny"}')).toEqual({ err: 'X y' });
    expect(run('return redis.error_reply("MY bad")')).toEqual({ err: 'MY bad' });
    expect(run('return redis.status_reply("FINE")')).toEqual({ ok: 'FINE' });
    expect(run('return {double=1.5}')).toEqual({ double: 1.5 });
    expect(run('return function() end')).toBeNull();
  });

  it('sets KEYS and ARGV and passes redis.call arguments as strings, numbers with %.17g', () => {
    expect(run('return {KEYS[1], ARGV[2]}', ['k'], ['a', 'b'])).toEqual([Buffer.from('k'), Buffer.from('b')]);
    expect(run('return redis.call("GET", KEYS[1], 3.5, 0.1)', ['k'])).toEqual(Buffer.from('bar'));
    expect(calls).toEqual([['GET', 'k', '3.5', '0.10000000000000001', 'resp2']]);
  });

  it('raises a command error from redis.call with the line, and returns it from redis.pcall', () => {
    // A command's error is marked counted: it was counted in errorstats when the command replied it.
    expect(run('return redis.call("set", "a")')).toEqual({
      err: 'WRONGTYPE no good script: sha, on @user_script:1.',
      counted: true,
    });
    expect(run('return redis.pcall("set", "a")')).toEqual({ err: 'WRONGTYPE no good', counted: true });
    expect(run('return redis.call()')).toEqual({
      err: 'ERR Please specify at least one argument for this redis lib call script: sha, on @user_script:1.',
    });
    expect(run('\nreturn redis.call({})')).toEqual({
      err: 'ERR Lua redis lib command arguments must be strings or integers script: sha, on @user_script:2.',
    });
  });

  it('reads RESP3 replies after redis.setresp(3), and returns booleans', () => {
    expect(run('redis.setresp(3); return redis.call("hgetall", "h").map.f')).toEqual(Buffer.from('v'));
    expect(run('redis.setresp(3); return true')).toBe(true);
    expect(run('return redis.call("hgetall", "h")')).toEqual([Buffer.from('f'), Buffer.from('v')]);
    expect(run('return redis.call("ping")')).toEqual({ ok: 'PONG' });
  });

  it('protects the globals as Redis 7.0 does', () => {
    expect(run('return a')).toEqual({
      err: "ERR user_script:1: Script attempted to access nonexistent global variable 'a' script: sha, on @user_script:1.",
    });
    expect(run('a = 1')).toEqual({
      err: 'ERR user_script:1: Attempt to modify a readonly table script: sha, on @user_script:1.',
    });
    expect(run('string.upper = nil')).toEqual({
      err: 'ERR user_script:1: Attempt to modify a readonly table script: sha, on @user_script:1.',
    });
    expect(run('rawset(_G, "x", 1)')).toEqual({
      err: 'ERR Attempt to modify a readonly table script: sha, on @user_script:1.',
    });
    expect(run('return type(print)')).toMatchObject({ err: expect.stringContaining("variable 'print'") });
    expect(run('local t = {}; t.x = 1; return t.x')).toBe(1);
  });

  it('reports errors and compile failures with Redis texts', () => {
    expect(run('error("boom")')).toEqual({ err: 'ERR user_script:1: boom script: sha, on @user_script:1.' });
    expect(run('return 1 +')).toEqual({ compile: "user_script:1: unexpected symbol near '<eof>'" });
    expect(run('return pcall(function() error({err="E t"}) end)')).toBeNull();
  });

  it('has redis.sha1hex, redis.log, lrand48 math.random and the deterministic helpers', () => {
    expect(run('return redis.sha1hex("")')).toEqual(Buffer.from('da39a3ee5e6b4b0d3255bfef95601890afd80709'));
    expect(run('redis.log(redis.LOG_WARNING, "hi", 1)')).toBeNull();
    expect(logged).toEqual([[3, 'hi 1']]);
    // A fresh redis-server 7.0.15 answers 4, then {0, 36}.
    expect(run('return math.random(10)')).toBe(4);
    expect(run('return {math.random(), math.random(1,100)}')).toEqual([0, 36]);
    expect(run('return redis.breakpoint()')).toBeNull();
  });

  it('says why when the addon was not built', () => {
    const empty = mkdtempSync(join(tmpdir(), 'no-lua-'));
    const missing = loadLuaFrom(empty);
    expect(missing).toBeInstanceOf(Error);
    expect((missing as Error).message).toContain('liblua5.1-0-dev');
  });
});

describe.skipIf(!luaWatchesLongRuns)("the engine's watch of a long run (native/lua-busy.c)", () => {
  /** Runs `body` watched through `word`; `onTimedOut` is the host's timedOut. */
  function watched(body: string, word: Int32Array, thresholdMs: number, onTimedOut: (ms: number) => void) {
    expect(lua.load(state, 'f_watched', Buffer.from(body))).toBeNull();
    return lua.run(state, 'f_watched', 'sha', [], [], { ...host, timedOut: onTimedOut }, word, thresholdMs);
  }

  it('marks the word timed out once the threshold passed, tells the host once, and stops when killed', () => {
    const word = new Int32Array(new SharedArrayBuffer(4));
    word[0] = BUSY_RUNNING;
    const told: number[] = [];
    // The host kills the script when told it timed out, as another thread's SCRIPT KILL would; a pcall in the
    // script does not save it (the hook raises again on the next line).
    const reply = watched('while true do pcall(function() while true do end end) end', word, 20, (ms) => {
      told.push(ms);
      Atomics.or(word, 0, BUSY_KILLED);
    });
    expect(reply).toEqual({
      err: 'ERR Script killed by user with SCRIPT KILL... script: sha, on @user_script:1.',
    });
    expect(told.length).toBe(1);
    expect(told[0]).toBeGreaterThanOrEqual(20);
    expect(word[0] & BUSY_TIMED_OUT).toBe(BUSY_TIMED_OUT);
    // The hook is gone after the run: the same state runs a script unwatched to its end.
    expect(run('local n = 0 for i = 1, 300000 do n = n + 1 end return n')).toBe(300000);
  });

  it.skipIf(!luaServesWhileBusy)(
    'calls whileBusy on every hook past the threshold, not before; a kill made there stops the script',
    () => {
      const word = new Int32Array(new SharedArrayBuffer(4));
      word[0] = BUSY_RUNNING;
      const calls: string[] = [];
      expect(lua.load(state, 'f_served', Buffer.from('while true do end'))).toBeNull();
      const reply = lua.run(
        state,
        'f_served',
        'sha',
        [],
        [],
        {
          ...host,
          timedOut: () => calls.push('timedOut'),
          // As the event loop's SCRIPT KILL, read by its thread from inside the script on the third call.
          whileBusy: () => {
            calls.push('whileBusy');
            if (calls.length === 4) Atomics.or(word, 0, BUSY_KILLED);
          },
        },
        word,
        20,
      );
      expect(reply).toEqual({
        err: 'ERR Script killed by user with SCRIPT KILL... script: sha, on @user_script:1.',
      });
      expect(calls).toEqual(['timedOut', 'whileBusy', 'whileBusy', 'whileBusy']);
    },
  );

  it('does not watch with a threshold of 0 (Redis sets no hook then)', () => {
    const word = new Int32Array(new SharedArrayBuffer(4));
    word[0] = BUSY_RUNNING | BUSY_KILLED;
    expect(watched('local n = 0 for i = 1, 1000000 do n = n + 1 end return n', word, 0, () => {})).toBe(
      1000000,
    );
  });
});
