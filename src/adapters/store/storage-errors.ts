/**
 * Whether a store error means the disk (or the database's page budget) is
 * full: SQLite's SQLITE_FULL, or the operating system's ENOSPC/EDQUOT.
 */
export function isStorageFull(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'SQLITE_FULL' || code === 'ENOSPC' || code === 'EDQUOT';
}
