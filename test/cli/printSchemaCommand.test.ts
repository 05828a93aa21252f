/** `npm run schema:print` as a user runs it: --help, a bad option, a place it cannot write. */
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runToEnd } from '../helpers/processes';

const printSchema = (...args: string[]) => runToEnd(process.execPath, ['--import', 'tsx', 'src/cli/printSchema.ts', ...args], {});

describe('the schema:print command', () => {
  it('prints its usage for --help, writing no file named --help', async () => {
    const result = await printSchema('--help');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Usage: npm run schema:print \[-- FILE\]/);
    expect(existsSync('--help')).toBe(false);
  });

  it('refuses an unknown option with exit 2, and says why it cannot write with exit 1', async () => {
    const unknown = await printSchema('--bogus');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^schema:print: Unknown option '--bogus'/);
    const unwritable = await printSchema('/nonexistent-directory/schema.graphql');
    expect(unwritable.code).toBe(1);
    expect(unwritable.stderr).toMatch(/^schema:print: could not write \/nonexistent-directory\/schema\.graphql: ENOENT/);
    expect(unwritable.stderr).not.toMatch(/\n\s+at /);
  });
});
