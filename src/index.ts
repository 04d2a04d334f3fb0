// The package's public entry: start a server from code (e.g. in your own tests) and the types around it.
// Everything else (core, transports) is internal and may change.

export {
  DEFAULT_OPTIONS,
  packageVersion,
  startServer,
  TransportUnavailableError,
  type RunningServer,
  type ServerOptions,
  type TransportName,
} from './server.js';
export type { ClientInfo, TransportStats } from './core/command.js';
export type { KeyValueStore } from './core/store/types.js';
export type { ListenAddress, Transport } from './transport/transport.js';
export type { LogFormat } from './logger.js';
