// Authentication over HTTP: every request carries its credentials, as HTTP has no session to AUTH once. Accepted
// as HTTP Basic (RFC 7617; an ACL user and its password, the user "default" or empty for the default user:
// `curl -u :secret`) or as a bearer token for the default user (`Authorization: Bearer secret`). Passwords are
// compared in constant time (here, or as hashes by the ACL user).

import { createHash, timingSafeEqual } from 'node:crypto';
import type { AclHub } from '../core/acl/acl-hub.js';
import type { ClientState } from '../core/command.js';

/** The user and password an Authorization header carries, or null if none in a form accepted here. */
export function credentialsOf(authorization: string): { user: string; password: string } | null {
  const space = authorization.indexOf(' ');
  if (space < 0) return null;
  const scheme = authorization.slice(0, space).toLowerCase();
  const credentials = authorization.slice(space + 1).trim();
  if (scheme === 'bearer') return { user: 'default', password: credentials };
  if (scheme !== 'basic') return null;
  const decoded = Buffer.from(credentials, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return null;
  const user = decoded.slice(0, colon);
  return { user: user === '' ? 'default' : user, password: decoded.slice(colon + 1) };
}

/**
 * Whether the request may run commands, its client made the user it authenticates as (the default user without
 * credentials, which then must need no password), so ACL applies to its commands as to a RESP client's.
 */
export function authorizeRequest(acl: AclHub, client: ClientState, authorization: string | null): boolean {
  acl.connected(client); // the default user, authenticated if it needs no password
  if (authorization === null) return client.authenticated;
  const credentials = credentialsOf(authorization);
  if (credentials === null) return false;
  const user = acl.user(credentials.user);
  if (user === undefined || !user.accepts(Buffer.from(credentials.password, 'utf8'))) return false;
  acl.authenticatedAs(client, user);
  return true;
}

/** The password an Authorization header carries, or null if it carries none in a form accepted here. */
export function passwordOf(authorization: string | null): string | null {
  if (authorization === null) return null;
  const space = authorization.indexOf(' ');
  if (space < 0) return null;
  const scheme = authorization.slice(0, space).toLowerCase();
  const credentials = authorization.slice(space + 1).trim();
  if (scheme === 'bearer') return credentials;
  if (scheme !== 'basic') return null;
  const decoded = Buffer.from(credentials, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return null;
  const user = decoded.slice(0, colon);
  return user === '' || user === 'default' ? decoded.slice(colon + 1) : null;
}

const digest = (text: string): Buffer => createHash('sha256').update(text).digest();

/** Whether the request may run commands: no password is set, or it carries the right one. */
export function authorized(authorization: string | null, requirepass: string): boolean {
  if (requirepass === '') return true;
  const given = passwordOf(authorization);
  // Digests have one length whatever the passwords', so the comparison time tells nothing about them.
  return given !== null && timingSafeEqual(digest(given), digest(requirepass));
}
