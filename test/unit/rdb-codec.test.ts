// The RDB codecs: LZF, CRC-64, listpack/intset bytes, every value form, file framing and DUMP payloads, each a
// round trip plus fixed bytes Redis 7.0 produces.

import { describe, expect, it } from 'vitest';
import { crc64 } from '../../src/core/rdb/crc64.js';
import { createDumpPayload, readDumpPayload, verifyDumpPayload } from '../../src/core/rdb/dump.js';
import { decodeRdb, encodeRdb, type RdbEntry } from '../../src/core/rdb/file.js';
import { RdbFormatError, type RdbValue } from '../../src/core/rdb/format.js';
import { lzfCompress, lzfDecompress } from '../../src/core/rdb/lzf.js';
import { RdbReader } from '../../src/core/rdb/reader.js';
import {
  decodeIntset,
  decodeListpack,
  encodeIntset,
  encodeListpack,
} from '../../src/core/rdb/redis-listpack.js';
import { readValue, writeValue } from '../../src/core/rdb/value-codec.js';
import { RdbWriter } from '../../src/core/rdb/writer.js';

const b = (s: string) => Buffer.from(s, 'latin1');

function roundTrip(value: RdbValue, compress = true): RdbValue {
  const w = new RdbWriter(compress);
  writeValue(w, value);
  const bytes = w.take();
  const r = new RdbReader(bytes);
  const out = readValue(r, r.byte());
  expect(r.offset).toBe(bytes.length);
  return out;
}

describe('LZF', () => {
  it('round-trips repetitive and random data, and refuses what does not shrink by 4 bytes', () => {
    const repetitive = b('abcabcabcabcabcabcabcabcabcabcabcabcabcabc'.repeat(50));
    const packed = lzfCompress(repetitive);
    expect(packed).not.toBeNull();
    expect(packed!.length).toBeLessThan(repetitive.length / 4);
    expect(lzfDecompress(packed!, repetitive.length)).toEqual(repetitive);
    let seed = 0x2545f491;
    const next = () => {
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      return (seed >>> 24) & 0xff;
    };
    const random = Buffer.from(Array.from({ length: 5000 }, next));
    expect(lzfCompress(random)).toBeNull();
    const mixed = Buffer.concat([random.subarray(0, 300), repetitive, random.subarray(300, 400)]);
    expect(lzfDecompress(lzfCompress(mixed)!, mixed.length)).toEqual(mixed);
  });

  it('rejects a truncated or out-of-range stream', () => {
    const packed = lzfCompress(b('x'.repeat(100)))!;
    expect(lzfDecompress(packed.subarray(0, packed.length - 1), 100)).toBeNull();
    expect(lzfDecompress(Buffer.from([0x20, 0x05]), 10)).toBeNull(); // a back reference before the start
  });
});

describe('CRC-64', () => {
  it("matches crc64.c's test vector", () => {
    expect(crc64(b('123456789')).value()).toBe(0xe9c6d914c4b8d9can);
  });
});

describe('listpack and intset bytes', () => {
  it('encodes integers in their smallest form and strings by length, as listpack.c', () => {
    const lp = encodeListpack([
      b('5'),
      b('-1'),
      b('1000'),
      b('40000'),
      b('9000000'),
      b('3000000000'),
      b('abc'),
    ]);
    expect(lp.readUInt32LE(0)).toBe(lp.length);
    expect(lp.readUInt16LE(4)).toBe(7);
    // 7-bit uint, 13-bit int, 13-bit int, int24? no: 40000 needs 24 bits; 9000000 24 bits; int64; 6-bit string.
    expect([...lp.subarray(6, 8)]).toEqual([0x05, 0x01]);
    expect(lp[lp.length - 1]).toBe(0xff);
    expect(decodeListpack(lp).map(String)).toEqual([
      '5',
      '-1',
      '1000',
      '40000',
      '9000000',
      '3000000000',
      'abc',
    ]);
    const long = b('y'.repeat(5000));
    const medium = b('z'.repeat(100));
    expect(decodeListpack(encodeListpack([long, medium, b('007'), b('')]))).toEqual([
      long,
      medium,
      b('007'),
      b(''),
    ]);
  });

  it('refuses a listpack whose length or terminator is wrong', () => {
    const lp = encodeListpack([b('a'), b('b')]);
    expect(() => decodeListpack(lp.subarray(0, lp.length - 1))).toThrow(RdbFormatError);
    const bad = Buffer.from(lp);
    bad[bad.length - 1] = 0;
    expect(() => decodeListpack(bad)).toThrow(RdbFormatError);
  });

  it('writes intsets sorted in the narrowest width', () => {
    const set = encodeIntset([3n, -2n, 70000n]);
    expect(set.readUInt32LE(0)).toBe(4);
    expect(decodeIntset(set).map(String)).toEqual(['-2', '3', '70000']);
    expect(encodeIntset([1n, 2n]).readUInt32LE(0)).toBe(2);
    expect(decodeIntset(encodeIntset([2n ** 40n])).map(String)).toEqual([String(2n ** 40n)]);
  });
});

describe('strings', () => {
  it('writes integer-looking strings as encoded integers, as rdbTryIntegerEncoding', () => {
    const w = new RdbWriter(true);
    w.string(b('12'));
    w.string(b('-300'));
    w.string(b('100000'));
    w.string(b('012'));
    w.string(b('99999999999'));
    expect([...w.take()]).toEqual([
      0xc0,
      12,
      0xc1,
      0xd4,
      0xfe,
      0xc2,
      0xa0,
      0x86,
      0x01,
      0x00,
      3,
      0x30,
      0x31,
      0x32,
      11,
      ...b('99999999999'),
    ]);
  });

  it('compresses long strings with LZF only when enabled and smaller', () => {
    const text = b('hello world '.repeat(10));
    const on = new RdbWriter(true);
    on.string(text);
    const compressed = on.take();
    expect(compressed[0]).toBe(0xc3);
    expect(new RdbReader(compressed).string()).toEqual(text);
    const off = new RdbWriter(false);
    off.string(text);
    expect(off.take().length).toBe(1 + 1 + text.length); // 14-bit length + bytes
  });

  it('reads lengths in all four sizes', () => {
    const w = new RdbWriter(false);
    for (const n of [0, 63, 64, 16383, 16384, 2 ** 32 - 1, 2 ** 32]) w.len(n);
    const r = new RdbReader(w.take());
    for (const n of [0, 63, 64, 16383, 16384, 2 ** 32 - 1, 2 ** 32]) expect(r.len()).toBe(n);
  });
});

describe('values', () => {
  it('round-trips every type in its compact and its plain form', () => {
    const many = (n: number, f: (i: number) => string) => Array.from({ length: n }, (_, i) => b(f(i)));
    const values: RdbValue[] = [
      { type: 'string', value: b('') },
      { type: 'string', value: b('v'.repeat(1000)) },
      // A list comes back with the nodes it was written in (the loader keeps them).
      { type: 'list', elements: many(3, (i) => `e${i}`), nodes: [3] },
      { type: 'list', elements: many(1000, (i) => (i % 2 ? String(i) : `elem-${i}`)), nodes: [1, 600, 399] },
      { type: 'set', members: many(10, (i) => String(i * 7 - 20)) },
      { type: 'set', members: many(600, (i) => String(i)) },
      { type: 'set', members: [b('a'), b('1')] },
      // A hash or sorted set read from its listpack form says so (compact), for the loader.
      { type: 'hash', pairs: many(10, (i) => `f${i}`), compact: true },
      { type: 'hash', pairs: many(1200, (i) => `field-${i}`) },
      { type: 'hash', pairs: [b('big'), b('x'.repeat(100))] },
      { type: 'hash', pairs: [b('big'), b('x'.repeat(100))], compact: true },
      {
        type: 'zset',
        entries: [
          { member: b('a'), score: 1.5 },
          { member: b('b'), score: -Infinity },
          { member: b('c'), score: 0.1 },
        ],
        compact: true,
      },
      { type: 'zset', entries: [{ member: b('x'.repeat(100)), score: 1 }] },
    ];
    for (const value of values) expect(roundTrip(value)).toEqual(value);
  });

  it('reads Redis 7.0 listpack forms of hashes and sorted sets', () => {
    const hash = Buffer.concat([
      Buffer.from([16]),
      lenString(encodeListpack([b('f'), b('1'), b('g'), b('v')])),
    ]);
    const r = new RdbReader(hash);
    expect(readValue(r, r.byte())).toEqual({
      type: 'hash',
      pairs: [b('f'), b('1'), b('g'), b('v')],
      compact: true,
    });
    const zset = Buffer.concat([
      Buffer.from([17]),
      lenString(encodeListpack([b('m'), b('2'), b('n'), b('3.25'), b('o'), b('inf')])),
    ]);
    const z = new RdbReader(zset);
    expect(readValue(z, z.byte())).toEqual({
      type: 'zset',
      entries: [
        { member: b('m'), score: 2 },
        { member: b('n'), score: 3.25 },
        { member: b('o'), score: Infinity },
      ],
      compact: true,
    });
  });

  it('refuses types it does not load with a format error', () => {
    const r = new RdbReader(Buffer.from([0]));
    expect(() => readValue(r, 15)).toThrow(/Unsupported RDB value type 15/);
  });
});

function lenString(bytes: Buffer): Buffer {
  const w = new RdbWriter(false);
  w.len(bytes.length);
  w.bytes(bytes);
  return w.take();
}

describe('files', () => {
  const entries: RdbEntry[] = [
    { key: b('s'), value: { type: 'string', value: b('1') }, expireAt: 0 },
    { key: b('t'), value: { type: 'string', value: b('ttl') }, expireAt: 1_900_000_000_123 },
  ];
  const encode = (checksum: boolean) =>
    Buffer.concat([
      ...encodeRdb(
        [
          { db: 0, keys: 2, expires: 1, entries },
          { db: 1, keys: 0, expires: 0, entries: [] },
          { db: 3, keys: 1, expires: 0, entries: [entries[0]] },
        ],
        { compress: true, checksum, ctime: 1_700_000_000, usedMemory: 1000 },
      ),
    ]);

  it('round-trips keys, databases and expiry, with the aux fields Redis writes', () => {
    const file = encode(true);
    expect(file.subarray(0, 9).toString()).toBe('REDIS0010');
    const seen: [number, RdbEntry][] = [];
    const info = decodeRdb(file, (db, e) => seen.push([db, e]), { checksum: true });
    expect(seen).toEqual([
      [0, entries[0]],
      [0, entries[1]],
      [3, entries[0]],
    ]);
    expect(info.aux.get('redis-ver')).toBe('7.0.0');
    expect(info.aux.get('redis-bits')).toBe('64');
    expect(info.aux.get('ctime')).toBe('1700000000');
    expect(info.aux.get('aof-base')).toBe('0');
  });

  it('detects a damaged file by its checksum, and accepts a file written without one', () => {
    const file = encode(true);
    const damaged = Buffer.from(file);
    damaged[30] ^= 1;
    expect(() => decodeRdb(damaged, () => {}, { checksum: true })).toThrow(/checksum|RDB/);
    const unchecked = encode(false);
    expect(unchecked.subarray(unchecked.length - 8).every((x) => x === 0)).toBe(true);
    expect(decodeRdb(unchecked, () => {}, { checksum: true }).keys).toBe(3);
    expect(() => decodeRdb(file.subarray(0, file.length - 20), () => {}, { checksum: true })).toThrow(
      RdbFormatError,
    );
    expect(() => decodeRdb(b('REDIS0011'), () => {}, { checksum: true })).toThrow(/version/);
  });
});

describe('rdb-key-save-delay', () => {
  const keys = 6;
  const entries = Array.from({ length: keys }, (_, i): RdbEntry => ({
    key: b(`k${i}`),
    value: { type: 'string', value: b(`v${i}`) },
    expireAt: 0,
  }));
  const options = { compress: false, checksum: true, ctime: 1_700_000_000, usedMemory: 0 };
  const databases = [{ db: 0, keys, expires: 0, entries }];

  it('is read after every key: a key per chunk while it is set, the rest at once once it is 0', () => {
    let reads = 0;
    // 1 us after each of the first three keys, then lifted (as a CONFIG SET reaches a save under way).
    const delay = (): number => (++reads <= 3 ? 1 : 0);
    const chunks = [...encodeRdb(databases, options, delay)];
    expect(reads).toBe(keys);
    expect(chunks).toHaveLength(3 + 1); // three delayed keys, then everything else in the last chunk
    const undelayed = [...encodeRdb(databases, options)];
    expect(undelayed).toHaveLength(1);
    expect(Buffer.concat(chunks)).toEqual(Buffer.concat(undelayed));
  });

  it('sleeps that long after each key', () => {
    const began = Date.now();
    [...encodeRdb(databases, options, () => 20_000)];
    expect(Date.now() - began).toBeGreaterThanOrEqual(keys * 20 - 5);
  });
});

describe('DUMP payloads', () => {
  it('carries the RDB version and a CRC-64, as createDumpPayload', () => {
    const payload = createDumpPayload({ type: 'string', value: b('bar') }, true);
    // Redis 7.0: DUMP of "bar" is \x00\x03bar\n\x00 + CRC.
    expect([...payload.subarray(0, 7)]).toEqual([0, 3, 0x62, 0x61, 0x72, 10, 0]);
    expect(verifyDumpPayload(payload, true)).toBe(true);
    expect(readDumpPayload(payload)).toEqual({ type: 'string', value: b('bar') });
    const bad = Buffer.from(payload);
    bad[3] ^= 1;
    expect(verifyDumpPayload(bad, true)).toBe(false);
    expect(verifyDumpPayload(bad, false)).toBe(true);
    const newer = Buffer.from(payload);
    newer[5] = 11;
    expect(verifyDumpPayload(newer, false)).toBe(false);
    expect(verifyDumpPayload(payload.subarray(0, 9), false)).toBe(false);
  });
});
