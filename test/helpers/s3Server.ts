/**
 * A real S3-compatible server for tests: s3rver 3 on a free loopback port over
 * a temporary directory, removed on close. It serves each request as S3 would,
 * records them (`requests`), and can hold requests back (`hold`) the way a
 * slow network would, to catch an upload in flight.
 *
 * What s3rver 3 checks of a presigned URL: its access key, and its expiry
 * (X-Amz-Date + X-Amz-Expires). Not its SigV4 signature: a URL whose signature
 * was changed is accepted, so no test here can show that S3 refuses one.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import S3rver from 's3rver';
import { afterAll, beforeAll, vi } from 'vitest';

/** s3rver's one account (`AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY` of a client). */
export const S3RVER_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

/** A request s3rver was sent: method and URL (path and query). */
export interface S3Request {
  method: string;
  url: string;
}

/** Requests held back: `arrived` once the first comes; `release()` passes on those whose client still waits. */
export interface HeldRequests {
  arrived: Promise<IncomingMessage>;
  /** Whether the client gave up on a held request (closed its connection) before it was released. */
  abandoned(): boolean;
  release(): void;
}

export interface TestS3Server {
  /** `http://127.0.0.1:<port>`: FILES_S3_ENDPOINT. */
  endpoint: string;
  /** A client of this server (path-style, its credentials). */
  client: S3Client;
  requests: S3Request[];
  createBucket(name: string): Promise<void>;
  /** The keys in `bucket` that start with `prefix`, sorted (at most 1,000). */
  keysUnder(bucket: string, prefix: string): Promise<string[]>;
  /** Holds every later request `matches` accepts until released. */
  hold(matches: (req: IncomingMessage) => boolean): HeldRequests;
  close(): Promise<void>;
}

export async function startS3Server(): Promise<TestS3Server> {
  const directory = await mkdtemp(join(tmpdir(), 'gw-s3rver-'));
  const serve = new S3rver({ directory, silent: true, vhostBuckets: false }).callback();
  const requests: S3Request[] = [];
  const holds: { matches(req: IncomingMessage): boolean; held: [IncomingMessage, ServerResponse][]; released: boolean; arrive(req: IncomingMessage): void }[] = [];
  const server = createServer((req, res) => {
    requests.push({ method: req.method ?? '', url: req.url ?? '' });
    const hold = holds.find((candidate) => !candidate.released && candidate.matches(req));
    if (!hold) return serve(req, res);
    hold.held.push([req, res]);
    hold.arrive(req);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = new S3Client({ endpoint, forcePathStyle: true, region: 'us-east-1', credentials: S3RVER_CREDENTIALS });
  return {
    endpoint,
    client,
    requests,
    createBucket: async (name) => void (await client.send(new CreateBucketCommand({ Bucket: name }))),
    async keysUnder(bucket, prefix) {
      const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
      return (page.Contents ?? []).map((object) => object.Key!).sort();
    },
    hold(matches) {
      let arrive!: (req: IncomingMessage) => void;
      const arrived = new Promise<IncomingMessage>((resolve) => (arrive = resolve));
      const hold = { matches, held: [] as [IncomingMessage, ServerResponse][], released: false, arrive };
      holds.push(hold);
      return {
        arrived,
        abandoned: () => hold.held.some(([req]) => req.destroyed),
        release() {
          hold.released = true;
          // A request its client abandoned never reaches the store: as on a network, it never arrived whole.
          for (const [req, res] of hold.held.splice(0)) if (!req.destroyed) serve(req, res);
        },
      };
    },
    async close() {
      for (const hold of holds) hold.released = true;
      client.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(directory, { recursive: true, force: true });
    },
  };
}

/**
 * One server for a test file: started before its tests, with AWS_ACCESS_KEY_ID,
 * AWS_SECRET_ACCESS_KEY and AWS_REGION set for the AWS SDK's default chain to
 * find (as a deployment's would be, and inherited by processes the tests spawn),
 * and closed after them.
 */
export function s3ServerForTests(): () => TestS3Server {
  let server: TestS3Server | undefined;
  beforeAll(async () => {
    vi.stubEnv('AWS_ACCESS_KEY_ID', S3RVER_CREDENTIALS.accessKeyId);
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', S3RVER_CREDENTIALS.secretAccessKey);
    vi.stubEnv('AWS_REGION', 'eu-west-1');
    // The SDK's notice that its 2027 releases need Node 22: once per process, on stderr.
    vi.stubEnv('AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED', 'true');
    server = await startS3Server();
  });
  afterAll(async () => {
    await server?.close();
    vi.unstubAllEnvs();
  });
  return () => {
    if (!server) throw new Error('The S3 server starts in beforeAll');
    return server;
  };
}

/** Every file below `dir`, by name (staging directories are removed once their files are uploaded). */
export async function filesBelow(dir: string): Promise<string[]> {
  return (await readdir(dir, { recursive: true, withFileTypes: true })).filter((entry) => entry.isFile()).map((entry) => entry.name);
}
