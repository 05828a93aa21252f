import { describe, expect, it } from 'vitest';
import { operationLabels } from '../../src/metrics/operationLabels';

describe('operation labels', () => {
  it('name an operation by its name, without a name as anonymous, before resolution as unknown', () => {
    const labels = operationLabels();
    expect(labels.of('GetExportJob', 'ORG')).toBe('GetExportJob');
    expect(labels.of(null, 'ORG')).toBe('anonymous');
    expect(labels.of(undefined, 'ORG')).toBe('unknown');
  });

  it('keep the first names seen and call every later one other', () => {
    const labels = operationLabels(3, 3);
    expect(['A', 'B', 'C', 'D', 'A'].map((name) => labels.of(name, 'ORG'))).toEqual(['A', 'B', 'C', 'other', 'A']);
  });

  it('call a very long name other', () => {
    expect(operationLabels().of('X'.repeat(65), 'ORG')).toBe('other');
  });

  it('call a name of ours other, taking no place: a client cannot pass its queries off as schema reads', () => {
    const labels = operationLabels(2, 2);
    expect(['schema', 'unknown', 'anonymous', 'other', 'A', 'B'].map((name) => labels.of(name, 'ORG'))).toEqual(['other', 'other', 'other', 'other', 'A', 'B']);
  });

  it('let one caller make only its share of the names labels: the others still get theirs', () => {
    const labels = operationLabels(4, 2);
    expect(['F1', 'F2', 'F3', 'F4'].map((name) => labels.of(name, 'FLOODER'))).toEqual(['F1', 'F2', 'other', 'other']);
    expect(['Jobs', 'Job', 'Cancel'].map((name) => labels.of(name, 'ORG'))).toEqual(['Jobs', 'Job', 'other']);
    // A name already a label is every caller's, and costs none a share.
    expect(labels.of('F1', 'ORG')).toBe('F1');
    expect(labels.of('Jobs', 'FLOODER')).toBe('Jobs');
    // The whole is bounded too.
    expect(labels.of('New', 'THIRD')).toBe('other');
  });
});
