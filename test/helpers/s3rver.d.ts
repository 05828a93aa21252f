/** The part of s3rver 3's API the tests use (it ships no types). */
declare module 's3rver' {
  import type { IncomingMessage, ServerResponse } from 'node:http';

  interface S3rverOptions {
    /** Where buckets and objects are kept (default: the OS temp dir's `s3rver`). */
    directory?: string;
    /** Suppress its request log. */
    silent?: boolean;
    /** Default true: `bucket.host` addressing too. */
    vhostBuckets?: boolean;
    /** Accept a request whose signature does not match (default false). */
    allowMismatchedSignatures?: boolean;
    address?: string;
    port?: number;
  }

  export default class S3rver {
    constructor(options?: S3rverOptions);
    /** A request handler for a server of one's own (`run()` starts one itself). */
    callback(): (req: IncomingMessage, res: ServerResponse) => void;
  }
}
