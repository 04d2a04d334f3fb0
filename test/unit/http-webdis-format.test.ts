// Webdis's URL scheme (src/http/command-path.ts) and reply bodies (src/http/reply-body.ts) without sockets. The
// JSON expected for each reply kind is what webdis 0.1.9 (Debian's) answered in front of Redis 7.0.

import { describe, expect, it } from 'vitest';
import { parseCommandPath, percentDecode, type CommandRequest } from '../../src/http/command-path.js';
import { jsonBody, rawBody, valueBody } from '../../src/http/reply-body.js';
import {
  array,
  bulkString,
  error,
  integer,
  map,
  NIL,
  OK,
  status,
  verbatim,
  type Reply,
} from '../../src/core/reply.js';

function parsed(path: string, body: Buffer | null = null): CommandRequest {
  const result = parseCommandPath(path, body);
  if (typeof result === 'string') throw new Error(result);
  return result;
}

const argv = (path: string): string[] => parsed(path).argv.map((a) => a.toString('latin1'));

describe("Webdis's URL scheme", () => {
  it('splits on / and decodes each argument but the command', () => {
    expect(argv('SET/a%2fb/c%2ed+e')).toEqual(['SET', 'a/b', 'c.d e']);
    expect(argv('GET%20X/k')).toEqual(['GET%20X', 'k']);
    expect(argv('SET/k/')).toEqual(['SET', 'k', '']);
    expect(percentDecode('100%').toString()).toBe('100%');
    expect(percentDecode('%zz%4').toString()).toBe('%zz%4');
    expect([...percentDecode('%00%ff')]).toEqual([0, 255]);
    expect(percentDecode('a%4a%4Ab+').toString()).toBe('aJJb ');
  });

  it('takes a leading number as the database, and PUT bodies as the last argument', () => {
    expect(parsed('7/GET/k')).toMatchObject({ db: 7 });
    expect(argv('7/GET/k')).toEqual(['GET', 'k']);
    expect(parsed('7')).toMatchObject({ db: null });
    expect(argv('SET/k')).toEqual(['SET', 'k']);
    expect(parsed('SET/k', Buffer.from('a/b.c')).argv.map(String)).toEqual(['SET', 'k', 'a/b.c']);
  });

  it('reads a known extension on the last segment as the format, and leaves others in the argument', () => {
    expect(parsed('GET/k.txt').format).toEqual({
      kind: 'value',
      contentType: 'text/plain',
      separator: Buffer.alloc(0),
    });
    expect(parsed('GET/k.raw').format.kind).toBe('raw');
    expect(parsed('GET/k.js').format).toEqual({ kind: 'json', contentType: 'application/javascript' });
    expect(argv('GET/k.foo')).toEqual(['GET', 'k.foo']);
    expect(argv('GET/a.b/k')).toEqual(['GET', 'a.b', 'k']);
    expect(argv('GET/k%2etxt')).toEqual(['GET', 'k.txt']);
    expect(parsed('MGET/a/b?sep=%2C&type=text/csv').format).toEqual({
      kind: 'value',
      contentType: 'text/csv',
      separator: Buffer.from(','),
    });
  });

  it('says what is wrong with a path it cannot run', () => {
    expect(parseCommandPath('')).toMatch(/^no command/);
    expect(parseCommandPath('3/')).toMatch(/^no command/);
    expect(parseCommandPath('GET/k?type=a%0d%0ab:c')).toMatch(/^invalid content type/);
  });
});

describe("Webdis's reply bodies", () => {
  it.each<[string, Reply, string]>([
    ['status', OK, '{"SET":[true,"OK"]}'],
    ['error', error('ERR no'), '{"SET":[false,"ERR no"]}'],
    ['bulk', bulkString('a"b\n'), '{"SET":"a\\"b\\n"}'],
    ['nil', NIL, '{"SET":null}'],
    ['integer', integer(-3n), '{"SET":-3}'],
    [
      'array',
      array([bulkString('a'), NIL, integer(1), status('s'), error('E'), array([])]),
      '{"SET":["a",null,1,"s",null,[]]}',
    ],
    ['map', map([[bulkString('f'), integer(1)]]), '{"SET":["f",1]}'],
  ])('writes a %s reply as Webdis', (_kind, reply, expected) => {
    expect(jsonBody('SET', reply)).toBe(expected);
  });

  it('writes HGETALL as an object and INFO as an object of its fields', () => {
    expect(jsonBody('hgetall', array([bulkString('f'), bulkString('v'), bulkString('g'), NIL]))).toBe(
      '{"hgetall":{"f":"v","g":null}}',
    );
    expect(
      jsonBody('INFO', verbatim('# Server\r\nredis_version:7.0.0\r\nx:a:b\r\n\r\n# Clients\r\nc:1\r\n')),
    ).toBe('{"INFO":{"redis_version":"7.0.0","x":"a:b","c":"1"}}');
  });

  it('writes .raw as RESP and values for a content type', () => {
    expect(rawBody(array([bulkString('a'), NIL]), 2).toString()).toBe('*2\r\n$1\r\na\r\n$-1\r\n');
    expect(rawBody(NIL, 3).toString()).toBe('_\r\n');
    const sep = Buffer.from(',');
    expect(valueBody(bulkString('v'), sep)).toEqual({ status: 200, body: Buffer.from('v') });
    expect(valueBody(NIL, sep)).toEqual({ status: 404, body: Buffer.alloc(0) });
    expect(valueBody(OK, sep)?.body.toString()).toBe('+OK');
    expect(valueBody(error('ERR x'), sep)?.body.toString()).toBe('-ERR x');
    expect(valueBody(integer(12), sep)?.body.toString()).toBe('12');
    expect(valueBody(array([bulkString('a'), NIL, bulkString('b')]), sep)?.body.toString()).toBe('a,b');
    expect(valueBody(map([]), sep)).toBeNull();
  });
});
