/**
 * Verifies bearer JWTs with jose against a JSON Web Key Set: a remote one
 * (cached; an unknown `kid` makes jose fetch it again, so keys rotate without a
 * restart) or a local file. Only asymmetric algorithms: never `none`, never an
 * HMAC that a public key could be mistaken for as the secret.
 */
import { readFileSync } from 'node:fs';
import { createLocalJWKSet, createRemoteJWKSet, errors, jwtVerify, type JWTVerifyGetKey } from 'jose';
import type { AuthOptions } from './authOptions';
import { grantsOf, type TenantGrant } from './tenantGrants';

export const ACCEPTED_ALGORITHMS = ['RS256', 'ES256', 'EdDSA'];
export const CLOCK_TOLERANCE_SECONDS = 30;
/** Verified tokens remembered at once (the oldest goes first). */
const VERIFIED_TOKENS_KEPT = 10_000;

export interface VerifiedToken {
  /** The token's `sub`: who acts. */
  subject: string | null;
  grants: TenantGrant[];
  /** When the token expires (ms since the epoch); null when it does not. */
  expiresAt: number | null;
}

/** Why a token was refused; its message is safe to show (it says nothing of tenants or keys). */
export class TokenRejectedError extends Error {}

export interface TokenVerifier {
  verify(token: string): Promise<VerifiedToken>;
}

export function createTokenVerifier(options: AuthOptions): TokenVerifier {
  const keys = keySet(options);
  // A client sends the same token with every request: a verified one is remembered until
  // it expires (by its exact text), so verification costs a lookup after the first time.
  const verified = new Map<string, VerifiedToken>();
  const remember = (token: string, result: VerifiedToken) => {
    if (verified.size >= VERIFIED_TOKENS_KEPT) verified.delete(verified.keys().next().value!);
    verified.set(token, result);
  };
  return {
    async verify(token) {
      const known = verified.get(token);
      if (known && (known.expiresAt === null || known.expiresAt > Date.now())) return known;
      verified.delete(token);
      try {
        const { payload } = await jwtVerify(token, keys, {
          algorithms: ACCEPTED_ALGORITHMS,
          clockTolerance: CLOCK_TOLERANCE_SECONDS,
          ...(options.issuer ? { issuer: options.issuer } : {}),
          ...(options.audience ? { audience: options.audience } : {}),
        });
        const result: VerifiedToken = {
          subject: typeof payload.sub === 'string' ? payload.sub : null,
          grants: grantsOf(payload[options.tenantsClaim]),
          expiresAt: typeof payload.exp === 'number' ? payload.exp * 1000 : null,
        };
        // Not before it is valid (nbf, iat in the future within the skew): verify it again then.
        if (typeof payload.nbf !== 'number' || payload.nbf * 1000 <= Date.now()) remember(token, result);
        return result;
      } catch (error: unknown) {
        if (error instanceof errors.JOSEError) throw new TokenRejectedError(reasonOf(error), { cause: error });
        throw error;
      }
    },
  };
}

function keySet(options: AuthOptions): JWTVerifyGetKey {
  // jose caches the set for ten minutes and fetches it again for a kid it does not know, at
  // most once a second here (its default, 30 s, would refuse a rotated key for half a minute).
  if (options.jwksUrl) return createRemoteJWKSet(new URL(options.jwksUrl), { cooldownDuration: 1_000 });
  if (options.jwksFile) return createLocalJWKSet(JSON.parse(readFileSync(options.jwksFile, 'utf8')));
  throw new Error('AUTH_MODE=jwt needs AUTH_JWKS_URL or AUTH_JWKS_FILE');
}

/** A short reason for the client, from jose's error class. */
function reasonOf(error: InstanceType<typeof errors.JOSEError>): string {
  if (error instanceof errors.JWTExpired) return 'The bearer token has expired';
  if (error instanceof errors.JWTClaimValidationFailed) return `The bearer token's ${error.claim} claim is not accepted`;
  return 'The bearer token is not valid';
}
