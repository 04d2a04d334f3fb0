// A connected pair of real loopback sockets for tests of socket-level helpers: a throwaway server accepts one
// client and hands over both ends. The caller destroys the sockets and closes the server.

import net from 'node:net';

export interface SocketPair {
  readonly server: net.Server;
  /** The server's end, as net.Server's connection listener received it. */
  readonly accepted: net.Socket;
  readonly client: net.Socket;
}

export function connectedPair(): Promise<SocketPair> {
  return new Promise((resolve) => {
    const server = net.createServer((accepted) => resolve({ server, accepted, client }));
    let client!: net.Socket;
    server.listen(0, '127.0.0.1', () => {
      client = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1');
    });
  });
}
