import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config';
import { redact } from '../src/db/databaseOptions';

describe('loadConfig: the runner', () => {
  // A chunk must fit well inside the runner's statement timeout, a third of the lease
  // (src/runner/runnerPool.ts): at most half of it, so a sixth of the lease.
  it('accepts a chunk time of exactly a sixth of the lease', () => {
    expect(loadConfig({ RUNNER_LEASE_MS: '6000', RUNNER_CHUNK_MS: '1000' }).runner).toMatchObject({
      leaseMs: 6_000,
      chunkTargetMs: 1_000,
    });
  });

  it('refuses a chunk time above a sixth of the lease, naming both variables and their values', () => {
    expect(() => loadConfig({ RUNNER_LEASE_MS: '6000', RUNNER_CHUNK_MS: '1001' })).toThrow(
      'RUNNER_CHUNK_MS (1001) must be at most a sixth of RUNNER_LEASE_MS (6000)',
    );
  });

  it('holds the default chunk time to the same rule when only the lease is shortened', () => {
    expect(loadConfig({ RUNNER_LEASE_MS: '420' }).runner).toMatchObject({ leaseMs: 420, chunkTargetMs: 70 });
    expect(() => loadConfig({ RUNNER_LEASE_MS: '419' })).toThrow(
      'RUNNER_CHUNK_MS (70) must be at most a sixth of RUNNER_LEASE_MS (419)',
    );
  });

  it('holds the default lease to the rule when only the chunk time is raised', () => {
    expect(loadConfig({ RUNNER_CHUNK_MS: '5000' }).runner).toMatchObject({ leaseMs: 30_000, chunkTargetMs: 5_000 });
    expect(() => loadConfig({ RUNNER_CHUNK_MS: '5001' })).toThrow(
      'RUNNER_CHUNK_MS (5001) must be at most a sixth of RUNNER_LEASE_MS (30000)',
    );
  });

  it('starts with the defaults within the rule', () => {
    const { runner } = loadConfig({});
    expect(runner).toMatchObject({ leaseMs: 30_000, chunkTargetMs: 70 });
    expect(runner.chunkTargetMs * 6).toBeLessThanOrEqual(runner.leaseMs);
  });
});

describe('result retention', () => {
  it('keeps results 7 days and sweeps every minute by default', () => {
    expect(loadConfig({}).runner).toMatchObject({ resultTtlDays: 7, resultSweepMs: 60_000 });
  });

  it('reads RESULT_TTL_DAYS and RESULT_SWEEP_MS', () => {
    expect(loadConfig({ RESULT_TTL_DAYS: '30', RESULT_SWEEP_MS: '5000' }).runner).toMatchObject({ resultTtlDays: 30, resultSweepMs: 5_000 });
  });

  it.each([['0'], ['-1'], ['1.5'], ['a week'], ['3651']])('refuses RESULT_TTL_DAYS=%s, naming it', (value) => {
    expect(() => loadConfig({ RESULT_TTL_DAYS: value })).toThrow(/RESULT_TTL_DAYS/);
  });
});

describe('sharded exports', () => {
  it('splits exports above 100,000 candidates unless RUNNER_SHARD_MIN_PROFILES says otherwise', () => {
    expect(loadConfig({}).runner.shardMinProfiles).toBe(100_000);
    expect(loadConfig({ RUNNER_SHARD_MIN_PROFILES: '5000' }).runner.shardMinProfiles).toBe(5_000);
  });

  it.each([['0'], ['-1'], ['2.5'], ['many']])('refuses RUNNER_SHARD_MIN_PROFILES=%s, naming it', (value) => {
    expect(() => loadConfig({ RUNNER_SHARD_MIN_PROFILES: value })).toThrow(/RUNNER_SHARD_MIN_PROFILES must be an integer/);
  });
});

describe('segment evaluation ranges at once', () => {
  it('runs 2 on PostgreSQL unless RUNNER_EVALUATION_RANGES says otherwise, and always 1 on PGlite', () => {
    const postgres = { DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/gw' };
    expect(loadConfig(postgres).runner.evaluationRangesAtOnce).toBe(2);
    expect(loadConfig({ ...postgres, RUNNER_EVALUATION_RANGES: '4' }).runner.evaluationRangesAtOnce).toBe(4);
    for (const embedded of [{}, { DATABASE_URL: 'memory://' }]) {
      expect(loadConfig(embedded).runner.evaluationRangesAtOnce).toBe(1);
      expect(loadConfig({ ...embedded, RUNNER_EVALUATION_RANGES: '4' }).runner.evaluationRangesAtOnce).toBe(1);
    }
  });

  it.each([['0'], ['17'], ['1.5'], ['two']])('refuses RUNNER_EVALUATION_RANGES=%s on either database, naming it', (value) => {
    for (const database of [{ DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/gw' }, {}]) {
      expect(() => loadConfig({ ...database, RUNNER_EVALUATION_RANGES: value })).toThrow(/RUNNER_EVALUATION_RANGES/);
    }
  });
});

describe('loadConfig: result files in S3', () => {
  it('keeps files on local disk without FILES_S3_BUCKET', () => {
    expect(loadConfig({}).files.s3).toBeUndefined();
  });

  it('reads the bucket, the endpoint as an origin, and the prefix without its trailing slash', () => {
    expect(
      loadConfig({ FILES_S3_BUCKET: 'gw-results', FILES_S3_ENDPOINT: 'http://127.0.0.1:9000/', FILES_S3_PREFIX: 'exports/prod/' }).files.s3,
    ).toEqual({ bucket: 'gw-results', endpoint: 'http://127.0.0.1:9000', prefix: 'exports/prod' });
    expect(loadConfig({ FILES_S3_BUCKET: 'gw-results' }).files.s3).toEqual({ bucket: 'gw-results', endpoint: undefined, prefix: '' });
  });

  it('refuses an endpoint or a prefix without a bucket: the files would quietly stay on disk', () => {
    expect(() => loadConfig({ FILES_S3_ENDPOINT: 'http://127.0.0.1:9000' })).toThrow('FILES_S3_ENDPOINT is set without FILES_S3_BUCKET');
    expect(() => loadConfig({ FILES_S3_ENDPOINT: 'http://127.0.0.1:9000', FILES_S3_PREFIX: 'x' })).toThrow(
      'FILES_S3_ENDPOINT and FILES_S3_PREFIX are set without FILES_S3_BUCKET',
    );
  });

  it.each([['s3://gw-results'], ['gw-results/exports'], ['ab'], ['-gw-results']])('refuses FILES_S3_BUCKET=%s, naming it', (bucket) => {
    expect(() => loadConfig({ FILES_S3_BUCKET: bucket })).toThrow(/^FILES_S3_BUCKET must be a bucket name/);
  });

  it.each([['127.0.0.1:9000'], ['ftp://127.0.0.1'], ['http://127.0.0.1:9000/bucket'], ['http://127.0.0.1:9000?x=1']])(
    'refuses FILES_S3_ENDPOINT=%s, naming it',
    (endpoint) => {
      expect(() => loadConfig({ FILES_S3_BUCKET: 'gw-results', FILES_S3_ENDPOINT: endpoint })).toThrow(/^FILES_S3_ENDPOINT must be an http\(s\) origin/);
    },
  );

  it.each([['/exports'], ['exports//prod'], ['exports/../prod'], ['./exports']])('refuses FILES_S3_PREFIX=%s, naming it', (prefix) => {
    expect(() => loadConfig({ FILES_S3_BUCKET: 'gw-results', FILES_S3_PREFIX: prefix })).toThrow(/^FILES_S3_PREFIX must be key segments/);
  });
});

describe('loadConfig: the embedded database', () => {
  it("gives PGlite its own 128 MB of shared_buffers unless PGLITE_SHARED_BUFFERS_MB says otherwise", () => {
    expect(loadConfig({}).pgliteSharedBuffersMb).toBe(128);
    expect(loadConfig({ PGLITE_SHARED_BUFFERS_MB: '32' }).pgliteSharedBuffersMb).toBe(32);
  });

  it.each([['0'], ['1025'], ['32MB'], ['1.5'], ['lots']])('refuses PGLITE_SHARED_BUFFERS_MB=%s, naming it', (value) => {
    expect(() => loadConfig({ PGLITE_SHARED_BUFFERS_MB: value })).toThrow(/PGLITE_SHARED_BUFFERS_MB must be an integer from 1 to 1024/);
  });
});

describe('loadConfig: webhooks', () => {
  it("resolves webhook hosts with the system's DNS servers unless WEBHOOK_DNS_SERVERS names others", () => {
    expect(loadConfig({}).webhooks.dnsServers).toBeUndefined();
    expect(loadConfig({ WEBHOOK_DNS_SERVERS: ' 10.0.0.53, 127.0.0.1:5353,[::1]:53 ' }).webhooks.dnsServers).toEqual([
      '10.0.0.53',
      '127.0.0.1:5353',
      '[::1]:53',
    ]);
  });

  it.each([['dns.example.com'], ['10.0.0.53:dns'], ['10.0.0.256']])('refuses WEBHOOK_DNS_SERVERS=%s, naming it', (value) => {
    expect(() => loadConfig({ WEBHOOK_DNS_SERVERS: value })).toThrow(/^WEBHOOK_DNS_SERVERS must be DNS server addresses/);
  });
});

describe('loadConfig: server processes', () => {
  it('runs one unless SERVER_PROCESSES says otherwise, and warns of nothing', () => {
    expect(loadConfig({})).toMatchObject({ serverProcesses: 1, renamedVariables: [] });
    expect(loadConfig({ SERVER_PROCESSES: '3' })).toMatchObject({ serverProcesses: 3, renamedVariables: [] });
  });

  it('still reads WORKERS, its old name, and says so', () => {
    const renamed = [{ old: 'WORKERS', name: 'SERVER_PROCESSES' }];
    expect(loadConfig({ WORKERS: '3' })).toMatchObject({ serverProcesses: 3, renamedVariables: renamed });
    expect(loadConfig({ WORKERS: '03', SERVER_PROCESSES: '3' })).toMatchObject({ serverProcesses: 3, renamedVariables: renamed });
    expect(() => loadConfig({ WORKERS: '65' })).toThrow('WORKERS must be an integer from 1 to 64 (got "65")');
  });

  it('refuses both names set to different counts rather than pick one', () => {
    expect(() => loadConfig({ WORKERS: '2', SERVER_PROCESSES: '4' })).toThrow(
      'SERVER_PROCESSES (4) and WORKERS, its old name (2), disagree: set SERVER_PROCESSES alone',
    );
  });
});

describe('DATABASE_URL', () => {
  it('takes several hosts for a failover, as postgres.js does', () => {
    const url = 'postgres://app:secret@db1:5432,db2:5432/gw?target_session_attrs=read-write';
    expect(loadConfig({ DATABASE_URL: url }).databaseUrl).toBe(url);
  });

  it('refuses a URL that does not parse, without its password', () => {
    expect(() => loadConfig({ DATABASE_URL: 'postgres://app:se#cret@db/gw' })).toThrow(/^DATABASE_URL is not a valid URL \(postgres:\/\/app:\*\*\*@db\/gw\)/);
  });
});

describe('redact (a connection URL for a log line)', () => {
  it.each([
    ['postgres://app:secret@db:5432/gw', 'postgres://app:***@db:5432/gw'],
    ['postgres://app:p@ss@db/gw', 'postgres://app:***@db/gw'],
    ['postgres://app:a/b#c@db/gw', 'postgres://app:***@db/gw'],
    ['postgres://app@db/gw?application_name=x@y', 'postgres://app@db/gw?application_name=x@y'],
  ])('redacts %s whole', (url, redacted) => {
    expect(redact(url)).toBe(redacted);
  });
});

describe('loadConfig: the key set of verified callers', () => {
  const jwt = (AUTH_JWKS_URL: string) => ({ AUTH_JWKS_URL, AUTH_ISSUER: 'https://idp.example', AUTH_AUDIENCE: 'gateway' });

  it.each(['https://idp.example/.well-known/jwks.json', 'http://127.0.0.1:8080/jwks', 'http://localhost/jwks', 'http://[::1]:9000/jwks'])(
    'takes %s',
    (url) => {
      expect(loadConfig(jwt(url)).auth).toMatchObject({ mode: 'jwt', jwksUrl: url });
    },
  );

  it.each(['http://idp.example/jwks', 'http://10.0.0.5/jwks', 'ftp://idp.example/jwks', 'idp.example/jwks'])(
    'refuses %s: whoever answers a plain-HTTP fetch could sign tokens for any tenant',
    (url) => {
      expect(() => loadConfig(jwt(url))).toThrow('AUTH_JWKS_URL must be an https URL, or http on this machine');
    },
  );
});

describe('numbers in the environment', () => {
  it.each([[' '], ['0x1F90'], ['1e2'], ['0b101'], ['12abc'], ['+5'], ['8080 ']])('refuses PORT=%j: decimal digits only', (value) => {
    expect(() => loadConfig({ PORT: value })).toThrow(`PORT must be an integer from 0 to 65535 (got ${JSON.stringify(value)})`);
  });

  it('reads decimal digits', () => {
    expect(loadConfig({ PORT: '8080', RUNNER_CONCURRENCY: '0' })).toMatchObject({ port: 8080, runner: { concurrency: 0 } });
  });

  it.each([['0x1'], [' '], ['1e-1'], ['-0.5']])('refuses ACCESS_LOG_SAMPLE=%j', (value) => {
    expect(() => loadConfig({ ACCESS_LOG_SAMPLE: value })).toThrow(/ACCESS_LOG_SAMPLE must be a number from 0 to 1/);
  });

  it('reads a decimal fraction', () => {
    expect(loadConfig({ ACCESS_LOG_SAMPLE: '0.25' }).logging.accessLogSample).toBe(0.25);
    expect(loadConfig({ ACCESS_LOG_SAMPLE: '1' }).logging.accessLogSample).toBe(1);
  });
});

describe('loadConfig: the budgets of requests', () => {
  it("gives an organisation four sandboxes' requests a second unless LIMIT_ORG_REQUESTS_PER_SECOND says otherwise, and downloads a budget of their own", () => {
    expect(loadConfig({}).limits).toMatchObject({ requestsPerSecond: 300, orgRequestsPerSecond: 1_200, downloadsPerSecond: 100, previewsAtOnce: 4 });
    expect(loadConfig({ LIMIT_REQUESTS_PER_SECOND: '50' }).limits.orgRequestsPerSecond).toBe(200);
    expect(loadConfig({ LIMIT_REQUESTS_PER_SECOND: '50', LIMIT_ORG_REQUESTS_PER_SECOND: '60' }).limits.orgRequestsPerSecond).toBe(60);
    expect(loadConfig({ LIMIT_DOWNLOADS_PER_SECOND: '7', LIMIT_PREVIEWS_AT_ONCE: '1' }).limits).toMatchObject({ downloadsPerSecond: 7, previewsAtOnce: 1 });
  });
});
