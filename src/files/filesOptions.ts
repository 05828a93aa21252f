/** Where result files live and how links to them are signed; every value comes from the config. */
export interface FilesOptions {
  /**
   * The directory files are kept under (`FILES_DIR`, default `./.data/files`).
   * With `s3`, only where each batch's files are staged before their upload.
   */
  dir: string;
  /**
   * The HMAC key of download links (`FILES_SIGNING_KEY`, at least 32 characters).
   * Unset: generated once and kept in `keyFile`, so every process and restart signs alike.
   */
  signingKey: string | undefined;
  /** Where a generated key is kept (`DATA_DIR/files-signing-key`); null keeps it in memory (tests). */
  keyFile: string | null;
  /**
   * The origin download links start with (`PUBLIC_URL`, e.g. `https://exports.example.com`);
   * unset, the origin the request was sent to (its Host header).
   */
  publicUrl: string | undefined;
  /** Files in an S3 bucket instead of on disk; absent (no `FILES_S3_BUCKET`): on disk under `dir`. */
  s3?: S3Options | undefined;
}

/**
 * An S3 (or S3-compatible) bucket for result files. Region and credentials are
 * not here: the AWS SDK finds them itself (`AWS_REGION`, `AWS_ACCESS_KEY_ID`,
 * `AWS_SECRET_ACCESS_KEY`, `AWS_PROFILE`, a web identity or instance role, …).
 */
export interface S3Options {
  /** The bucket (`FILES_S3_BUCKET`). */
  bucket: string;
  /**
   * An S3-compatible server's URL (`FILES_S3_ENDPOINT`, e.g. `http://127.0.0.1:9000`),
   * addressed path-style; unset, AWS S3 in the SDK's region.
   */
  endpoint: string | undefined;
  /** A key prefix every object is kept under (`FILES_S3_PREFIX`, without slashes at either end); '' for none. */
  prefix: string;
}
