/**
 * The keys that sign bearer tokens, as a JSON Web Key Set: a remote one
 * (AUTH_JWKS_URL), which jose caches for `JWKS_MAX_AGE_MS` and fetches again
 * sooner for a `kid` it does not know, or a local file (AUTH_JWKS_FILE), read
 * once at start. Besides finding a token's key, it says which keys it publishes
 * now, so that the verifier stops trusting tokens whose key was taken out.
 */
import { readFileSync } from 'node:fs';
import { createLocalJWKSet, createRemoteJWKSet, customFetch, errors, jwksCache, type JSONWebKeySet, type JWTVerifyGetKey } from 'jose';
import type { AuthOptions } from './authOptions';

/**
 * How long a fetched remote key set is used before it is fetched again (jose's
 * default, stated here because the verifier's cache of verified tokens relies on it).
 */
export const JWKS_MAX_AGE_MS = 10 * 60_000;

/**
 * The least time between two fetches that an unknown `kid` causes: jose's default,
 * 30 s, would refuse a newly rotated key for half a minute.
 */
export const JWKS_REFETCH_COOLDOWN_MS = 1_000;

/**
 * The remote key set could not be read (refused, timed out, not 200, not a key set)
 * when a token needed it: no fault of the token's, so the caller is told to try again.
 */
export class KeySetUnavailableError extends Error {
  constructor(url: URL, cause: unknown) {
    super(`The key set at ${url.origin}${url.pathname} could not be read`, { cause });
    this.name = 'KeySetUnavailableError';
  }
}

export interface KeySet {
  /** Finds the key of a token (jose's key resolver). */
  getKey: JWTVerifyGetKey;
  /**
   * Whether the keys as last read may still be relied on without reading them
   * again: a remote set within `JWKS_MAX_AGE_MS` of its fetch, a local file always.
   */
  isFresh(): boolean;
  /**
   * The keys published now: each `kid` with its JWKs as JSON text. The same map
   * is returned until a fetch brings a set whose keys differ; then a new one.
   */
  published(): ReadonlyMap<string, string>;
}

export function keySetOf(options: Pick<AuthOptions, 'jwksUrl' | 'jwksFile'>): KeySet {
  if (options.jwksUrl) return remoteKeySet(new URL(options.jwksUrl));
  if (options.jwksFile) return localKeySet(options.jwksFile);
  throw new Error('AUTH_MODE=jwt needs AUTH_JWKS_URL or AUTH_JWKS_FILE');
}

function remoteKeySet(url: URL): KeySet {
  // jose writes each set it fetches (and uses) into this object: how we learn that the set changed.
  const fetched: { uat?: number; jwks?: JSONWebKeySet } = {};
  const remote = createRemoteJWKSet(url, {
    cacheMaxAge: JWKS_MAX_AGE_MS,
    cooldownDuration: JWKS_REFETCH_COOLDOWN_MS,
    [jwksCache]: fetched as Record<string, never>,
    [customFetch]: fetchKeySet,
  });
  const getKey: JWTVerifyGetKey = async (header, token) => {
    try {
      return await remote(header, token);
    } catch (error: unknown) {
      throw isFetchFailure(error) ? new KeySetUnavailableError(url, error) : error;
    }
  };
  let seenAt: number | undefined;
  let published: ReadonlyMap<string, string> = new Map();
  return {
    getKey,
    isFresh: () => remote.fresh,
    published() {
      if (fetched.uat === seenAt || !fetched.jwks) return published;
      seenAt = fetched.uat;
      const next = keysByKid(fetched.jwks);
      if (!sameKeys(next, published)) published = next;
      return published;
    },
  };
}

function localKeySet(file: string): KeySet {
  let jwks: JSONWebKeySet;
  try {
    jwks = JSON.parse(readFileSync(file, 'utf8')) as JSONWebKeySet;
  } catch (error: unknown) {
    throw new Error(`Reading the key set of AUTH_JWKS_FILE (${file}) failed`, { cause: error });
  }
  const published = keysByKid(jwks);
  return { getKey: createLocalJWKSet(jwks), isFresh: () => true, published: () => published };
}

/** Each `kid` of the set with its JWKs (one a key type and algorithm) as JSON; keys without a kid are left out. */
function keysByKid(jwks: JSONWebKeySet): Map<string, string> {
  const groups = new Map<string, unknown[]>();
  for (const jwk of Array.isArray(jwks.keys) ? jwks.keys : []) {
    if (typeof jwk.kid !== 'string') continue;
    groups.set(jwk.kid, [...(groups.get(jwk.kid) ?? []), jwk]);
  }
  return new Map([...groups].map(([kid, keys]) => [kid, JSON.stringify(keys)]));
}

function sameKeys(a: ReadonlyMap<string, string>, b: ReadonlyMap<string, string>): boolean {
  return a.size === b.size && [...a].every(([kid, keys]) => b.get(kid) === keys);
}

/** A fetch of the key set that got no answer, or one other than 200: told apart from every other error. */
class KeySetFetchFailed extends Error {}

/** `fetch`, with its failures marked as the key set's (a timeout stays jose's JWKSTimeout). */
const fetchKeySet = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
  let response: Response;
  try {
    response = await fetch(input, init);
  } catch (error: unknown) {
    if (error instanceof Error && error.name === 'TimeoutError') throw error;
    throw new KeySetFetchFailed('The key set could not be fetched', { cause: error });
  }
  if (response.status !== 200) {
    // Unread, the answer would hold its connection until garbage collection.
    await response.body?.cancel();
    throw new KeySetFetchFailed(`The key set was answered with HTTP ${response.status}`);
  }
  return response;
};

/**
 * Whether reading the set failed, rather than the token (no key of its `kid`, an
 * algorithm the set has no key for) or anything else (a key that cannot be imported:
 * a fault of the set's that retrying will not mend): no answer or one other than
 * 200, a timeout, or a body that is no key set.
 */
function isFetchFailure(error: unknown): boolean {
  if (error instanceof KeySetFetchFailed || error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid) return true;
  return error instanceof errors.JOSEError && error.message.startsWith('Failed to parse the JSON Web Key Set');
}
