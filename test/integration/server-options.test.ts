// startServer's refusals of bad option values: structured (InvalidOptionError: option, value, reason), named by
// the ServerOptions key the caller gave, so the CLI turns them into its usage error without reading text.

import { describe, expect, it } from 'vitest';
import { InvalidSettingError } from '../../src/core/config.js';
import { InvalidOptionError, startServer } from '../../src/server.js';

async function refusal(options: Parameters<typeof startServer>[0]): Promise<unknown> {
  try {
    const server = await startServer({ port: 0, logLevel: 'silent', ...options });
    await server.close();
  } catch (e) {
    return e;
  }
  throw new Error('expected startServer to refuse the options');
}

describe('startServer option errors', () => {
  it('names the option, not the Config setting behind it', async () => {
    const backlog = await refusal({ backlog: -1 });
    expect(backlog).toBeInstanceOf(InvalidOptionError);
    expect(backlog).toMatchObject({ code: 'ERR_INVALID_OPTION', option: 'backlog', value: '-1' });
    expect(await refusal({ transport: 'pool', workers: 0 })).toMatchObject({ option: 'workers', value: '0' });
  });

  it('refuses a number that is NaN (what a CLI makes of "abc") without a value to show', async () => {
    expect(await refusal({ port: Number.NaN })).toMatchObject({
      option: 'port',
      value: undefined,
      reason: 'not a number',
    });
  });

  it('refuses a bad worker count on the event loop too, which otherwise ignores it', async () => {
    expect(await refusal({ transport: 'eventloop', workers: 1.5 })).toMatchObject({ option: 'workers' });
  });

  it('reports a further setting (options.config) under its own Redis name', async () => {
    const e = await refusal({ config: { maxmemory: '10zb' } });
    expect(e).toBeInstanceOf(InvalidSettingError);
    expect(e).not.toBeInstanceOf(InvalidOptionError);
    expect(e).toMatchObject({ setting: 'maxmemory', value: '10zb' });
  });
});
