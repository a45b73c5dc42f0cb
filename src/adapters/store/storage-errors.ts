/** SQLite's primary result code for "database or disk is full". */
const SQLITE_FULL = 13;

/**
 * Whether a store error means the disk (or the database's page budget) is
 * full: SQLITE_FULL (node:sqlite reports it as `errcode`, possibly extended),
 * or the operating system's ENOSPC/EDQUOT.
 */
export function isStorageFull(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, errcode } = error as { code?: unknown; errcode?: unknown };
  if (typeof errcode === 'number' && (errcode & 0xff) === SQLITE_FULL) return true;
  return code === 'SQLITE_FULL' || code === 'ENOSPC' || code === 'EDQUOT';
}
