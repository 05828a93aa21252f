/**
 * `npm run seed -- --profiles N --org ORG [--sandbox SB]`: replaces a tenant's
 * profile store with N deterministic synthetic profiles (see `seedProfiles`).
 * Exit codes: 0 done, 1 failed (the old store is kept), 2 bad arguments.
 */
import { parseArgs } from 'node:util';
import type { Database } from '../db/database';
import { MAX_SEED_PROFILES, SEED_REFERENCE_TIME, seedProfiles } from '../profiles/seedProfiles';
import { DEFAULT_SANDBOX, type Tenant } from '../tenant';
import { runCommand, sayStoreNotAnalyzed, tenantOption, UsageError } from './command';

const USAGE = `Usage: npm run seed -- --profiles N --org ORG [--sandbox SANDBOX] [--recent-events]

Replaces the profile store of ORG/SANDBOX (default sandbox: ${DEFAULT_SANDBOX})
with N synthetic profiles; the same N always gives the same data. The database
is DATABASE_URL, or the embedded one in DATA_DIR when it is unset.
--recent-events also gives every profile 1-6 experience events in the 60 days
before the seed's reference time (${SEED_REFERENCE_TIME}), for segment expressions.`;

interface SeedArguments {
  count: number;
  tenant: Tenant;
  recentEvents: boolean;
}

function parseArguments(argv: string[]): SeedArguments | 'help' {
  const { values } = parseArgs({
    args: argv,
    options: {
      profiles: { type: 'string' },
      org: { type: 'string' },
      sandbox: { type: 'string', default: DEFAULT_SANDBOX },
      'recent-events': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return 'help';
  // Accepts 1000000, 1_000_000 and 1,000,000.
  const count = Number(values.profiles?.replace(/[_,]/g, '') ?? Number.NaN);
  if (!Number.isInteger(count) || count < 1 || count > MAX_SEED_PROFILES) {
    throw new UsageError(`--profiles must be an integer from 1 to ${MAX_SEED_PROFILES}`);
  }
  return { count, tenant: tenantOption(values), recentEvents: values['recent-events'] };
}

async function seed({ count, tenant, recentEvents }: SeedArguments, database: Database): Promise<number> {
  const startedAt = performance.now();
  const elapsed = () => ((performance.now() - startedAt) / 1000).toFixed(1);
  const summary = await seedProfiles(database, tenant, count, {
    recentEvents,
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
  if (summary.analyzeFailure !== null) sayStoreNotAnalyzed('seed', summary.analyzeFailure);
  return 0;
}

runCommand({
  name: 'seed',
  usage: USAGE,
  parse: parseArguments,
  run: seed,
  failure: 'failed, the store is unchanged',
});
