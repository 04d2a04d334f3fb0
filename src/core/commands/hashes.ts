// The hash commands (issue 12), one family per file: writes (hashes-write.ts), reads (hashes-read.ts), and
// HRANDFIELD and HSCAN (hashes-random-scan.ts).

import type { CommandSpec } from '../command.js';
import { hashRandomScanCommands } from './hashes-random-scan.js';
import { hashReadCommands } from './hashes-read.js';
import { hashWriteCommands } from './hashes-write.js';

export const hashCommands: readonly CommandSpec[] = [
  ...hashWriteCommands,
  ...hashReadCommands,
  ...hashRandomScanCommands,
];
