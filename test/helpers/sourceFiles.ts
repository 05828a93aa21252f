/** The TypeScript files of `src/`, for tests that check what imports what. */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

export const SRC = new URL('../../src/', import.meta.url).pathname;

/** Every `.ts` file under `dir`, recursively. */
export function sourceFiles(dir: string = SRC): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}
