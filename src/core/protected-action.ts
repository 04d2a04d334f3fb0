// Redis's switches for what only a trusted client may do (server.c allowProtectedAction): enable-debug-command
// for DEBUG, enable-protected-configs for CONFIG SET of settings that name files (dir, dbfilename). Each is 'no',
// 'yes', or 'local': allowed from a loopback connection only. Knows a client's address; nothing of commands.

import type { ClientState } from './command.js';

export type ProtectedSwitch = 'no' | 'yes' | 'local';

/** networking.c islocalClient: a loopback peer (there is no unix socket here). */
function isLocal(client: ClientState): boolean {
  const ip = client.addr.slice(0, client.addr.lastIndexOf(':'));
  return ip === '127.0.0.1' || ip === '::1' || ip === '[::1]';
}

/** Whether `client` may do what the switch guards. */
export function allowProtectedAction(setting: ProtectedSwitch, client: ClientState): boolean {
  return setting === 'yes' || (setting === 'local' && isLocal(client));
}

/** A switch's stored value, anything unexpected read as 'no'. */
export function protectedSwitch(value: string): ProtectedSwitch {
  return value === 'yes' || value === 'local' ? value : 'no';
}
