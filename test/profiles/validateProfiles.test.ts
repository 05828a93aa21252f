/** A profile's memberships: each segment once, told apart whatever characters their names hold. */
import { describe, expect, it } from 'vitest';
import { validateProfiles } from '../../src/profiles/validateProfiles';

const profileWith = (segments: { segmentId: string; segmentNs: string }[]) => ({
  profileId: 'p1',
  identities: [],
  updatedAt: new Date('2026-01-01T00:00:00Z'),
  segments: segments.map((segment) => ({ ...segment, status: 'REALIZED' as const, qualificationTime: new Date('2026-01-01T00:00:00Z') })),
});

describe('validateProfiles: memberships', () => {
  it('takes two segments whose id and namespace, joined by a newline, would read alike', () => {
    const [staged] = validateProfiles([profileWith([{ segmentId: 'a\nb', segmentNs: 'c' }, { segmentId: 'a', segmentNs: 'b\nc' }])]);
    expect(JSON.parse(staged!.segments!)).toHaveLength(2);
  });

  it('refuses a segment given twice, naming it', () => {
    expect(() => validateProfiles([profileWith([{ segmentId: 's', segmentNs: 'ups' }, { segmentId: 's', segmentNs: 'ups' }])])).toThrow(
      /profiles\[0\]\.segments\[1\]\.segmentId` repeats segment "s" of this profile/,
    );
  });
});
