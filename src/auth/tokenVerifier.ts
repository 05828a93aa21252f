/**
 * Verifies bearer JWTs with jose against a JSON Web Key Set (src/auth/keySet.ts):
 * only asymmetric algorithms, never `none`, never an HMAC that a public key
 * could be mistaken for as the secret; always the configured issuer and audience.
 */
import { errors, jwtVerify } from 'jose';
import type { AuthOptions } from './authOptions';
import { keySetOf } from './keySet';
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

/** A token verified earlier, and the `kid` of the key that signed it (undefined when its header names none). */
interface Remembered {
  token: VerifiedToken;
  kid: string | undefined;
}

export function createTokenVerifier(
  options: Pick<AuthOptions, 'jwksUrl' | 'jwksFile' | 'issuer' | 'audience' | 'tenantsClaim'>,
): TokenVerifier {
  const { issuer, audience } = options;
  // loadConfig refuses this already; a verifier built without them would take any token of the key set.
  if (!issuer || !audience) throw new Error('AUTH_MODE=jwt needs AUTH_ISSUER and AUTH_AUDIENCE');
  // A client sends the same token with every request: a verified one is remembered (by its
  // exact text) so that verification costs a lookup after the first time. It is remembered
  // only while the key that signed it is published: a key taken out of the set revokes its
  // tokens as soon as the set is fetched again, and a remote set is fetched again at the
  // latest JWKS_MAX_AGE_MS after the last fetch, since a stale set trusts nothing remembered.
  const keys = keySetOf(options);
  const verified = new Map<string, Remembered>();
  let published = keys.published();
  /** Forgets the tokens whose key changed or went, once a fetch brought a set that differs. */
  const followKeySet = () => {
    const now = keys.published();
    if (now === published) return;
    for (const [text, remembered] of verified) {
      if (remembered.kid === undefined || now.get(remembered.kid) !== published.get(remembered.kid)) verified.delete(text);
    }
    published = now;
  };
  /**
   * Remembers a token verified while the set held `keysBefore`: only if its key is
   * published now as it was then. A fetch meanwhile (by another request) that took the
   * key out or put other key material under its `kid` leaves it to be verified again.
   */
  const remember = (text: string, remembered: Remembered, keysBefore: ReadonlyMap<string, string>) => {
    if (remembered.kid !== undefined) {
      const now = published.get(remembered.kid);
      if (now === undefined || now !== keysBefore.get(remembered.kid)) return;
    }
    if (verified.size >= VERIFIED_TOKENS_KEPT) verified.delete(verified.keys().next().value!);
    verified.set(text, remembered);
  };
  return {
    async verify(text) {
      followKeySet();
      const known = verified.get(text);
      if (known && (known.token.expiresAt === null || known.token.expiresAt > Date.now()) && keys.isFresh()) return known.token;
      verified.delete(text);
      const keysBefore = published;
      try {
        const { payload, protectedHeader } = await jwtVerify(text, keys.getKey, {
          algorithms: ACCEPTED_ALGORITHMS,
          clockTolerance: CLOCK_TOLERANCE_SECONDS,
          issuer,
          audience,
          // A token that never expires would stay good for ever once remembered, and keep a
          // WebSocket open after its key left the key set: every token must say when it ends.
          requiredClaims: ['exp'],
        });
        const token: VerifiedToken = {
          subject: typeof payload.sub === 'string' ? payload.sub : null,
          grants: grantsOf(payload[options.tenantsClaim]),
          expiresAt: typeof payload.exp === 'number' ? payload.exp * 1000 : null,
        };
        followKeySet(); // verifying may have fetched the set
        // Not before it is valid (nbf, iat in the future within the skew): verify it again then.
        if (typeof payload.nbf !== 'number' || payload.nbf * 1000 <= Date.now()) remember(text, { token, kid: protectedHeader.kid }, keysBefore);
        return token;
      } catch (error: unknown) {
        if (error instanceof errors.JOSEError) throw new TokenRejectedError(reasonOf(error), { cause: error });
        throw error;
      }
    },
  };
}

/** A short reason for the client, from jose's error class. */
function reasonOf(error: InstanceType<typeof errors.JOSEError>): string {
  if (error instanceof errors.JWTExpired) return 'The bearer token has expired';
  if (error instanceof errors.JWTClaimValidationFailed) {
    return error.reason === 'missing' ? `The bearer token has no ${error.claim} claim` : `The bearer token's ${error.claim} claim is not accepted`;
  }
  return 'The bearer token is not valid';
}
