// The ACL file (aclfile): read by ACL LOAD and at start-up, written by ACL SAVE, one "user <name> <rules>" line
// per user as ACL LIST prints them (acl.c ACLLoadFromFile, ACLSaveToFile). Knows nothing of commands.

import { readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import type { PubsubDefault } from './user.js';
import { AclUsers } from './users.js';

/**
 * The users of an ACL file, made under acl-pubsub-default `pubsubDefault`, or Redis's error for it (the file
 * unreadable, or its lines' errors).
 */
export function loadAclFile(file: string, pubsubDefault: PubsubDefault): AclUsers | { error: string } {
  let text: string;
  try {
    text = readFileSync(file, 'latin1');
  } catch (e) {
    return { error: `Error loading ACLs, opening file '${file}': ${strerror(e)}` };
  }
  return AclUsers.fromAclFile(text, file, pubsubDefault);
}

/** C's strerror for the usual failures to open a file. */
function strerror(e: unknown): string {
  switch ((e as NodeJS.ErrnoException).code) {
    case 'ENOENT':
      return 'No such file or directory';
    case 'EACCES':
      return 'Permission denied';
    case 'EISDIR':
      return 'Is a directory';
    default:
      return String((e as Error).message);
  }
}

/** Every user's line, written to a temporary file renamed over the old one; false when that failed. */
export function saveAclFile(file: string, users: AclUsers): boolean {
  const text = users
    .toLines()
    .map((line) => `${line}\n`)
    .join('');
  const temporary = `${file}.tmp-${process.pid}-${Date.now()}`;
  try {
    writeFileSync(temporary, text, 'latin1');
    renameSync(temporary, file);
    return true;
  } catch {
    try {
      unlinkSync(temporary);
    } catch {
      // it was never written
    }
    return false;
  }
}
