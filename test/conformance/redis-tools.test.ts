// Conformance with Debian's redis-tools against every transport: redis-cli one-shot commands with their exact
// output (raw output when not on a terminal, and --no-raw), in RESP3 too (-3), binary values through -x, error
// replies, the --pipe bulk loader, and redis-benchmark on the SET/GET/INCR/MSET tests with exact totals
// afterwards; with inline-replies resp, the inline --pipe and redis-benchmark's PING_INLINE.
// The expected outputs were checked against redis-server 7.0 with the same commands.
// Skipped, with a message, when redis-cli / redis-benchmark are not installed (.ci/run installs them).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { onPath, runTool } from '../support/live-tools.js';
import { startTestServer, transports, type TestServer } from '../support/server.js';

const haveCli = onPath('redis-cli');
const haveBenchmark = onPath('redis-benchmark');
if (!haveCli)
  console.warn('redis-cli not on PATH: skipping its conformance tests (apt-get install redis-tools)');
if (!haveBenchmark) console.warn('redis-benchmark not on PATH: skipping its conformance test');

describe.each(transports)('%s transport', (transport) => {
  let server: TestServer;
  // redis-benchmark -c 4 plus its own configuration connection: more workers than that on the pool.
  beforeAll(async () => {
    server = await startTestServer(transport, { workers: 8 });
  });
  afterAll(async () => {
    await server.close();
  });

  const cli = async (args: string[], input = '' as string | Uint8Array): Promise<string> => {
    const r = await runTool('redis-cli', ['-p', String(server.port), ...args], input);
    expect(r.code, r.stderr).toBe(0);
    return r.stdout.toString('latin1');
  };

  describe.skipIf(!haveCli)('redis-cli', () => {
    it('runs one-shot commands with the exact output redis-server gives', async () => {
      expect(await cli(['SET', 'cli:k', 'v'])).toBe('OK\n');
      expect(await cli(['GET', 'cli:k'])).toBe('v\n');
      expect(await cli(['GET', 'cli:missing'])).toBe('\n');
      expect(await cli(['--no-raw', 'GET', 'cli:missing'])).toBe('(nil)\n');
      expect(await cli(['INCR', 'cli:n'])).toBe('1\n');
      expect(await cli(['--no-raw', 'INCRBY', 'cli:n', '41'])).toBe('(integer) 42\n');
      expect(await cli(['MGET', 'cli:k', 'cli:missing'])).toBe('v\n\n');
      expect(await cli(['--no-raw', 'MGET', 'cli:k', 'cli:missing'])).toBe('1) "v"\n2) (nil)\n');
      expect(await cli(['SET', 'cli:k', 'w', 'NX'])).toBe('\n');
      expect(await cli(['--no-raw', 'SET', 'cli:k', 'w', 'XX', 'GET'])).toBe('"v"\n');
      expect(await cli(['DEL', 'cli:k', 'cli:n', 'cli:missing'])).toBe('2\n');
      expect(await cli(['PING'])).toBe('PONG\n');
      expect(await cli(['ECHO', 'hello world'])).toBe('hello world\n');
    });

    it('speaks RESP3 with -3 (HELLO 3): maps, nulls and verbatim text print as with redis-server 7.0', async () => {
      expect(await cli(['-3', '--no-raw', 'CONFIG', 'GET', 'maxclients'])).toBe(
        '1# "maxclients" => "10000"\n',
      );
      expect(await cli(['-3', 'CONFIG', 'GET', 'maxclients'])).toBe('maxclients 10000\n');
      expect(await cli(['-3', '--no-raw', 'MGET', 'cli:missing', 'cli:gone'])).toBe('1) (nil)\n2) (nil)\n');
      expect(await cli(['-3', '--no-raw', 'HELLO', '3'])).toMatch(
        /^1# "server" => "redis"\n2# "version" => "7\.0\.0"\n3# "proto" => \(integer\) 3\n/,
      );
      expect(await cli(['-3', '--no-raw', 'INFO', 'nosuchsection'])).toBe(''); // an empty verbatim string
    });

    it('stores binary values from stdin with -x and shows them escaped', async () => {
      const value = Buffer.from('a\0b\r\nc\xff', 'latin1');
      expect(await cli(['-x', 'SET', 'cli:bin'], value)).toBe('OK\n');
      expect(await cli(['--no-raw', 'GET', 'cli:bin'])).toBe('"a\\x00b\\r\\nc\\xff"\n');
      expect(await cli(['GET', 'cli:bin'])).toBe('a\0b\r\nc\xff\n');
      expect(await cli(['--no-raw', 'STRLEN', 'cli:bin'])).toBe('(integer) 7\n');
    });

    it('prints error replies as errors', async () => {
      await cli(['SET', 'cli:text', 'abc']);
      expect(await cli(['INCR', 'cli:text'])).toBe('ERR value is not an integer or out of range\n\n');
      expect(await cli(['--no-raw', 'INCR', 'cli:text'])).toBe(
        '(error) ERR value is not an integer or out of range\n',
      );
      expect(await cli(['NOPE', 'a'])).toBe("ERR unknown command 'NOPE', with args beginning with: 'a' \n\n");
      expect(await cli(['--no-raw', 'GET'])).toBe(
        "(error) ERR wrong number of arguments for 'get' command\n",
      );
    });

    it('bulk-loads with --pipe and counts replies and errors', async () => {
      let input = '';
      for (let i = 0; i < 1000; i++) {
        const k = `pipe:${i}`;
        const value = `val${i}`;
        input += `*3\r\n$3\r\nSET\r\n$${k.length}\r\n${k}\r\n$${value.length}\r\n${value}\r\n`;
      }
      expect(await cli(['--pipe'], input)).toBe(
        'All data transferred. Waiting for the last reply...\nLast reply received from server.\nerrors: 0, replies: 1000\n',
      );
      expect(await cli(['GET', 'pipe:999'])).toBe('val999\n');
      // Intended difference (see INTENDED_DIFFERENCES in differential.test.ts): a connection that has only sent
      // plaintext gets plaintext replies, which --pipe (a RESP reader) cannot parse, where Redis answers inline
      // requests in RESP. With inline-replies resp it works (below).
      const inlineInput = 'SET pipe:a 1\r\nINCR pipe:a\r\n';
      const r = await runTool('redis-cli', ['-p', String(server.port), '--pipe'], inlineInput);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('Error reading replies from server');
      // An error reply in the stream: counted, printed, exit code 1.
      const bad = await runTool(
        'redis-cli',
        ['-p', String(server.port), '--pipe'],
        '*2\r\n$4\r\nINCR\r\n$4\r\ncli:\r\n*1\r\n$3\r\nGET\r\n',
      );
      expect(bad.code).toBe(1);
      expect(bad.stdout.toString()).toContain('errors: 1, replies: 2\n');
      expect(bad.stdout.toString() + bad.stderr).toContain("ERR wrong number of arguments for 'get' command");
    });
  });

  describe.skipIf(!haveBenchmark)('redis-benchmark', () => {
    it('runs SET, GET, INCR and MSET pipelined on 4 clients without errors, with exact totals', async () => {
      await runTool('redis-cli', ['-p', String(server.port), 'DEL', 'counter:__rand_int__']);
      const r = await runTool(
        'redis-benchmark',
        ['-p', String(server.port), '-t', 'set,get,incr,mset', '-n', '2000', '-c', '4', '-P', '8', '-q'],
        '',
        60_000,
      );
      expect(r.code, r.stderr).toBe(0);
      const lines = r.stdout
        .toString()
        .split(/[\r\n]/)
        .map((l) => l.trim())
        .filter((l) => /^\w[\w ()]*: [\d.]+ requests per second/.test(l));
      expect(lines.map((l) => l.slice(0, l.indexOf(':')))).toEqual(['SET', 'GET', 'INCR', 'MSET (10 keys)']);
      expect(r.stdout.toString() + r.stderr).not.toMatch(/ERR|error/i);
      // Every INCR of the 2000 landed on the one counter key.
      expect(await cli(['GET', 'counter:__rand_int__'])).toBe('2000\n');
      expect(await cli(['STRLEN', 'key:__rand_int__'])).toBe('3\n'); // -d default: 3-byte values
    });
  });

  describe('with inline-replies resp', () => {
    let resp: TestServer;
    beforeAll(async () => {
      resp = await startTestServer(transport, { workers: 8, inlineReplies: 'resp' });
    });
    afterAll(async () => {
      await resp.close();
    });

    it.skipIf(!haveCli)('bulk-loads inline commands with --pipe, as against Redis', async () => {
      const r = await runTool(
        'redis-cli',
        ['-p', String(resp.port), '--pipe'],
        'SET pipe:a 1\r\nINCR pipe:a\r\n',
      );
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout.toString()).toContain('errors: 0, replies: 2\n');
    });

    it.skipIf(!haveBenchmark)('runs redis-benchmark PING_INLINE', async () => {
      const r = await runTool(
        'redis-benchmark',
        ['-p', String(resp.port), '-t', 'ping_inline', '-n', '2000', '-c', '4', '-q'],
        '',
        60_000,
      );
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout.toString()).toMatch(/PING_INLINE: [\d.]+ requests per second/);
    });
  });
});
