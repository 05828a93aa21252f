/** How callers are verified; every value comes from the config (`AUTH_*`). */
export interface AuthOptions {
  /**
   * `jwt`: every request carries a bearer JWT, verified against a JWKS, whose claims
   * grant the tenant it names. `none`: the tenant headers are believed (local use).
   * Env: `AUTH_MODE`; default `jwt` when any other `AUTH_*` is set, else `none`.
   */
  mode: 'none' | 'jwt';
  /** A remote key set, cached and refetched on an unknown `kid`. Env: `AUTH_JWKS_URL`. */
  jwksUrl: string | undefined;
  /** A local JWKS file, read at start. Env: `AUTH_JWKS_FILE`. */
  jwksFile: string | undefined;
  /** The `iss` every token must have; required with `jwt`. Env: `AUTH_ISSUER`. */
  issuer: string | undefined;
  /** The `aud` every token must have (one of its audiences); required with `jwt`. Env: `AUTH_AUDIENCE`. */
  audience: string | undefined;
  /** The claim listing the tenants a token may act for. Env: `AUTH_TENANTS_CLAIM`, default `tenants`. */
  tenantsClaim: string;
}
