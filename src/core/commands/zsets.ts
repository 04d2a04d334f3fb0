// The sorted set commands (issue 12), one family per file: writes (zsets-write.ts), reads (zsets-read.ts), the
// ZRANGE family (zsets-range.ts), pops (zsets-pop.ts) and the set operations (zsets-setops.ts).

import type { CommandSpec } from '../command.js';
import { zsetPopCommands } from './zsets-pop.js';
import { zsetRangeCommands } from './zsets-range.js';
import { zsetReadCommands } from './zsets-read.js';
import { zsetSetOperationCommands } from './zsets-setops.js';
import { zsetWriteCommands } from './zsets-write.js';

export const zsetCommands: readonly CommandSpec[] = [
  ...zsetWriteCommands,
  ...zsetReadCommands,
  ...zsetRangeCommands,
  ...zsetPopCommands,
  ...zsetSetOperationCommands,
];
