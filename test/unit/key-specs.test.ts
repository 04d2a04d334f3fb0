// commandKeys (src/core/key-specs.ts), the one reader of a command line's key positions that COMMAND GETKEYS,
// EXEC's and a logged write's locks (transaction.ts keysOf) and the keys a write makes ready for blocked
// clients (blocking/ready-keys.ts) all use: the commands of this server with unusual key specs, plus two
// shapes only specs of commands this server lacks take (EVAL's numkeys after the script, XREAD's keys and IDs
// halves), and keysOf built on it. GETKEYS is compared with redis-server 7.0 in
// test/conformance/command-keys-differential.test.ts.

import { describe, expect, it } from 'vitest';
import type { CommandSpec } from '../../src/core/command.js';
import { ALL_COMMANDS } from '../../src/core/commands/table.js';
import { commandKeys, countedKeys, hasKeyArguments, type KeyedCommand } from '../../src/core/key-specs.js';
import { keysOf, type WatchedKey } from '../../src/core/transaction.js';

function command(name: string): CommandSpec {
  const spec = ALL_COMMANDS.find((c) => c.name === name);
  if (spec === undefined) throw new Error(`no command ${name}`);
  return spec;
}

const line = (text: string): Buffer[] => text.split(' ').map((w) => Buffer.from(w));
const keysOfLine = (spec: KeyedCommand, text: string): string[] | null =>
  commandKeys(spec, line(text))?.map(String) ?? null;
const keys = (text: string): string[] | null => keysOfLine(command(text.split(' ')[0].toLowerCase()), text);

describe('commandKeys', () => {
  it('reads the first/last/step range: one key, every other argument, all but the timeout', () => {
    expect(keys('GET k')).toEqual(['k']);
    expect(keys('MSET a 1 b 2')).toEqual(['a', 'b']);
    expect(keys('MSET a 1 b')).toEqual(['a', 'b']);
    expect(keys('BLPOP a b 0')).toEqual(['a', 'b']);
    expect(keys('RENAME a b')).toEqual(['a', 'b']);
  });

  it('names no keys for a command without key arguments or whose arguments are shard channels', () => {
    expect(keys('PING x')).toEqual([]);
    expect(hasKeyArguments(command('ping'))).toBe(false);
    expect(keys('SPUBLISH ch m')).toEqual([]);
    expect(hasKeyArguments(command('spublish'))).toBe(false);
  });

  it('reads numkeys first (LMPOP, ZMPOP, ZUNION) or after the timeout (BLMPOP, BZMPOP)', () => {
    expect(keys('LMPOP 2 a b LEFT COUNT 3')).toEqual(['a', 'b']);
    expect(keys('LMPOP 1 a b LEFT')).toEqual(['a']);
    expect(keys('ZMPOP 1 z MIN')).toEqual(['z']);
    expect(keys('ZUNION 2 a b WITHSCORES')).toEqual(['a', 'b']);
    expect(keys('BLMPOP 0 2 a b LEFT')).toEqual(['a', 'b']);
    expect(keys('BZMPOP 1.5 1 z MAX')).toEqual(['z']);
  });

  it('refuses a numkeys that is not a positive integer or counts past the end of the line', () => {
    for (const bad of ['LMPOP 0 a LEFT', 'LMPOP -1 a LEFT', 'LMPOP x a', 'LMPOP 3 a b', 'BLMPOP 0 3 a b']) {
      expect(keys(bad), bad).toBeNull();
    }
  });

  it('reads a destination before numkeys (ZUNIONSTORE), two kinds of key (ZRANGESTORE, LMOVE)', () => {
    expect(keys('ZUNIONSTORE d 2 a b WEIGHTS 1 2')).toEqual(['d', 'a', 'b']);
    expect(keys('ZUNIONSTORE d 3 a b')).toBeNull();
    expect(keys('ZRANGESTORE d s 0 -1')).toEqual(['d', 's']);
    expect(keys('LMOVE a b LEFT RIGHT')).toEqual(['a', 'b']);
  });

  it('reads shapes of commands this server lacks: EVAL-like numkeys after an argument, XREAD-like halves', () => {
    const evalLike: KeyedCommand = { keys: [0, 0, 0], keySpecs: [countedKeys(2, ['RW'])] };
    expect(keysOfLine(evalLike, 'EVAL script 2 k1 k2 arg')).toEqual(['k1', 'k2']);
    expect(keysOfLine(evalLike, 'EVAL script 3 k1 k2')).toBeNull();
    // XREAD ... STREAMS key [key ...] id [id ...]: from the first key, every argument of the first half (limit 2).
    const xreadLike: KeyedCommand = {
      keys: [0, 0, 0],
      keySpecs: [{ flags: ['RO'], index: 4, find: { type: 'range', lastkey: -1, keystep: 1, limit: 2 } }],
    };
    expect(keysOfLine(xreadLike, 'XREAD COUNT 1 STREAMS a b 0 0')).toEqual(['a', 'b']);
    expect(keysOfLine(xreadLike, 'XREAD COUNT 1 STREAMS a 0')).toEqual(['a']);
  });
});

describe('keysOf (the keys EXEC locks)', () => {
  const queued = (...texts: string[]) =>
    texts.map((text) => ({ spec: command(text.split(' ')[0].toLowerCase()), argv: line(text) }));

  it('locks every key the commands name, by their key specs too, and the watched keys', () => {
    const watched: WatchedKey[] = [
      { key: Buffer.from('w'), db: 0, watch: { hash: 0, versionAt: 0, version: 0, live: false } },
    ];
    const locked = keysOf(queued('SET k v', 'ZUNIONSTORE d 2 a b', 'BLMPOP 0 1 q LEFT', 'PING'), watched);
    expect(locked?.map(String)).toEqual(['w', 'k', 'd', 'a', 'b', 'q']);
  });

  it('locks every segment for a command on the whole keyspace, nothing more for a bad numkeys', () => {
    expect(keysOf(queued('SET k v', 'FLUSHDB'), [])).toBeNull();
    expect(keysOf(queued('LMPOP 5 a LEFT'), [])).toEqual([]);
  });
});
