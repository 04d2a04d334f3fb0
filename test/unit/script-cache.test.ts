// The script cache every thread shares (scripting/script-cache.ts), two views over one buffer standing for two
// threads; the shebang reader (scripting/shebang.ts); and a thread's Scripting without the Lua addon, which
// answers every EVAL that scripting is unavailable.

import { describe, expect, it } from 'vitest';
import { ScriptCache, scriptSha } from '../../src/core/scripting/script-cache.js';
import { Scripting } from '../../src/core/scripting/scripting.js';
import { readShebang } from '../../src/core/scripting/shebang.js';

describe('the shared script cache', () => {
  it('finds on one thread what another added, and forgets everywhere on a flush', () => {
    const one = ScriptCache.create();
    const other = ScriptCache.attach(one.buffer);
    const body = Buffer.from('return 1');
    const sha = one.add(body);
    expect(sha).toBe(scriptSha(body));
    expect(other.find(sha)?.body.toString()).toBe('return 1');
    expect(other.size).toBe(1);
    expect(other.add(body)).toBe(sha); // already there: not appended twice
    expect(one.size).toBe(1);
    const generation = one.generation;
    other.flush();
    expect(one.find(sha)).toBeUndefined();
    expect(one.generation).toBe(generation + 1);
    one.add(Buffer.from('return 2'));
    expect(other.size).toBe(1);
  });

  it('grows past its first buffer', () => {
    const one = ScriptCache.create();
    const other = ScriptCache.attach(one.buffer);
    const shas = Array.from({ length: 40 }, (_, i) =>
      one.add(Buffer.from(`return '${String(i).repeat(3000)}'`)),
    );
    expect(one.buffer.byteLength).toBeGreaterThan(64 * 1024);
    for (const sha of shas) expect(other.find(sha)).toBeDefined();
  });
});

describe('the shebang', () => {
  it('reads flags and refuses what Redis refuses', () => {
    expect(readShebang(Buffer.from('return 1'))).toEqual({ flags: null, length: 0 });
    expect(readShebang(Buffer.from('#!lua flags=no-writes,allow-oom\nreturn 1'))).toEqual({
      flags: new Set(['no-writes', 'allow-oom']),
      length: 31,
    });
    expect(readShebang(Buffer.from('#!lua\nreturn 1'))).toEqual({ flags: new Set(), length: 5 });
    expect(readShebang(Buffer.from('#!lua'))).toEqual({ error: 'Invalid script shebang' });
    expect(readShebang(Buffer.from('#!py\n'))).toEqual({
      error: 'Unexpected engine in script shebang: #!py',
    });
    expect(readShebang(Buffer.from('#!lua name=x\n'))).toEqual({
      error: 'Unknown lua shebang option: name=x',
    });
    expect(readShebang(Buffer.from('#!lua flags=bad\n'))).toEqual({
      error: 'Unexpected flag in script shebang: bad',
    });
  });
});

describe('a thread without the Lua addon', () => {
  it('answers that scripting is unavailable, saying why', () => {
    const scripting = new Scripting(ScriptCache.create(), new Error('luaengine.node was not built'));
    expect(scripting.unavailable).toBe('luaengine.node was not built');
    expect(scripting.load(Buffer.from('return 1'))).toEqual({
      error: 'ERR scripting is unavailable: luaengine.node was not built',
    });
    expect(scripting.usedMemory).toBe(0);
  });
});
