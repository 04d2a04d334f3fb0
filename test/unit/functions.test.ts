// Functions below the commands: the library list every thread shares (functions/library-registry.ts), two views
// over one buffer standing for two threads; libraries in RDB form (functions/functions-payload.ts: DUMP
// payloads, 7.0's release candidates' opcode); the library's first line (functions/library-metadata.ts); and two
// threads' Functions over one list with the real Lua addon (skipped without it): a library one adds, replaces
// or deletes is what the other compiles, calls or forgets, and a failed change leaves the list as it was.

import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Functions } from '../../src/core/functions/functions.js';
import { readLibraryMetadata } from '../../src/core/functions/library-metadata.js';
import { LibraryRegistry } from '../../src/core/functions/library-registry.js';
import { loadLuaFrom } from '../../src/core/scripting/lua-addon.js';
import {
  dumpFunctions,
  readFunctionCode,
  readFunctionsDump,
} from '../../src/core/functions/functions-payload.js';
import { OPCODE_FUNCTION } from '../../src/core/rdb/format.js';
import { RdbReader } from '../../src/core/rdb/reader.js';
import { RdbWriter } from '../../src/core/rdb/writer.js';

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

describe('libraries in RDB form', () => {
  it("reads Redis 7.0 release candidates' RDB_OPCODE_FUNCTION as the code with its first line", () => {
    const w = new RdbWriter(false);
    w.string(Buffer.from('oldlib'));
    w.string(Buffer.from('LUA'));
    w.len(1);
    w.string(Buffer.from('a description, dropped'));
    w.string(Buffer.from('\nredis.register_function("f", function() return 1 end)'));
    const code = readFunctionCode(new RdbReader(w.take()), OPCODE_FUNCTION);
    expect(code.toString()).toBe(
      '#!LUA name=oldlib\n\nredis.register_function("f", function() return 1 end)',
    );
  });

  it('round-trips FUNCTION DUMP payloads, and names what is not a function', () => {
    const codes = [Buffer.from('#!lua name=a\nx'), Buffer.from(`#!lua name=b\n${'y'.repeat(200)}`)];
    expect(readFunctionsDump(dumpFunctions(codes, true))).toEqual(codes);
    const notAFunction = Buffer.concat([Buffer.from([0]), dumpFunctions([], false)]);
    expect(readFunctionsDump(Buffer.concat([notAFunction, Buffer.alloc(1)]))).toEqual({
      error: 'given type is not a function',
    });
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
