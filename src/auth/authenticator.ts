/**
 * Who is asking: the tenant a request names (headers, or a WebSocket's
 * `connection_init` payload read as headers) and, with `AUTH_MODE=jwt`, the
 * verified bearer token that may act for it. Refusals never say whether the
 * tenant or anything of it exists: no or a bad token is UNAUTHENTICATED, a
 * good token for another tenant FORBIDDEN.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { readCaller } from '../context';
import { ErrorCode, GatewayError } from '../errors';
import type { Tenant } from '../tenant';
import type { AuthOptions } from './authOptions';
import { grants } from './tenantGrants';
import { KeySetUnavailableError } from './keySet';
import { createTokenVerifier, TokenRejectedError } from './tokenVerifier';

export interface Caller {
  tenant: Tenant;
  /** The raw bearer token, if any (only its SHA-256 is ever stored). */
  bearerToken: string | null;
  /** The verified token's `sub`; null without verification. */
  subject: string | null;
  /** When the verified token expires (ms since the epoch); null without one. */
  expiresAt: number | null;
}

export interface Authenticator {
  readonly mode: AuthOptions['mode'];
  /** The caller, or throws a GatewayError (UNAUTHENTICATED or FORBIDDEN). */
  authenticate(headers: IncomingHttpHeaders): Promise<Caller>;
}

export function createAuthenticator(options: AuthOptions): Authenticator {
  if (options.mode === 'none') {
    return {
      mode: 'none',
      authenticate: async (headers) => ({ ...readCaller(headers), subject: null, expiresAt: null }),
    };
  }
  const verifier = createTokenVerifier(options);
  return {
    mode: 'jwt',
    async authenticate(headers) {
      const authorization = headers.authorization;
      if (!authorization) throw new GatewayError(ErrorCode.UNAUTHENTICATED, 'A bearer token is required');
      const { tenant, bearerToken } = readCaller(headers);
      let verified;
      try {
        verified = await verifier.verify(bearerToken!);
      } catch (error: unknown) {
        if (error instanceof TokenRejectedError) throw new GatewayError(ErrorCode.UNAUTHENTICATED, error.message);
        // Not the token's fault: a client that dropped a good token on 401 would be wrong to.
        if (error instanceof KeySetUnavailableError) {
          throw new GatewayError(ErrorCode.SERVICE_UNAVAILABLE, 'Tokens cannot be verified for a moment; try again', { retryAfter: 5 });
        }
        throw new Error('Verifying a bearer token failed', { cause: error });
      }
      if (!grants(verified.grants, tenant)) {
        throw new GatewayError(ErrorCode.FORBIDDEN, 'The bearer token may not act for this tenant');
      }
      return { tenant, bearerToken, subject: verified.subject, expiresAt: verified.expiresAt };
    },
  };
}
