/** Job ids are increasing integers that clients see as strings. */
export function parseJobId(id: string): number | null {
  // Canonical form only: one job, one id string ("0100" is not job 100).
  if (!/^[1-9]\d{0,14}$/.test(id)) return null;
  return Number(id);
}
