// Child process that holds idle connections for bench/idle-clients.ts, so the bench's own descriptor limit
// (20,000 here, not raisable) never caps the number of idle clients. Driven over IPC (see HolderCommand);
// opens connections with bounded concurrency, never writes on them, reports progress, and exits when the
// parent goes away or its lifetime runs out.

import net from 'node:net';

export interface OpenCommand {
  type: 'open';
  host: string;
  port: number;
  /** Global index of this batch's first connection: picks the source address. */
  firstIndex: number;
  count: number;
  /** Source addresses in order; connection i uses sourceAddresses[floor(i / perAddress)]. */
  sourceAddresses: string[];
  perAddress: number;
  concurrency: number;
  connectTimeoutMs: number;
}

export type HolderCommand = OpenCommand | { type: 'close' } | { type: 'status' };

export interface HolderStatus {
  type: 'status';
  /** Currently open (connected and not closed). */
  open: number;
  /** Connections attempted so far and how many of them failed to connect. */
  attempted: number;
  failed: number;
  /** Connected, then closed by the server (e.g. maxclients) or reset. */
  closedByServer: number;
  /** The first bytes the server wrote on an idle connection, if any (Redis writes its maxclients error). */
  serverMessage: string | null;
  errors: Record<string, number>;
  /** All connections of the last open command have settled. */
  idle: boolean;
}

const sockets = new Set<net.Socket>();
let attempted = 0;
let failed = 0;
let closedByServer = 0;
let closing = false;
let pending = 0;
let serverMessage: string | null = null;
const errors: Record<string, number> = {};

function status(): HolderStatus {
  return {
    type: 'status',
    open: sockets.size,
    attempted,
    failed,
    closedByServer,
    serverMessage,
    errors,
    idle: pending === 0,
  };
}

function send(message: HolderStatus | { type: 'closed' }): void {
  if (process.connected) process.send?.(message);
}

function countError(error: NodeJS.ErrnoException): void {
  const code = error.code ?? error.message;
  errors[code] = (errors[code] ?? 0) + 1;
}

function connectOne(command: OpenCommand, index: number): Promise<void> {
  return new Promise((resolve) => {
    const addressIndex = Math.floor(index / command.perAddress);
    const localAddress = addressIndex === 0 ? undefined : command.sourceAddresses[addressIndex];
    attempted++;
    const socket = net.connect({
      host: command.host,
      port: command.port,
      ...(localAddress ? { localAddress } : {}),
    });
    let connected = false;
    const timer = setTimeout(() => {
      if (!connected) {
        countError({ name: 'Error', message: 'connect timeout', code: 'CONNECT_TIMEOUT' });
        socket.destroy();
      }
    }, command.connectTimeoutMs);
    socket.once('connect', () => {
      connected = true;
      clearTimeout(timer);
      sockets.add(socket);
      resolve();
    });
    socket.on('data', (chunk: Buffer) => {
      serverMessage ??= chunk.toString('latin1', 0, Math.min(chunk.length, 200)).trim();
    });
    socket.on('error', (error: NodeJS.ErrnoException) => {
      if (!closing) countError(error);
    });
    socket.once('close', () => {
      clearTimeout(timer);
      if (connected) {
        sockets.delete(socket);
        if (!closing) closedByServer++;
      } else {
        failed++;
        resolve();
      }
    });
  });
}

async function open(command: OpenCommand): Promise<void> {
  pending += command.count;
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < command.count && !closing) {
      const index = command.firstIndex + next++;
      await connectOne(command, index);
      pending--;
    }
  };
  await Promise.all(Array.from({ length: Math.min(command.concurrency, command.count) }, worker));
  pending = 0;
  send(status());
}

function closeAll(): void {
  closing = true;
  for (const socket of sockets) socket.destroy();
  sockets.clear();
  send({ type: 'closed' });
}

process.on('message', (message: HolderCommand) => {
  if (message.type === 'open') {
    closing = false;
    void open(message);
  } else if (message.type === 'close') closeAll();
  else send(status());
});

// The parent reads progress by polling 'status'; a dead parent must not leave connections behind.
process.on('disconnect', () => process.exit(0));
const lifetimeMs = Number(process.env.IDLE_HOLDER_LIFETIME_MS ?? 900_000);
setTimeout(() => process.exit(3), lifetimeMs).unref();
send(status());
