/** Where result files live and how links to them are signed; every value comes from the config. */
export interface FilesOptions {
  /** The directory files are kept under (`FILES_DIR`, default `./.data/files`). */
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
}
