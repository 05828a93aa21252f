/**
 * An S3 store, checked before it is used: a region, credentials, and a bucket
 * they can reach, or startup fails saying which is missing.
 */
import { HeadBucketCommand, S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import type { S3Options } from './filesOptions';
import { s3FileStore, type S3FileStore, type S3FileStoreOptions } from './s3FileStore';

/** S3-compatible servers (MinIO, s3rver, …) take any region; us-east-1 is the one they default to. */
const ENDPOINT_DEFAULT_REGION = 'us-east-1';

export async function openS3FileStore(
  s3: S3Options,
  /** Where files are staged before upload (FILES_DIR). */
  stagingDir: string,
  tuning: Pick<S3FileStoreOptions, 'partSize' | 'queueSize' | 'pageSize'>,
): Promise<S3FileStore> {
  const client = await checkedS3Client(s3);
  return s3FileStore({ client, bucket: s3.bucket, prefix: s3.prefix, stagingDir, ...tuning });
}

async function checkedS3Client(s3: S3Options): Promise<S3Client> {
  const custom: S3ClientConfig =
    s3.endpoint === undefined
      ? {}
      : {
          endpoint: s3.endpoint,
          forcePathStyle: true,
          // Checksums only where an operation requires them: the SDK's newer default (CRC32 on
          // every upload) is refused by several S3-compatible servers; AWS S3 keeps the default.
          requestChecksumCalculation: 'WHEN_REQUIRED',
          responseChecksumValidation: 'WHEN_REQUIRED',
        };
  let client = new S3Client(custom);
  // The SDK's own chain (AWS_REGION, the profile's region); asked here so that its absence is said at startup.
  const region = await client.config.region().catch(() => undefined);
  if (!region) {
    client.destroy();
    if (s3.endpoint === undefined) {
      throw new Error('FILES_S3_BUCKET is set but no AWS region is: set AWS_REGION (or a region in the AWS profile)');
    }
    client = new S3Client({ ...custom, region: ENDPOINT_DEFAULT_REGION });
  }
  try {
    await client.config.credentials();
  } catch (error: unknown) {
    client.destroy();
    throw new Error(
      'FILES_S3_BUCKET is set but no AWS credentials were found: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, AWS_PROFILE, or run with a role',
      { cause: error },
    );
  }
  try {
    await client.send(new HeadBucketCommand({ Bucket: s3.bucket }));
  } catch (error: unknown) {
    const where = s3.endpoint ?? `AWS S3 (${await client.config.region()})`;
    client.destroy();
    const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    const why = status === 404 ? 'it does not exist' : status === 403 ? 'access is denied' : 'it cannot be reached';
    throw new Error(`FILES_S3_BUCKET ${JSON.stringify(s3.bucket)} at ${where} cannot be used: ${why}`, { cause: error });
  }
  return client;
}
