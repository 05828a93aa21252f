/**
 * The HMAC key of download links. Every server process (SERVER_PROCESSES > 1) and every
 * restart must sign with the same key, or a link would work on one process and
 * fail on the next: FILES_SIGNING_KEY when set, else one key generated once and
 * kept in a file beside the data.
 */
import { randomBytes } from 'node:crypto';
import { link, mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/** The fewest characters of FILES_SIGNING_KEY. */
export const MIN_SIGNING_KEY_CHARS = 32;

const GENERATED_KEY_BYTES = 32;
const KEY_FILE_CONTENT = /^[0-9a-f]{64}$/;

/**
 * The key links are signed with. `configured` (FILES_SIGNING_KEY, its UTF-8
 * bytes) wins; else the key kept in `keyFile`, which the first process to get
 * there creates (mode 0600, with its directory) and every other process reads;
 * with `keyFile` null (an in-memory database, tests), a random key for this
 * process alone. Throws for a configured key that is too short or a key file
 * that holds something else than a key.
 */
export async function loadSigningKey(options: { configured: string | undefined; keyFile: string | null }): Promise<Buffer> {
  const { configured, keyFile } = options;
  if (configured !== undefined) {
    if (configured.length < MIN_SIGNING_KEY_CHARS) {
      throw new Error(
        `FILES_SIGNING_KEY must have at least ${MIN_SIGNING_KEY_CHARS} characters (it has ${configured.length}); ` +
          `unset it to have a key generated`,
      );
    }
    return Buffer.from(configured, 'utf8');
  }
  if (keyFile === null) return randomBytes(GENERATED_KEY_BYTES);
  return (await readKeyFile(keyFile)) ?? (await createKeyFile(keyFile));
}

/** The key kept in `keyFile`, or null when there is no such file. */
async function readKeyFile(keyFile: string): Promise<Buffer | null> {
  let content: string;
  try {
    content = await readFile(keyFile, 'utf8');
  } catch (error: unknown) {
    if (isErrorCode(error, 'ENOENT')) return null;
    throw new Error(`Reading the download signing key from ${keyFile} failed`, { cause: error });
  }
  const hex = content.trim();
  if (!KEY_FILE_CONTENT.test(hex)) {
    // Never replaced: other processes may sign with it already. The operator decides.
    throw new Error(`${keyFile} does not hold a download signing key (64 hex digits); remove it or set FILES_SIGNING_KEY`);
  }
  return Buffer.from(hex, 'hex');
}

/**
 * Creates `keyFile` with a new key, or reads the one another process created
 * first. The key is written whole to a file of this process's own, then linked
 * under the shared name, which fails when the name exists: a reader never sees
 * a half-written key, and exactly one key wins.
 */
async function createKeyFile(keyFile: string): Promise<Buffer> {
  const key = randomBytes(GENERATED_KEY_BYTES);
  const draft = `${keyFile}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await mkdir(dirname(keyFile), { recursive: true });
    await writeFile(draft, key.toString('hex') + '\n', { flag: 'wx', mode: 0o600, flush: true });
    try {
      await link(draft, keyFile);
      return key;
    } catch (error: unknown) {
      if (!isErrorCode(error, 'EEXIST')) throw error;
    }
  } catch (error: unknown) {
    throw new Error(`Creating the download signing key ${keyFile} failed`, { cause: error });
  } finally {
    await unlink(draft).catch(() => {}); // Absent when writing it failed; the link, if made, keeps the key.
  }
  const winner = await readKeyFile(keyFile);
  if (winner === null) throw new Error(`${keyFile} was created by another process and then removed`);
  return winner;
}

function isErrorCode(error: unknown, code: string): boolean {
  return error instanceof Error && (error as NodeJS.ErrnoException).code === code;
}
