// requirepass over HTTP: every request carries the password, as HTTP has no session to AUTH once. Accepted as
// HTTP Basic (RFC 7617; user "default", as Redis's AUTH names its one user, or empty: `curl -u :secret`) or as
// a bearer token (`Authorization: Bearer secret`). Compared in constant time. Pure.

import { createHash, timingSafeEqual } from 'node:crypto';

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
