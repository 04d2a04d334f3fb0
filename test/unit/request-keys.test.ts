// scanRequestKeys: where each pipelined RESP request's first argument lies, read ahead of the parser so a batch's
// keys can be warmed together (store/warm-keys.ts). It must find exactly those, and stop at anything the parser
// would have to judge (inline requests, bad lengths, a request cut off before its key is whole).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { scanRequestKeys } from '../../src/core/request-keys.js';
import { MAX_WARMED_KEYS, type KeyPositions } from '../../src/core/store/warm-keys.js';

const resp = (...args: string[]): string =>
  `*${args.length}\r\n${args.map((a) => `$${a.length}\r\n${a}\r\n`).join('')}`;

function keysOf(text: string): string[] {
  const buf = Buffer.from(text, 'latin1');
  const keys: KeyPositions = {
    starts: new Int32Array(MAX_WARMED_KEYS),
    lengths: new Int32Array(MAX_WARMED_KEYS),
    count: 0,
  };
  const found = scanRequestKeys(buf, 0, buf.length, keys);
  expect(keys.count).toBe(found);
  return Array.from({ length: found }, (_, i) =>
    buf.toString('latin1', keys.starts[i], keys.starts[i] + keys.lengths[i]),
  );
}

describe('scanRequestKeys', () => {
  it("finds each request's first argument, skipping the rest of its arguments", () => {
    const batch =
      resp('SET', 'user:1', 'x'.repeat(1000)) + resp('GET', 'user:2') + resp('PING') + resp('DEL', 'a', 'b');
    expect(keysOf(batch)).toEqual(['user:1', 'user:2', 'a']);
  });

  it('keeps a request cut off after its key, and stops at one cut off inside it', () => {
    const whole = resp('SET', 'k1', 'v1');
    expect(keysOf(whole + resp('SET', 'k2', 'value').slice(0, 20))).toEqual(['k1', 'k2']);
    expect(keysOf(whole + resp('SET', 'k2', 'value').slice(0, 16))).toEqual(['k1']);
  });

  it('stops at what only the parser may judge: inline requests, bad lengths, null bulks', () => {
    expect(keysOf(resp('GET', 'a') + 'GET b\r\n' + resp('GET', 'c'))).toEqual(['a']);
    expect(keysOf(resp('GET', 'a') + '*2\r\n$3\r\nGET\r\n$x\r\nb\r\n' + resp('GET', 'c'))).toEqual(['a']);
    expect(keysOf(resp('GET', 'a') + '*2\r\n$3\r\nGET\r\n$-1\r\n' + resp('GET', 'c'))).toEqual(['a']);
    expect(keysOf('*99999999999\r\n')).toEqual([]);
  });

  it('takes at most MAX_WARMED_KEYS keys, and none longer than 256 bytes', () => {
    const many = Array.from({ length: MAX_WARMED_KEYS + 10 }, (_, i) => resp('GET', `k${i}`)).join('');
    expect(keysOf(many)).toHaveLength(MAX_WARMED_KEYS);
    expect(keysOf(resp('GET', 'x'.repeat(257)) + resp('GET', 'y'))).toEqual(['y']);
  });

  it('finds the same first arguments the requests hold, for any batch of well-formed requests', () => {
    const arg = fc.string({ maxLength: 40 }).map((s) => Buffer.from(s, 'utf8').toString('latin1'));
    fc.assert(
      fc.property(fc.array(fc.array(arg, { minLength: 1, maxLength: 5 }), { maxLength: 20 }), (requests) => {
        const expected = requests.filter((r) => r.length > 1 && r[1].length <= 256).map((r) => r[1]);
        expect(keysOf(requests.map((r) => resp(...r)).join(''))).toEqual(expected);
      }),
    );
  });
});
