// What every container type relies on in the store, tested with hand-made container values before any type's
// commands exist: the type bits (TYPE, OBJECT ENCODING, SCAN TYPE), WRONGTYPE from every string operation and
// nil from MGET, COPY/RENAME keeping the type, and the life cycle of an encoding with blocks of its own (freed
// with its key however the key goes, deep-copied by COPY and RENAME).
import { describe, expect, it } from 'vitest';
import { ERR } from '../../src/core/errors.js';
import { toLongDouble } from '../../src/core/args.js';
import type { TableAccess } from '../../src/core/store/access.js';
import type { Arena } from '../../src/core/store/arena.js';
import { containerLimit, registerExternalEncoding, T_HASH, T_LIST } from '../../src/core/store/containers.js';
import { ENC_HASH_LISTPACK, ENC_LIST_QUICKLIST } from '../../src/core/store/layout.js';
import {
  decodeListpack,
  elementEquals,
  elementLength,
  encodeListpack,
  firstElement,
  listpackBytes,
  listpackCount,
  nextElement,
} from '../../src/core/store/listpack.js';
import { SharedStore } from '../../src/core/store/store.js';
import { Config } from '../../src/core/config.js';
import { bindStoreLimits } from '../../src/core/store-limits.js';
import { storeContainerLocked } from '../../src/core/store/values.js';
import { b, commandError, setup } from '../support/store-fixture.js';

function accessOf(store: SharedStore): TableAccess {
  return (store as unknown as { access: TableAccess }).access;
}

/** Stores `value` under key as a container of this type and encoding, as a type's module would. */
function putContainer(
  store: SharedStore,
  key: string,
  value: Uint8Array,
  type: number,
  encoding: number,
): void {
  accessOf(store).writing(store.db, b(key), (a, entry, shard, hash) => {
    storeContainerLocked(a, shard, hash, b(key), entry, value, type, encoding);
  });
}

describe('store containers: type bits and WRONGTYPE', () => {
  const listpack = encodeListpack([b('field'), b('value')]);

  it('TYPE, OBJECT ENCODING and SCAN TYPE see the container', () => {
    const { store } = setup();
    putContainer(store, 'h', listpack, T_HASH, ENC_HASH_LISTPACK);
    store.set(b('s'), b('1'));
    expect(store.type(b('h'))).toBe('hash');
    expect(store.type(b('s'))).toBe('string');
    expect(store.type(b('missing'))).toBe('none');
    expect(store.object(b('h'))?.encoding).toBe('listpack');
    const keysOfType = (type?: string) => store.scan('0', 100, undefined, type).keys.map(String).sort();
    expect(keysOfType('hash')).toEqual(['h']);
    expect(keysOfType('HASH')).toEqual(['h']);
    expect(keysOfType('string')).toEqual(['s']);
    expect(keysOfType('no-such-type')).toEqual([]);
    expect(keysOfType()).toEqual(['h', 's']);
  });

  it('every string operation refuses a container; MGET answers nil; SET replaces it', () => {
    const { store } = setup();
    putContainer(store, 'h', listpack, T_HASH, ENC_HASH_LISTPACK);
    const k = b('h');
    const refused: (() => unknown)[] = [
      () => store.get(k),
      () => store.getDel(k),
      () => store.getEx(k, { persist: true }),
      () => store.append(k, b('x')),
      () => store.strlen(k),
      () => store.incrBy(k, 1n),
      () => store.incrByFloat(k, toLongDouble(b('1.5'))),
      () => store.getRange(k, 0, -1),
      () => store.setRange(k, 0, b('x')),
      () => store.setBit(k, 0, 1),
      () => store.getBit(k, 0),
      () => store.bitCount(k, null),
      () => store.bitPos(k, 1, null),
      () => store.bitField(k, [{ kind: 'get', type: { signed: false, bits: 8 }, offset: 0 }] as never),
      () => store.bitOp('and', b('dest'), [k]),
      () => store.set(k, b('v'), { returnOld: true }),
    ];
    for (const operation of refused) expect(commandError(operation)).toBe(ERR.wrongType);
    expect(store.type(k)).toBe('hash'); // nothing above changed it
    expect(store.mget([k, b('missing')])).toEqual([null, null]);
    expect(store.set(k, b('v')).written).toBe(true);
    expect(store.type(k)).toBe('string');
    expect(store.get(k)).toEqual(b('v'));
  });

  it('COPY and RENAME keep the type, encoding and contents; MOVE too', () => {
    const { store } = setup();
    putContainer(store, 'h', listpack, T_HASH, ENC_HASH_LISTPACK);
    expect(store.copy(b('h'), b('copy'), false)).toBe(true);
    expect(store.rename(b('h'), b('renamed'), false)).toBe('ok');
    expect(store.move(b('copy'), 1)).toBe(true);
    for (const [view, key] of [
      [store, 'renamed'],
      [store.select(1), 'copy'],
    ] as const) {
      expect(view.type(b(key))).toBe('hash');
      expect(view.object(b(key))?.encoding).toBe('listpack');
      const value = accessOf(view).reading(view.db, b(key), (a, entry) =>
        decodeListpack(a.arena.u8, a.table.valueStart(entry)),
      );
      expect(value.map(String)).toEqual(['field', 'value']);
    }
  });
});

describe('store containers: an encoding with blocks of its own', () => {
  // A stand-in external encoding: the root is (block offset, units) of one block holding a counter byte.
  const released: number[] = [];
  const cloned: number[] = [];
  const ROOT_BYTES = 8;
  const ops = {
    release(arena: Arena, segment: number, root: number) {
      const view = new DataView(arena.buffer, root, ROOT_BYTES);
      released.push(view.getUint32(0, true));
      arena.free(segment, view.getUint32(0, true), view.getUint32(4, true));
    },
    clone(arena: Arena, segment: number, root: number) {
      const view = new DataView(arena.buffer, root, ROOT_BYTES);
      const [from, units] = [view.getUint32(0, true), view.getUint32(4, true)];
      const copy = arena.alloc(segment, units);
      arena.u8.copyWithin(copy * 8, from * 8, (from + units) * 8);
      new DataView(arena.buffer, root, ROOT_BYTES).setUint32(0, copy, true);
      cloned.push(copy);
    },
    footprint(arena: Arena, root: number) {
      return new DataView(arena.buffer, root, ROOT_BYTES).getUint32(4, true) * 8;
    },
  };
  registerExternalEncoding(T_LIST, ENC_LIST_QUICKLIST, ops);

  function putExternal(store: SharedStore, key: string, marker: number): void {
    const a = accessOf(store);
    a.writing(store.db, b(key), (access, entry, shard, hash) => {
      const block = access.arena.alloc(shard & a.mask, 16);
      access.arena.u8[block * 8] = marker;
      const root = Buffer.alloc(ROOT_BYTES);
      root.writeUInt32LE(block, 0);
      root.writeUInt32LE(16, 4);
      storeContainerLocked(access, shard, hash, b(key), entry, root, T_LIST, ENC_LIST_QUICKLIST);
    });
  }

  function markerOf(store: SharedStore, key: string): number {
    return accessOf(store).reading(store.db, b(key), (a, entry) => {
      const block = new DataView(a.arena.buffer, a.table.valueStart(entry), ROOT_BYTES).getUint32(0, true);
      return a.arena.u8[block * 8];
    });
  }

  it('frees the blocks however the key goes: DEL, SET over it, expiry, FLUSHDB', () => {
    const { store, clock } = setup();
    store.select(1).set(b('other'), b('x')); // a key in another database: FLUSHDB frees entry by entry
    putExternal(store, 'a', 1);
    putExternal(store, 'b', 2);
    putExternal(store, 'c', 3);
    putExternal(store, 'd', 4);
    expect(store.object(b('a'))?.encoding).toBe('quicklist');
    released.length = 0;
    expect(store.del([b('a')])).toBe(1);
    store.set(b('b'), b('now a string'));
    store.expireAt(b('c'), clock.now + 1000);
    clock.now += 2000;
    expect(store.exists([b('c')])).toBe(0);
    store.activeExpireCycle();
    store.del([b('b')]);
    expect(released).toHaveLength(3);
    store.flushDb();
    expect(released).toHaveLength(4);
    // As much memory in use as in a store that never held a container (FLUSHDB also frees db 0's index).
    const twin = setup().store;
    twin.select(1).set(b('other'), b('x'));
    twin.flushDb();
    expect(store.stats().usedMemory).toBe(twin.stats().usedMemory);
  });

  it('COPY gives the copy blocks of its own; RENAME to another segment too, freeing the old', () => {
    const { store } = setup({ segments: 64 });
    const baseline = store.stats().usedMemory;
    putExternal(store, 'src', 7);
    cloned.length = 0;
    released.length = 0;
    expect(store.copy(b('src'), b('dst'), false)).toBe(true);
    expect(cloned).toHaveLength(1);
    expect(markerOf(store, 'dst')).toBe(7);
    store.del([b('src')]); // the copy's block must survive the source's
    expect(markerOf(store, 'dst')).toBe(7);
    expect(store.rename(b('dst'), b('elsewhere'), false)).toBe('ok');
    expect(markerOf(store, 'elsewhere')).toBe(7);
    expect(store.type(b('elsewhere'))).toBe('list');
    store.del([b('elsewhere')]);
    expect(released.length).toBe(cloned.length + 1);
    expect(store.stats().usedMemory).toBe(baseline);
  });
});

describe('listpack codec', () => {
  it('round-trips elements of every length class, walked forward without copying', () => {
    const elements = [0, 1, 127, 128, 300, 16384, 70000].map((n) => Buffer.alloc(n, n % 251));
    const packed = encodeListpack(elements);
    expect(packed.length).toBe(listpackBytes(elements));
    expect(listpackCount(packed, 0)).toBe(elements.length);
    expect(decodeListpack(packed, 0)).toEqual(elements);
    let pos = firstElement(0);
    for (const element of elements) {
      expect(elementLength(packed, pos)).toBe(element.length);
      expect(elementEquals(packed, pos, element)).toBe(true);
      expect(elementEquals(packed, pos, Buffer.concat([element, b('x')]))).toBe(false);
      pos = nextElement(packed, pos);
    }
    expect(pos).toBe(packed.length);
  });
});

describe('container thresholds', () => {
  it('start at Redis 7.0 defaults and follow CONFIG SET on every thread (they live in shared memory)', () => {
    const { store } = setup();
    const config = new Config();
    bindStoreLimits(store, config);
    const control = accessOf(store).control;
    const other = SharedStore.attach(store.handles(), () => 0); // another thread's view of the same buffers
    const otherControl = accessOf(other).control;
    expect(containerLimit(control, 'hash-max-listpack-entries')).toBe(512);
    expect(containerLimit(control, 'list-max-listpack-size')).toBe(-2);
    config.setMany([
      ['zset-max-listpack-value', '7'],
      ['set-max-intset-entries', '99999999999'],
    ]);
    expect(containerLimit(otherControl, 'zset-max-listpack-value')).toBe(7);
    expect(containerLimit(otherControl, 'set-max-intset-entries')).toBe(2 ** 31 - 1);
  });
});
