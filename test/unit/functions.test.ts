// Functions below the commands: the library list every thread shares (functions/library-registry.ts), two views
// over one buffer standing for two threads; the library's first line (functions/library-metadata.ts); and two
// threads' Functions over one list with the real Lua addon (skipped without it): a library one adds, replaces
// or deletes is what the other compiles, calls or forgets, and a failed change leaves the list as it was.

import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Functions } from '../../src/core/functions/functions.js';
import { readLibraryMetadata } from '../../src/core/functions/library-metadata.js';
import { LibraryRegistry } from '../../src/core/functions/library-registry.js';
import { loadLuaFrom } from '../../src/core/scripting/lua-addon.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const lua = loadLuaFrom(root);
const haveLua = !(lua instanceof Error) && existsSync(`${root}build/Release/luaengine.node`);

describe('the shared library list', () => {
  it('hands one view what another wrote, moving the version, and grows past its first buffer', () => {
    const one = LibraryRegistry.create();
    const other = LibraryRegistry.attach(one.buffer);
    const first = other.version;
    const big = Buffer.alloc(100_000, 0x61);
    one.locked(() => one.write([Buffer.from('a'), big, Buffer.from('ccc')]));
    expect(other.version).toBe(first + 1);
    const read = other.read();
    expect(read.codes.map((c) => c.length)).toEqual([1, 100_000, 3]);
    expect(read.codes[1].equals(big)).toBe(true);
    one.locked(() => one.write([]));
    expect(other.read().codes).toEqual([]);
  });
});

describe("a library's first line", () => {
  it('gives the name and the code from the line feed on, or the error Redis gives', () => {
    const parsed = readLibraryMetadata(Buffer.from('#!lua name=mylib\nreturn 1'));
    expect('error' in parsed ? parsed.error : [parsed.name, parsed.code.toString()]).toEqual([
      'mylib',
      '\nreturn 1',
    ]);
    expect(readLibraryMetadata(Buffer.from('#!lua name=a\0b\nx'))).toEqual({
      error: 'Invalid library metadata',
    });
    expect(readLibraryMetadata(Buffer.from('#!Lua NAME=ok\n'))).toMatchObject({ name: 'ok' });
  });
});

const library = (name: string, reply: string): Buffer =>
  Buffer.from(`#!lua name=${name}\nredis.register_function('${name}_fn', function() return '${reply}' end)`);

const noHost = {
  call: () => Buffer.from('+OK\r\n'),
  log: () => {},
  sha1hex: () => '',
  commandExists: () => true,
};

describe.skipIf(!haveLua)('two threads over one library list', () => {
  it('compiles, replaces and forgets on one what the other changed', () => {
    const registry = LibraryRegistry.create();
    const one = new Functions(registry, lua);
    const other = new Functions(LibraryRegistry.attach(registry.buffer), lua);
    expect(one.load(library('lib', 'v1'), false, 500)).toBe('lib');
    const found = other.find('LIB_FN');
    expect(found === undefined ? null : other.call(found, [], [], noHost)).toEqual(Buffer.from('v1'));
    expect(other.load(library('lib', 'v2'), true, 500)).toBe('lib');
    const replaced = one.find('lib_fn');
    expect(replaced === undefined ? null : one.call(replaced, [], [], noHost)).toEqual(Buffer.from('v2'));
    // A change that fails leaves the list as it was, on both.
    expect(
      one.load(
        Buffer.from('#!lua name=other\nredis.register_function("lib_fn", function() end)'),
        false,
        500,
      ),
    ).toEqual({ error: 'Function lib_fn already exists' });
    expect(other.restore([library('dup', 'x'), library('dup', 'y')], 'append')).toEqual({
      error: "Library 'dup' already exists",
    });
    expect(one.list().map((l) => l.name)).toEqual(['lib']);
    expect(other.delete('lib')).toBe(true);
    expect(one.find('lib_fn')).toBeUndefined();
    expect(one.counts()).toEqual({ libraries: 0, functions: 0 });
  });
});
