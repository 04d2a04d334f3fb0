// Property tests of the parser and the plaintext quoting (issue 2, properties a and b):
// (a) any split of a stream of encoded requests, both framings mixed with blank lines and empty multibulks,
//     parses to the same argv list; (b) quoteArgument and the plaintext reply line of any bulk parse back to
//     the same bytes. Runs: FC_NUM_RUNS (default 200); fast-check prints the seed and path on failure.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RequestParser } from '../../src/core/parser.js';
import { bulk } from '../../src/core/reply.js';
import { ByteWriter, encodeReply, needsQuoting, quoteArgument } from '../../src/core/reply-encoding.js';
import { bytes, encodeResp, feedAtCuts } from '../unit/parser-harness.js';

const numRuns = Number(process.env.FC_NUM_RUNS ?? 200);

/** Bytes biased towards the ones with meaning to either framing or to the quoting grammar. */
const specialByte = fc.constantFrom(0x00, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0d, 0x20, 0x22, 0x24, 0x27, 0x28);
const anyByte = fc.oneof(
  fc.integer({ min: 0, max: 255 }),
  specialByte,
  fc.constantFrom(0x2a, 0x5c, 0x78, 0x7f),
);
const byteString = fc.oneof(
  fc.array(anyByte, { maxLength: 24 }).map((a) => Buffer.from(a)),
  fc.string({ maxLength: 12 }).map((s) => Buffer.from(s)),
);

type Piece = { bytes: Buffer; argv: Buffer[] | null };

const blank = fc
  .constantFrom('\n', '\r\n', ' \t\n', '\t\r\n', '*0\r\n', '*-1\r\n')
  .map((s): Piece => ({ bytes: bytes(s), argv: null }));

const respRequest = fc
  .array(byteString, { minLength: 1, maxLength: 5 })
  .map((argv): Piece => ({ bytes: encodeResp(argv), argv }));

const separator = fc.constantFrom(' ', '\t', '  ', ' \t');

const inlineRequest = fc
  .record({
    argv: fc.array(byteString, { minLength: 1, maxLength: 5 }),
    forceQuotes: fc.array(fc.boolean(), { minLength: 5, maxLength: 5 }),
    seps: fc.array(separator, { minLength: 6, maxLength: 6 }),
    crlf: fc.boolean(),
    lead: fc.boolean(),
  })
  .map(({ argv, forceQuotes, seps, crlf, lead }): Piece => {
    const parts: Buffer[] = [bytes(lead ? seps[5] : '')];
    argv.forEach((arg, i) => {
      if (i > 0) parts.push(bytes(seps[i]));
      // A line starting with '*' would be read as RESP, so a first token that starts with it is quoted.
      const quote = forceQuotes[i] || needsQuoting(arg) || (i === 0 && arg[0] === 0x2a);
      parts.push(quote ? quoteArgument(arg) : arg);
    });
    parts.push(bytes(crlf ? '\r\n' : '\n'));
    return { bytes: Buffer.concat(parts), argv };
  });

const stream = fc.array(fc.oneof(respRequest, inlineRequest, blank), { minLength: 1, maxLength: 12 });
const cutFractions = fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 30 });

describe('parser properties', () => {
  it('(a) any split of a stream of requests parses to the same argv list', () => {
    fc.assert(
      fc.property(stream, cutFractions, fc.boolean(), (pieces, fractions, ignoreEnd) => {
        const input = Buffer.concat(pieces.map((p) => p.bytes));
        const expected = pieces.flatMap((p) => (p.argv === null ? [] : [p.argv]));
        const cuts = fractions.map((f) => Math.floor(f * input.length)).sort((a, b) => a - b);
        const out = feedAtCuts(input, cuts, { ignoreIncompleteEnd: ignoreEnd });
        expect(out.events.filter((e) => e.kind === 'error')).toEqual([]);
        expect(out.argvs).toEqual(expected);
        if (!ignoreEnd) expect(out.pending).toBe(0); // blank lines are consumed too
      }),
      { numRuns },
    );
  });

  it('(b) any byte string written with quoteArgument parses back identically', () => {
    fc.assert(
      fc.property(byteString, (value) => {
        const line = Buffer.concat([bytes('SET k '), quoteArgument(value), bytes('\r\n')]);
        const r = new RequestParser().parse(line, 0);
        expect(r.kind).toBe('request');
        if (r.kind === 'request') expect(r.argv).toEqual([bytes('SET'), bytes('k'), value]);
      }),
      { numRuns },
    );
  });

  it('(b) the plaintext reply line of any bulk, written back as an argument, yields the same bytes', () => {
    fc.assert(
      fc.property(byteString, (value) => {
        const out = new ByteWriter();
        encodeReply(bulk(value), 'plain', out);
        const reply = out.take();
        expect(reply.indexOf(0x0a)).toBe(reply.length - 1); // one line
        const line = Buffer.concat([bytes('ECHO '), reply]);
        const r = new RequestParser().parse(line, 0);
        expect(r.kind).toBe('request');
        if (r.kind === 'request') expect(r.argv).toEqual([bytes('ECHO'), value]);
      }),
      { numRuns },
    );
  });
});
