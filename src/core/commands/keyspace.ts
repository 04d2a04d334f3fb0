// placeholder until the family lands
import type { CommandSpec } from '../command.js';

export const keyspaceCommands: readonly CommandSpec[] = [];
