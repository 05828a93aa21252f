import { describe, expect, it } from 'vitest';
import { operationLabels } from '../../src/metrics/operationLabels';

describe('operation labels', () => {
  it('name an operation by its name, without a name as anonymous, before resolution as unknown', () => {
    const labels = operationLabels();
    expect(labels.of('GetExportJob')).toBe('GetExportJob');
    expect(labels.of(null)).toBe('anonymous');
    expect(labels.of(undefined)).toBe('unknown');
  });

  it('keep the first names seen and call every later one other', () => {
    const labels = operationLabels(3);
    expect(['A', 'B', 'C', 'D', 'A'].map((name) => labels.of(name))).toEqual(['A', 'B', 'C', 'other', 'A']);
  });

  it('call a very long name other', () => {
    expect(operationLabels().of('X'.repeat(65))).toBe('other');
  });

  it('call a name of ours other, taking no place: a client cannot pass its queries off as schema reads', () => {
    const labels = operationLabels(2);
    expect(['schema', 'unknown', 'anonymous', 'other', 'A', 'B'].map((name) => labels.of(name))).toEqual(['other', 'other', 'other', 'other', 'A', 'B']);
  });
});
