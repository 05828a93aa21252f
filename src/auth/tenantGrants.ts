/**
 * The tenants a token may act for, from its tenants claim: entries like
 * `"ORG@AdobeOrg"` (every sandbox of the organisation) or
 * `"ORG@AdobeOrg/prod"` (that sandbox only).
 */
import type { Tenant } from '../tenant';

export interface TenantGrant {
  orgId: string;
  /** null: every sandbox. */
  sandboxName: string | null;
}

/** The grants of a claim's value; anything that is not a list of strings grants nothing. */
export function grantsOf(claim: unknown): TenantGrant[] {
  if (!Array.isArray(claim)) return typeof claim === 'string' ? grantsOf([claim]) : [];
  return claim.flatMap((entry): TenantGrant[] => {
    if (typeof entry !== 'string' || entry === '') return [];
    const slash = entry.indexOf('/');
    if (slash === -1) return [{ orgId: entry, sandboxName: null }];
    const orgId = entry.slice(0, slash);
    const sandboxName = entry.slice(slash + 1);
    return orgId && sandboxName ? [{ orgId, sandboxName }] : [];
  });
}

export function grants(grantList: readonly TenantGrant[], tenant: Tenant): boolean {
  return grantList.some(
    (grant) => grant.orgId === tenant.orgId && (grant.sandboxName === null || grant.sandboxName === tenant.sandboxName),
  );
}
