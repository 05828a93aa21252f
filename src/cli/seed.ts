/**
 * `npm run seed -- --profiles N --org ORG [--sandbox SB]`: replaces a tenant's
 * profile store with N deterministic synthetic profiles (see `seedProfiles`).
 * Exit codes: 0 done, 1 failed (the old store is kept), 2 bad arguments.
 */
import { parseArgs } from 'node:util';
import { loadConfig } from '../config';
import { createDb, type Database } from '../db/createDb';
import { DataDirInUseError } from '../db/dataDirLock';
import { describeError } from '../logger';
import { MAX_SEED_PROFILES, seedProfiles } from '../profiles/seedProfiles';
import { DEFAULT_SANDBOX, type Tenant } from '../tenant';

const USAGE = `Usage: npm run seed -- --profiles N --org ORG [--sandbox SANDBOX]

Replaces the profile store of ORG/SANDBOX (default sandbox: ${DEFAULT_SANDBOX})
with N synthetic profiles; the same N always gives the same data. The database
is DATABASE_URL, or the embedded one in DATA_DIR when it is unset.`;

class UsageError extends Error {}

function parseArguments(argv: string[]): { count: number; tenant: Tenant } | 'help' {
  const { values } = parseArgs({
    args: argv,
    options: {
      profiles: { type: 'string' },
      org: { type: 'string' },
      sandbox: { type: 'string', default: DEFAULT_SANDBOX },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return 'help';
  // Accepts 1000000, 1_000_000 and 1,000,000.
  const count = Number(values.profiles?.replace(/[_,]/g, '') ?? Number.NaN);
  if (!Number.isInteger(count) || count < 1 || count > MAX_SEED_PROFILES) {
    throw new UsageError(`--profiles must be an integer from 1 to ${MAX_SEED_PROFILES}`);
  }
  if (!values.org?.trim()) throw new UsageError('--org is required');
  if (!values.sandbox.trim()) throw new UsageError('--sandbox must not be empty');
  return { count, tenant: { orgId: values.org.trim(), sandboxName: values.sandbox.trim() } };
}

async function main(argv: string[]): Promise<number> {
  let args: ReturnType<typeof parseArguments>;
  try {
    args = parseArguments(argv);
  } catch (error: unknown) {
    // parseArgs throws TypeErrors with a readable message for unknown or malformed options.
    process.stderr.write(`seed: ${error instanceof Error ? error.message : String(error)}\n\n${USAGE}\n`);
    return 2;
  }
  if (args === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const { count, tenant } = args;

  const config = loadConfig();
  let database: Database;
  try {
    database = await createDb({ url: config.databaseUrl, dataDir: config.dataDir, poolSize: 2 });
  } catch (error: unknown) {
    if (error instanceof DataDirInUseError) {
      process.stderr.write(`seed: ${error.message}\n`);
      return 1;
    }
    throw error;
  }

  const startedAt = performance.now();
  const elapsed = () => ((performance.now() - startedAt) / 1000).toFixed(1);
  try {
    const summary = await seedProfiles(database, tenant, count, {
      onProgress: ({ profiles, total }) =>
        process.stderr.write(
          `Seeded ${profiles.toLocaleString('en-US')}/${total.toLocaleString('en-US')} profiles ` +
            `(${Math.round((profiles / total) * 100)}%) in ${elapsed()} s\n`,
        ),
    });
    process.stdout.write(
      `Seeded ${summary.profiles} profiles (${summary.memberships} segment memberships, ${summary.events} events) ` +
        `into ${tenant.orgId}/${tenant.sandboxName} in ${elapsed()} s\n`,
    );
    return 0;
  } finally {
    await database.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`seed: failed, the store is unchanged\n${describeError(error)}\n`);
    process.exitCode = 1;
  },
);
