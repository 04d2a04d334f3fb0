// The HTTP interface while a script runs past busy-reply-threshold: Redis answers every client's new command BUSY,
// so an HTTP request gets the BUSY error in the interface's error form ({"PING":[false,"BUSY ..."]}) instead of
// waiting for the script, and SCRIPT KILL over HTTP stops it. On the event loop the HTTP clients are on the script's
// own thread, served from its hook (serve-while-busy.ts); on the pool and the hybrid they are on the main thread.
// The moment the script times out is awaited as its log line.

import { describe, expect, it } from 'vitest';
import { resp, type RawClient } from '../support/raw-client.js';
import { busyScriptsWatched } from '../support/lua-watch.js';
import { useBusyScriptServer, type BusyScriptServer } from '../support/busy-script-server.js';
import { transports } from '../support/server.js';

const BUSY = 'BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.';

async function ask(client: RawClient, ...argv: string[]): Promise<string> {
  await client.send(resp(...argv));
  return (await client.readLine()).replace(/\r\n$/, '');
}

/** GET of `path` on the HTTP interface: its status and body. */
async function httpGet(server: BusyScriptServer, path: string): Promise<{ status: number; body: string }> {
  const response = await fetch(`http://127.0.0.1:${server.httpPort}${path}`);
  return { status: response.status, body: await response.text() };
}

describe.each(transports.filter(busyScriptsWatched))(
  '%s transport: HTTP during a busy script',
  (transport) => {
    const fixture = useBusyScriptServer(transport, 2, true);

    it('answers HTTP requests BUSY, runs SCRIPT KILL, and serves them as usual once the script ends', async () => {
      const server = fixture();
      const scripter = await server.connect();
      expect(await ask(scripter, 'CONFIG', 'SET', 'busy-reply-threshold', '50')).toBe('+OK');
      const slow = server.timedOut();
      await scripter.send(resp('EVAL', 'while true do end', '0'));
      await slow;
      expect(await httpGet(server, '/PING')).toEqual({ status: 200, body: `{"PING":[false,"${BUSY}"]}` });
      expect(await httpGet(server, '/GET/k')).toEqual({ status: 200, body: `{"GET":[false,"${BUSY}"]}` });
      expect(await httpGet(server, '/SCRIPT/KILL')).toEqual({ status: 200, body: '{"SCRIPT":[true,"OK"]}' });
      expect((await scripter.readLine()).startsWith('-ERR Script killed by user with SCRIPT KILL...')).toBe(
        true,
      );
      expect(await httpGet(server, '/PING')).toEqual({ status: 200, body: '{"PING":[true,"PONG"]}' });
    });
  },
);
