// The stream commands (Redis 7.0's t_stream.c), one family per file: writes (streams-write.ts) and reads of one
// stream (streams-read.ts), XREAD (streams-xread.ts), consumer groups (stream-groups-admin.ts, stream-groups-read.ts).

import type { CommandSpec } from '../command.js';
import { streamReadCommands } from './streams-read.js';
import { streamWriteCommands } from './streams-write.js';
import { streamXreadCommands } from './streams-xread.js';
import { xgroupCommand } from './stream-groups-admin.js';
import { streamGroupReadCommands } from './stream-groups-read.js';

export const streamCommands: readonly CommandSpec[] = [
  ...streamWriteCommands,
  ...streamReadCommands,
  ...streamXreadCommands,
  xgroupCommand,
  ...streamGroupReadCommands,
];
