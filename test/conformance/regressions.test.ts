// Regressions found by the differential test (differential.test.ts), pinned with the exact bytes real
// redis-server 7.0 answers, so each one fails until fixed and stays fixed afterwards. Each case names the
// shrunk counterexample it came from. No redis-server needed: the expected bytes are written out.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LiveClient } from '../support/live-harness.js';
import { startTestServer, transports, type TestServer } from '../support/server.js';

describe.each(transports)('%s transport: differential regressions', (transport) => {
  let server: TestServer;
  let c: LiveClient;
  beforeAll(async () => {
    server = await startTestServer(transport, { workers: 4 });
    c = new LiveClient(await server.connect());
  });
  afterAll(async () => {
    await server.close();
  });

  // Counterexample: INCRBYFLOAT a 0x10 -> Redis "$2\r\n16\r\n", redis-lite "-ERR value is not a valid float".
  // Redis parses the increment and the stored value with strtold (t_string.c incrbyfloatCommand via
  // getLongDoubleFromObject / string2ld), which accepts C99 hexadecimal floats; only leading spaces, trailing
  // garbage, NaN and a result of Infinity are refused.
  it('INCRBYFLOAT accepts hexadecimal floats as Redis (strtold) does', async () => {
    expect((await c.call(['DEL', 'hex'])).toString()).toMatch(/^:\d\r\n$/);
    expect((await c.call(['INCRBYFLOAT', 'hex', '0x10'])).toString()).toBe('$2\r\n16\r\n');
    expect((await c.call(['INCRBYFLOAT', 'hex', '0x1p-1'])).toString()).toBe('$4\r\n16.5\r\n');
    expect((await c.call(['SET', 'hex', '0x1A'])).toString()).toBe('+OK\r\n');
    expect((await c.call(['INCRBYFLOAT', 'hex', '1'])).toString()).toBe('$2\r\n27\r\n');
    // Still refused, as in Redis: leading space, trailing garbage.
    expect((await c.call(['INCRBYFLOAT', 'hex', ' 1'])).toString()).toBe(
      '-ERR value is not a valid float\r\n',
    );
    expect((await c.call(['INCRBYFLOAT', 'hex', '0x1g'])).toString()).toBe(
      '-ERR value is not a valid float\r\n',
    );
  });
});
