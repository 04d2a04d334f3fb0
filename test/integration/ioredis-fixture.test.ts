// The ioredis fixture itself (test/support/ioredis-fixture.ts): a failed piece of work says what the server warned
// about meanwhile, since a client only sees its connection closed (ioredis: MaxRetriesPerRequestError).
import { expect, it } from 'vitest';
import { withIoredisServer } from '../support/ioredis-fixture.js';

it("withIoredisServer: a failure carries the server's warnings and errors, not its other lines", async () => {
  const failing = withIoredisServer('eventloop', {}, async (_client, server) => {
    server.logs.logger.info('an ordinary line');
    server.logs.logger.warn(
      { clients: 1 },
      'writing the append only file failed; closing the clients it held',
    );
    throw new Error('the writer failed');
  });
  const error = (await failing.catch((e: unknown) => e)) as Error;
  expect(error.message).toMatch(
    /^the writer failed\nThe server's warnings and errors:\n.*"clients":1,"msg":"writing the append only file failed/,
  );
  expect(error.message).not.toContain('an ordinary line');
});
