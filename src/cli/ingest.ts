/**
 * `npm run ingest -- FILE.ndjson --org ORG [--sandbox SB]`: loads an NDJSON file
 * of profiles (one `ProfileInput` per line) into a tenant's profile store, all or
 * nothing. Exit codes: 0 done, 1 failed (nothing kept), 2 bad arguments.
 */
import { stat } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import type { Database } from '../db/database';
import { ingestFile, ProfileLineError } from '../profiles/ingestFile';
import { createProgressBar } from '../profiles/progressBar';
import { profileInputDecoder } from '../schema/profileInputDecoder';
import { DEFAULT_SANDBOX, type Tenant } from '../tenant';
import { runCommand, sayStoreNotAnalyzed, tenantOption, UsageError } from './command';

const USAGE = `Usage: npm run ingest -- FILE.ndjson --org ORG [--sandbox SANDBOX]

Loads one profile per line (the shape of GraphQL's ProfileInput) into the
profile store of ORG/SANDBOX (default sandbox: ${DEFAULT_SANDBOX}). A bad line
stops the ingest and nothing of the file is kept. The database is DATABASE_URL,
or the embedded one in DATA_DIR when it is unset.`;

function parseArguments(argv: string[]): { file: string; tenant: Tenant } | 'help' {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      org: { type: 'string' },
      sandbox: { type: 'string', default: DEFAULT_SANDBOX },
      help: { type: 'boolean', short: 'h' },
    },
    allowPositionals: true,
  });
  if (values.help) return 'help';
  if (positionals.length !== 1) throw new UsageError('Give exactly one NDJSON file');
  return { file: positionals[0]!, tenant: tenantOption(values) };
}

async function ingest({ file, tenant }: { file: string; tenant: Tenant }, database: Database): Promise<number> {
  let size: number;
  try {
    const stats = await stat(file);
    if (!stats.isFile()) throw new Error('not a regular file');
    size = stats.size;
  } catch (error: unknown) {
    process.stderr.write(`ingest: cannot read ${file}: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }

  const bar = createProgressBar({ output: process.stderr, totalBytes: size });
  const startedAt = performance.now();
  try {
    const summary = await ingestFile(database, tenant, file, {
      decodeProfile: profileInputDecoder(),
      onProgress: (progress) => {
        bar.update(progress.lines, progress.bytesRead);
        if (progress.phase === 'merging') bar.note(`Merging ${progress.profiles.toLocaleString('en-US')} profiles…`);
      },
    });
    bar.finish();
    const seconds = ((performance.now() - startedAt) / 1000).toFixed(1);
    process.stdout.write(
      `Ingested ${summary.profiles} profiles into ${tenant.orgId}/${tenant.sandboxName} in ${seconds} s\n`,
    );
    if (summary.analyzeFailure !== null) sayStoreNotAnalyzed('ingest', summary.analyzeFailure);
    return 0;
  } catch (error: unknown) {
    bar.clear();
    if (error instanceof ProfileLineError) {
      process.stderr.write(`ingest: ${file}: ${error.message}\nNothing was ingested.\n`);
      return 1;
    }
    throw error;
  }
}

runCommand({
  name: 'ingest',
  usage: USAGE,
  parse: parseArguments,
  run: ingest,
  failure: 'failed, nothing was ingested',
});
