// Whether this build's Lua addon watches long runs (native/lua-busy.c). A worktree whose build/Release was made
// before that runs scripts unwatched (they never time out), so the suites of busy scripts are skipped there with
// a message saying to rebuild the native helper, rather than hanging until their timeout.

import { loadLuaFrom } from '../../src/core/scripting/lua-addon.js';
import { packageRoot } from '../../src/transport/threadpool/native.js';

const addon = loadLuaFrom(packageRoot());

export const luaWatchesLongRuns = !(addon instanceof Error) && addon.watchesLongRuns === true;

if (!(addon instanceof Error) && !luaWatchesLongRuns)
  console.warn(
    'build/Release/luaengine.node predates native/lua-busy.c: skipping the busy-script tests ' +
      '(rebuild the native helper: npx node-gyp rebuild)',
  );
