/**
 * A JSON Web Key Set served over HTTP on loopback, with the private keys that
 * sign test tokens: what an identity provider is to the gateway. Keys can be
 * added and removed while it runs (rotation), and it counts its requests.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type JWK, type JWTPayload, type CryptoKey } from 'jose';

export const ISSUER = 'https://idp.test/';
export const AUDIENCE = 'export-jobs-gateway';

export interface JwksServer {
  url: string;
  /** Requests for the key set so far. */
  fetches(): number;
  /** Generates a key, publishes it, and returns its kid. */
  addKey(alg?: 'RS256' | 'ES256' | 'EdDSA'): Promise<string>;
  /** Stops publishing a key: the gateway refuses its tokens once it fetches the set again. */
  removeKey(kid: string): void;
  /** Answers every fetch of the set `ms` late from now on (0: at once), as a slow identity provider. */
  answerLate(ms: number): void;
  /** Answers every fetch with HTTP `status` and no key set from now on (null: the set again), as a failing identity provider. */
  failWith(status: number | null): void;
  /** A signed JWT: issuer and audience as the gateway expects, an hour of life (`expiresIn` null: no `exp`), unless `claims` say otherwise. */
  sign(claims: JWTPayload, options?: { kid?: string; expiresIn?: string | number | null }): Promise<string>;
  close(): Promise<void>;
}

interface Key {
  alg: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
}

export async function startJwksServer(): Promise<JwksServer> {
  const keys = new Map<string, Key>();
  let fetches = 0;
  let lastKid = '';
  let lateMs = 0;
  let failure: number | null = null;
  const server: Server = createServer((_req, res) => {
    fetches += 1;
    if (failure !== null) {
      res.statusCode = failure;
      res.end('unavailable');
      return;
    }
    res.setHeader('content-type', 'application/json');
    const body = JSON.stringify({ keys: [...keys.values()].map((key) => key.publicJwk) });
    if (lateMs > 0) setTimeout(() => res.end(body), lateMs);
    else res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  const addKey = async (alg: 'RS256' | 'ES256' | 'EdDSA' = 'RS256') => {
    const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
    const kid = `key-${keys.size + 1}-${Math.random().toString(36).slice(2, 8)}`;
    keys.set(kid, { alg, privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' } });
    lastKid = kid;
    return kid;
  };
  await addKey();

  return {
    url: `http://127.0.0.1:${port}/.well-known/jwks.json`,
    fetches: () => fetches,
    addKey,
    removeKey(kid) {
      keys.delete(kid);
      // `sign` without a kid goes on with a key still published.
      if (lastKid === kid) lastKid = [...keys.keys()].at(-1) ?? '';
    },
    answerLate(ms) {
      lateMs = ms;
    },
    failWith(status) {
      failure = status;
    },
    async sign(claims, options = {}) {
      const kid = options.kid ?? lastKid;
      const key = keys.get(kid);
      if (!key) throw new Error(`No key ${kid}`);
      const jwt = new SignJWT({ iss: ISSUER, aud: AUDIENCE, ...claims }).setProtectedHeader({ alg: key.alg, kid }).setIssuedAt();
      if (options.expiresIn !== null) jwt.setExpirationTime(options.expiresIn ?? '1h');
      return jwt.sign(key.privateKey);
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
