// strerror(3) as Redis prints it (glibc's texts), for the errors Redis puts in replies and log lines (MISCONF's
// "Errors writing to the AOF file: No space left on device"). Node's own messages are libuv's ("no space left on
// device, write"), which clients matching Redis's text would not recognise. Knows errno numbers and texts only.

import { constants } from 'node:os';

/** glibc's texts for the errors a file's write, sync, open or truncate can give. */
const TEXTS: Readonly<Record<string, string>> = {
  EPERM: 'Operation not permitted',
  ENOENT: 'No such file or directory',
  EINTR: 'Interrupted system call',
  EIO: 'Input/output error',
  ENXIO: 'No such device or address',
  EBADF: 'Bad file descriptor',
  EAGAIN: 'Resource temporarily unavailable',
  ENOMEM: 'Cannot allocate memory',
  EACCES: 'Permission denied',
  EBUSY: 'Device or resource busy',
  EEXIST: 'File exists',
  ENODEV: 'No such device',
  ENOTDIR: 'Not a directory',
  EISDIR: 'Is a directory',
  EINVAL: 'Invalid argument',
  ENFILE: 'Too many open files in system',
  EMFILE: 'Too many open files',
  ETXTBSY: 'Text file busy',
  EFBIG: 'File too large',
  ENOSPC: 'No space left on device',
  EROFS: 'Read-only file system',
  EPIPE: 'Broken pipe',
  ENAMETOOLONG: 'File name too long',
  ELOOP: 'Too many levels of symbolic links',
  EOVERFLOW: 'Value too large for defined data type',
  ENOTSUP: 'Operation not supported',
  ETIMEDOUT: 'Connection timed out',
  ESTALE: 'Stale file handle',
  EDQUOT: 'Disk quota exceeded',
};

const ERRNO: Readonly<Record<string, number>> = constants.errno;
let names: Map<number, string> | undefined;

/** The errno number of Node's error code ('ENOSPC' -> 28); 0 for a code that is not an errno. */
export function errnoOf(code: string | undefined): number {
  return code === undefined ? 0 : (ERRNO[code] ?? 0);
}

/** The errno number a failed Node call reports (its `code`), or EIO when it carries none. */
export function errnoOfError(error: unknown): number {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  return errnoOf(code) || ERRNO.EIO;
}

/** Node's code for an errno number (28 -> 'ENOSPC'); undefined for a number it has no name for. */
export function errnoCode(errno: number): string | undefined {
  names ??= new Map(Object.entries(ERRNO).map(([name, value]) => [value, name]));
  return names.get(errno);
}

/** strerror(errno): glibc's text, "Success" for 0 and "Unknown error N" for a number it has no text for. */
export function strerror(errno: number): string {
  if (errno === 0) return 'Success';
  const name = errnoCode(errno);
  return (name === undefined ? undefined : TEXTS[name]) ?? `Unknown error ${errno}`;
}
