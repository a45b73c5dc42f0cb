/** Types of bin/source-bundle.js (plain JavaScript: it is what loads the TypeScript). */
export function sourceFingerprint(root: string, sourceDir: string): string;
export function bundledEntry(options: { root: string; entry: string; sourceDir?: string; cacheDir?: string }): Promise<string>;
