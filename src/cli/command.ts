/**
 * What the command-line tools share: usage errors (exit 2) and --help (exit
 * 0), the tenant options, the database from the same config as the server
 * (refusing, with what to do, when a running server holds the embedded one),
 * and a last word on failure (exit 1).
 */
import { databaseOf, loadConfig } from '../config';
import { createDb } from '../db/createDb';
import type { Database } from '../db/database';
import { DataDirInUseError } from '../db/dataDirLock';
import { describeError } from '../logger';
import { misnamedTenantPart, TENANT_NAME_RULE, type Tenant } from '../tenant';

export class UsageError extends Error {}

export interface Command<Args> {
  /** As printed before messages: `ingest`, `seed`. */
  name: string;
  usage: string;
  /** The arguments, or 'help'; throws (UsageError or parseArgs' TypeError) on bad ones. */
  parse(argv: string[]): Args | 'help';
  /** Does the work; returns the exit code. */
  run(args: Args, database: Database): Promise<number>;
  /** Said when `run` throws, before the error itself. */
  failure: string;
}

export function runCommand<Args>(command: Command<Args>, argv = process.argv.slice(2)): void {
  const say = (message: string) => process.stderr.write(`${command.name}: ${message}\n`);
  execute(command, argv, say).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      say(`${command.failure}\n${describeError(error)}`);
      process.exitCode = 1;
    },
  );
}

async function execute<Args>(command: Command<Args>, argv: string[], say: (message: string) => void): Promise<number> {
  let args: Args | 'help';
  try {
    args = command.parse(argv);
  } catch (error: unknown) {
    say(`${error instanceof Error ? error.message : String(error)}\n\n${command.usage}`);
    return 2;
  }
  if (args === 'help') {
    process.stdout.write(`${command.usage}\n`);
    return 0;
  }
  const config = loadConfig();
  let database: Database;
  try {
    database = await createDb({ ...databaseOf(config), poolSize: 2, countPoolUsage: false });
  } catch (error: unknown) {
    if (error instanceof DataDirInUseError) {
      say(error.message);
      return 1;
    }
    throw error;
  }
  try {
    return await command.run(args, database);
  } finally {
    await database.close();
  }
}

/** The tenant of `--org` (required) and `--sandbox`. */
export function tenantOption(values: { org?: string | undefined; sandbox: string }): Tenant {
  if (!values.org?.trim()) throw new UsageError('--org is required');
  if (!values.sandbox.trim()) throw new UsageError('--sandbox must not be empty');
  const tenant = { orgId: values.org.trim(), sandboxName: values.sandbox.trim() };
  // The API's rule for its tenant headers: profiles stored under another name could never be read.
  const misnamed = misnamedTenantPart(tenant);
  if (misnamed) {
    const option = misnamed === 'organisation' ? '--org' : '--sandbox';
    throw new UsageError(`${option} must be ${TENANT_NAME_RULE}, as the API's tenant headers`);
  }
  return tenant;
}

/**
 * After a load that committed: the store's ANALYZE failed, which takes nothing back. Said on
 * stderr, and the command still succeeds (rerunning it would load the same data again).
 */
export function sayStoreNotAnalyzed(name: string, failure: string): void {
  process.stderr.write(
    `${name}: warning: the profiles are stored, but the store could not be analyzed afterwards (${failure}); ` +
      'exports may plan slowly until it is (autovacuum on PostgreSQL, or VACUUM (ANALYZE) profiles, segment_memberships, experience_events)\n',
  );
}
