/** The previews one organisation may run at once: counted per organisation, freed once each. */
import { describe, expect, it } from 'vitest';
import { previewSlots } from '../../../src/segments/definitions/previewSlots';

describe('previewSlots', () => {
  it("counts an organisation's previews over all its sandboxes, and frees a slot once however often released", () => {
    const slots = previewSlots(2);
    const first = slots.take({ orgId: 'A', sandboxName: 'prod' });
    slots.take({ orgId: 'A', sandboxName: 'dev' });
    expect(() => slots.take({ orgId: 'A', sandboxName: 'made-up' })).toThrow(
      expect.objectContaining({ extensions: expect.objectContaining({ code: 'RATE_LIMITED', retryAfter: 1 }) }),
    );
    // Another organisation has slots of its own.
    slots.take({ orgId: 'B', sandboxName: 'prod' });
    first();
    first();
    slots.take({ orgId: 'A', sandboxName: 'prod' });
    expect(() => slots.take({ orgId: 'A', sandboxName: 'prod' })).toThrow('At most 2 segment previews of one organisation run at a time');
  });
});
