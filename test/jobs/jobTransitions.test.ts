/**
 * The status moves (src/jobs/jobTransitions.ts) as a graph: every status of a
 * job kind is reached from NEW, none but the terminal ones is a dead end, no
 * move leaves a terminal status, and the statuses a runner holds are those its
 * own moves start from. The statements that make each move are tested on both
 * databases by the runner's and the API's tests.
 */
import { describe, expect, it } from 'vitest';
import { EXPORT_JOB_STATUSES, SEGMENT_JOB_STATUSES, type ExportJobStatus } from '../../src/db/statuses';
import { TERMINAL_STATUSES } from '../../src/jobs/exportJobStatus';
import { EXPORT_JOB_HELD, EXPORT_JOB_MOVES, SEGMENT_JOB_HELD, SEGMENT_JOB_MOVES } from '../../src/jobs/jobTransitions';

type Moves = Record<string, { from: readonly ExportJobStatus[]; to: ExportJobStatus }>;

/** The statuses reached from NEW by any sequence of moves. */
function reachable(moves: Moves): Set<ExportJobStatus> {
  const reached = new Set<ExportJobStatus>(['NEW']);
  for (let grew = true; grew; ) {
    grew = false;
    for (const move of Object.values(moves)) {
      if (move.from.some((status) => reached.has(status)) && !reached.has(move.to)) {
        reached.add(move.to);
        grew = true;
      }
    }
  }
  return reached;
}

const movesFrom = (moves: Moves, status: ExportJobStatus) => Object.values(moves).filter((move) => move.from.includes(status));

describe.each([
  { kind: 'export job', moves: EXPORT_JOB_MOVES as Moves, statuses: EXPORT_JOB_STATUSES, held: EXPORT_JOB_HELD, runnerEnds: ['succeed', 'fail', 'cancel'] },
  { kind: 'segment job', moves: SEGMENT_JOB_MOVES as Moves, statuses: SEGMENT_JOB_STATUSES, held: SEGMENT_JOB_HELD, runnerEnds: ['succeed', 'fail'] },
])('the moves of a $kind', ({ moves, statuses, held, runnerEnds }) => {
  it('reach every status from NEW, and only statuses of its kind', () => {
    expect([...reachable(moves)].sort()).toEqual([...statuses].sort());
  });

  it('leave no status but a terminal one without a way on, and none from a terminal one', () => {
    for (const status of statuses) {
      const terminal = TERMINAL_STATUSES.includes(status);
      expect(movesFrom(moves, status).length > 0, status).toBe(!terminal);
    }
  });

  it('are moves: no status moves to itself', () => {
    for (const [name, move] of Object.entries(moves)) expect(move.from, name).not.toContain(move.to);
  });

  it('let a runner end the job from every status it holds it in, and the claim lead into one', () => {
    for (const end of runnerEnds) expect([...moves[end]!.from].sort(), end).toEqual(expect.arrayContaining(['PROCESSING']));
    // A job being cancelled ends CANCELLED whatever stopped it: together, the ends start from every held status.
    expect([...new Set(runnerEnds.flatMap((end) => moves[end]!.from))].sort()).toEqual([...held].sort());
    expect(held).toContain(moves.claim!.to);
  });
});

it('cancels a waiting export job at once and a running one through CANCELLING, which its runner ends', () => {
  expect(EXPORT_JOB_MOVES.cancelWaiting).toEqual({ from: ['NEW'], to: 'CANCELLED' });
  expect(EXPORT_JOB_MOVES.cancelRunning).toEqual({ from: ['PROCESSING'], to: 'CANCELLING' });
  expect(EXPORT_JOB_MOVES.cancel.from).toContain('CANCELLING');
});
