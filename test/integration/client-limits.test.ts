// The limits every transport enforces on one client the same way (Redis's networking.c): an unfinished request
// past client-query-buffer-limit closes that client with a warning, and nobody else notices.

import { afterEach, describe, expect, it } from 'vitest';
import { resp } from '../support/raw-client.js';
import { startTestServer, transports, type TestServer } from '../support/server.js';

describe.each(transports)('%s transport: client limits', (transport) => {
  let server: TestServer | null = null;
  afterEach(async () => {
    await server?.close();
    server = null;
  });

  it('closes a client whose unfinished request passes client-query-buffer-limit, and only it', async () => {
    server = await startTestServer(transport, { config: { 'client-query-buffer-limit': '1mb' } });
    const bystander = await server.connect();
    const greedy = await server.connect();
    // A legal bulk of 4 MB announced, 1.5 MB of it sent: still unfinished, past the 1 MB limit.
    await greedy.send('*2\r\n$3\r\nGET\r\n$4194304\r\n');
    await greedy.send(Buffer.alloc(1536 * 1024, 0x61)).catch(() => undefined); // it may be cut mid-write
    await greedy.closed;
    await server.logs.waitFor((l) => String(l.msg).includes('max query buffer length'));
    expect(await bystander.request(resp('PING'), '+PONG\r\n')).toBe('+PONG\r\n');
  });
});
