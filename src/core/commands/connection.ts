// placeholder until the family lands
import type { CommandSpec } from '../command.js';

export const connectionCommands: readonly CommandSpec[] = [];
