// The globals and protected tables a script sees, against redis-server 7.0.15, on every transport: which globals
// exist (no `newproxy`, `getfenv` nor `setfenv` in the installed 7.0.15, which carries 2025's Lua fixes), and that the read-only library tables and _G are still ordinary tables to
// read: pairs, next and rawget walk and read their contents (Redis marks the tables themselves read-only), and
// getmetatable of a library table is nil; a function's `redis` has no breakpoint, debug nor replicate_commands
// (EVAL's alone). In EVAL and in a function library. Every reply byte for byte, errors
// included. Skipped with a message when redis-server is not on PATH.
import { describe, expect, it } from 'vitest';
import { haveRedisServer, useBothServers } from '../support/both-servers.js';
import { showArgv, type Arg } from '../support/live-harness.js';
import { transports } from '../support/server.js';

const TABLES = ['redis', 'string', 'math', 'table', 'coroutine', 'cjson', 'bit', 'cmsgpack', 'struct', '_G'];

/** The sorted keys of `t` as pairs walks it, and how many next finds. */
const keysOf = (t: string): string =>
  `local ks = {} for k in pairs(${t}) do ks[#ks + 1] = tostring(k) end table.sort(ks) ` +
  `local n, k = 0, next(${t}) while k ~= nil do n = n + 1 k = next(${t}, k) end ` +
  `return {table.concat(ks, ','), n}`;

const SCRIPTS: readonly string[] = [
  'return type(newproxy)',
  'return newproxy(true)',
  'return type(getfenv)',
  'return type(setfenv)',
  ...TABLES.map(keysOf),
  "return {rawget(redis, 'call') ~= nil, rawget(string, 'len') ~= nil, rawget(_G, 'redis') ~= nil}",
  'return {tostring(getmetatable(redis)), tostring(getmetatable(string)), type(getmetatable(_G))}',
  "rawset(redis, 'x', 1)",
  'redis.x = 1',
  'setmetatable(string, {})',
  'return #KEYS + #ARGV',
];

const LIBRARY =
  '#!lua name=globalslib\n' +
  "redis.register_function('count', function() local n = 0 for _ in pairs(string) do n = n + 1 end return n end)\n" +
  "redis.register_function('api', function() local ks = {} for k in pairs(redis) do ks[#ks + 1] = k end " +
  "table.sort(ks) return table.concat(ks, ',') end)\n" +
  "redis.register_function('proxy', function() return type(newproxy) end)\n" +
  "redis.register_function('raw', function() return rawget(redis, 'call') ~= nil end)";

const REQUESTS: readonly (readonly Arg[])[] = [
  ...SCRIPTS.map((script): Arg[] => ['EVAL', script, '0']),
  ['FUNCTION', 'LOAD', 'REPLACE', LIBRARY],
  ['FCALL', 'count', '0'],
  ['FCALL', 'api', '0'],
  ['FCALL', 'proxy', '0'],
  ['FCALL', 'raw', '0'],
];

describe.skipIf(!haveRedisServer).each(transports)('%s transport: the globals scripts see', (transport) => {
  const both = useBothServers(transport);

  it('are Redis 7.0.15 ones, the protected tables readable as tables', async () => {
    const replies = async (client: typeof both.real): Promise<string[]> =>
      (await client.pipeline(REQUESTS)).map(
        (reply, i) => `${showArgv(REQUESTS[i])} -> ${reply.toString('latin1')}`,
      );
    expect(await replies(both.lite)).toEqual(await replies(both.real));
  });
});
