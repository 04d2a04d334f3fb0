// Whether this build's Lua addon watches long runs (native/lua-busy.c), and whether its hook lets the event loop
// and the hybrid's loops serve clients while a script runs long (whileBusy). A worktree whose build/Release was made before that runs
// scripts unwatched (they never time out) or cannot reach a busy script on the event loop, so the suites of busy
// scripts are skipped there with a message saying to rebuild the native helper, rather than hanging until their
// timeout.

import { loadLuaFrom } from '../../src/core/scripting/lua-addon.js';
import { packageRoot } from '../../src/transport/threadpool/native.js';
import type { TransportName } from './server.js';

const addon = loadLuaFrom(packageRoot());

export const luaWatchesLongRuns = !(addon instanceof Error) && addon.watchesLongRuns === true;

/** The event loop and the hybrid's loops serve their clients from a busy script's hook. */
export const luaServesWhileBusy = !(addon instanceof Error) && addon.servesWhileBusy === true;

/**
 * Whether a suite of busy scripts can run on `transport` with this build: the event loop and the hybrid's loops
 * serve the clients of the script's thread from its hook; the pool's script has a thread of its own.
 */
export function busyScriptsWatched(transport: TransportName): boolean {
  return transport === 'pool' ? luaWatchesLongRuns : luaServesWhileBusy;
}

if (!(addon instanceof Error) && !luaServesWhileBusy)
  console.warn(
    'build/Release/luaengine.node predates native/lua-busy.c whileBusy: skipping the busy-script tests ' +
      '(rebuild the native helper: npx node-gyp rebuild)',
  );
