/** Types of bin/source-bundle.js (plain JavaScript: it is what loads the TypeScript). */
export function sourceFingerprint(root: string, sourceDir: string): string | undefined;
export function compiledEntry(options: { root: string; entry: string; sourceDir?: string; distDir?: string; cacheDir?: string }): Promise<string>;
export function buildDist(options: { root: string; entry: string; sourceDir?: string; distDir?: string }): Promise<string>;
export function bundledEntry(options: { root: string; entry: string; sourceDir?: string; cacheDir?: string; fingerprint?: string }): Promise<string>;
