/** Job ids are increasing integers that clients see as strings. */
export function parseJobId(id: string): number | null {
  if (!/^\d{1,15}$/.test(id)) return null;
  return Number(id);
}
