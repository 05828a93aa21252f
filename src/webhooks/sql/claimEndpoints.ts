import { sql } from 'drizzle-orm';
import type { AppDatabase } from '../../db/database';
import { webhooks, type WebhookRow } from '../../db/schema';

/**
 * Takes up to `limit` enabled endpoints that have messages and whose backoff is
 * over, under a lease for `runnerId`: one deliverer at a time per endpoint keeps
 * its messages in order. An expired lease (a deliverer that died) is taken over.
 *
 * Tenants take turns: one tenant holds at most `perTenant` of this deliverer's endpoints
 * at once, and the endpoint taken next is one of the tenant with the fewest endpoints being
 * served now (by any deliverer), longest-waiting first among those (a release moves
 * `next_attempt_at` to its time). Without that, a tenant whose slow endpoints had waited
 * longest filled every slot, for claims that last up to 100 requests each, and every other
 * tenant's webhooks waited behind them. One endpoint a statement, so that each sees the
 * claims before it.
 */
export async function claimEndpoints(db: AppDatabase, options: ClaimOptions & { limit: number }): Promise<WebhookRow[]> {
  const claimed: WebhookRow[] = [];
  while (claimed.length < options.limit) {
    const [endpoint] = await claimOne(db, options);
    if (!endpoint) break;
    claimed.push(endpoint);
  }
  return claimed;
}

interface ClaimOptions {
  runnerId: string;
  leaseMs: number;
  /** Endpoints of one tenant this deliverer may hold at once. */
  perTenant: number;
  /**
   * Endpoints this deliverer still serves, whose lease may have passed (its renewals held
   * up): not claimed again until that claim has ended. Its leases are all `runnerId`'s, so
   * the old claim's release or failure would land on the new claim's lease.
   */
  serving: readonly string[];
}

function claimOne(db: AppDatabase, options: ClaimOptions): Promise<WebhookRow[]> {
  const ofTheTenant = (alias: string) =>
    sql`${sql.raw(alias)}.org_id = w.org_id and ${sql.raw(alias)}.sandbox_name = w.sandbox_name and ${sql.raw(alias)}.enabled`;
  const notServed = options.serving.length === 0 ? sql`` : sql` and w.id not in (${sql.join(options.serving.map((id) => sql`${id}`), sql`, `)})`;
  return db
    .update(webhooks)
    .set({
      lockedBy: options.runnerId,
      lockedUntil: sql`now() + ${options.leaseMs} * interval '1 millisecond'`,
    })
    .where(
      sql`${webhooks.id} in (
        select w.id from webhooks w
        where w.enabled and w.next_attempt_at <= now()
          and (w.locked_until is null or w.locked_until < now())${notServed}
          and exists (select 1 from webhook_messages m where m.webhook_id = w.id)
          and (select count(*) from webhooks mine
               where ${ofTheTenant('mine')} and mine.locked_by = ${options.runnerId} and mine.locked_until >= now()) < ${options.perTenant}
        order by (select count(*) from webhooks served where ${ofTheTenant('served')} and served.locked_until >= now()),
                 w.next_attempt_at
        limit 1
        for update skip locked)`,
    )
    .returning();
}
