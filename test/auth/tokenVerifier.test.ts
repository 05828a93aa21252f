/**
 * The verifier's memory of tokens it verified: a token is taken on trust only
 * while the key that signed it is published, as the key set was last fetched,
 * and that set is fetched again at least every JWKS_MAX_AGE_MS. Against a real
 * JWKS endpoint on loopback.
 */
import { afterAll, beforeAll, afterEach, describe, expect, it, vi } from 'vitest';
import { JWKS_MAX_AGE_MS, JWKS_REFETCH_COOLDOWN_MS, KeySetUnavailableError } from '../../src/auth/keySet';
import { createTokenVerifier, TokenRejectedError, type TokenVerifier } from '../../src/auth/tokenVerifier';
import { AUDIENCE, ISSUER, startJwksServer, type JwksServer } from '../helpers/jwksServer';

const ORG = 'ORG_A@AdobeOrg';
const pastCooldown = () => new Promise((resolve) => setTimeout(resolve, JWKS_REFETCH_COOLDOWN_MS + 100));

describe('the verified-token memory', () => {
  let jwks: JwksServer;
  let verifier: TokenVerifier;

  beforeAll(async () => {
    jwks = await startJwksServer();
  });
  afterAll(() => jwks?.close());
  afterEach(() => {
    vi.useRealTimers();
  });

  /** A new verifier, and a token of a key of its own that the set publishes now and it has verified once. */
  async function verifiedToken() {
    verifier = createTokenVerifier({ jwksUrl: jwks.url, jwksFile: undefined, issuer: ISSUER, audience: AUDIENCE, tenantsClaim: 'tenants' });
    const kid = await jwks.addKey('ES256');
    const token = await jwks.sign({ sub: 'eve', tenants: [ORG] }, { kid });
    expect((await verifier.verify(token)).subject).toBe('eve');
    return { kid, token };
  }

  it('takes a token it verified again without fetching the key set, while the set is fresh', async () => {
    const { token } = await verifiedToken();
    const fetches = jwks.fetches();
    for (let i = 0; i < 3; i += 1) expect((await verifier.verify(token)).subject).toBe('eve');
    expect(jwks.fetches()).toBe(fetches);
  });

  it('forgets a token once a fetch of the set no longer holds its key, and still takes those of the other keys', async () => {
    const { kid, token } = await verifiedToken();
    const kept = await jwks.sign({ sub: 'ada', tenants: [ORG] }, { kid: await jwks.addKey('RS256') });
    await pastCooldown();
    expect((await verifier.verify(kept)).subject).toBe('ada'); // an unknown kid: the set is fetched
    jwks.removeKey(kid);
    await pastCooldown();
    const rotated = await jwks.sign({ tenants: [ORG] }, { kid: await jwks.addKey('EdDSA') });
    const fetches = jwks.fetches();
    await verifier.verify(rotated); // fetches the set without the removed key
    expect(jwks.fetches()).toBe(fetches + 1);
    await expect(verifier.verify(token)).rejects.toThrow(TokenRejectedError);
    expect((await verifier.verify(kept)).subject).toBe('ada');
  });

  it(`trusts nothing it remembers once the set is older than ${JWKS_MAX_AGE_MS / 60_000} minutes: it fetches it again first`, async () => {
    const { kid, token } = await verifiedToken();
    jwks.removeKey(kid);
    // Until the set is fetched again the token still passes: the bound is the set's max age.
    expect((await verifier.verify(token)).subject).toBe('eve');
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + JWKS_MAX_AGE_MS + 1_000 });
    const fetches = jwks.fetches();
    await expect(verifier.verify(token)).rejects.toThrow('The bearer token is not valid');
    expect(jwks.fetches()).toBe(fetches + 1);
  });

  it('fetches a stale set once, then takes a token whose key it still holds on trust again', async () => {
    const { token } = await verifiedToken();
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + JWKS_MAX_AGE_MS + 1_000 });
    const fetches = jwks.fetches();
    expect((await verifier.verify(token)).subject).toBe('eve');
    expect(jwks.fetches()).toBe(fetches + 1); // stale: fetched again, and the key is still there
    expect((await verifier.verify(token)).subject).toBe('eve');
    expect(jwks.fetches()).toBe(fetches + 1);
  });
});

describe('a key set that cannot be read', () => {
  let jwks: JwksServer;

  beforeAll(async () => {
    jwks = await startJwksServer();
  });
  afterAll(() => jwks?.close());
  afterEach(() => {
    vi.useRealTimers();
    jwks.failWith(null);
  });

  const verifierOf = (jwksUrl: string) =>
    createTokenVerifier({ jwksUrl, jwksFile: undefined, issuer: ISSUER, audience: AUDIENCE, tenantsClaim: 'tenants' });

  it('is told apart from a bad token: refused connections and answers other than 200', async () => {
    const token = await jwks.sign({ tenants: [ORG] });
    const closed = await startJwksServer();
    const closedUrl = closed.url;
    await closed.close();
    await expect(verifierOf(closedUrl).verify(token)).rejects.toThrow(KeySetUnavailableError);

    jwks.failWith(503);
    await expect(verifierOf(jwks.url).verify(token)).rejects.toThrow(KeySetUnavailableError);
    jwks.failWith(null);
    // A token whose key the set does not hold is the token's fault.
    const kid = await jwks.addKey('ES256');
    const unpublished = await jwks.sign({ tenants: [ORG] }, { kid });
    jwks.removeKey(kid);
    const unknown = await verifierOf(jwks.url).verify(unpublished).catch((error: unknown) => error);
    expect(unknown).toBeInstanceOf(TokenRejectedError);
  });

  it('refuses to trust a remembered token once the set is stale and cannot be fetched again', async () => {
    const verifier = verifierOf(jwks.url);
    const token = await jwks.sign({ sub: 'eve', tenants: [ORG] });
    expect((await verifier.verify(token)).subject).toBe('eve');
    jwks.failWith(500);
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + JWKS_MAX_AGE_MS + 1_000 });
    await expect(verifier.verify(token)).rejects.toThrow(KeySetUnavailableError);
  });
});
