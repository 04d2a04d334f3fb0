// The list command family (redis.io/commands/?group=list), one list so `grep` finds every member. Each member
// lives in a small file by theme; this file only gathers them for the command table.

import type { CommandSpec } from '../command.js';
import { listIndexCommands } from './lists-index.js';
import { listPushPopCommands } from './lists-push-pop.js';

export const listCommands: readonly CommandSpec[] = [
  ...listPushPopCommands, // LPUSH RPUSH LPUSHX RPUSHX LPOP RPOP LLEN LMOVE RPOPLPUSH LMPOP
  ...listIndexCommands, // LRANGE LINDEX LSET LTRIM LINSERT LREM LPOS
];
