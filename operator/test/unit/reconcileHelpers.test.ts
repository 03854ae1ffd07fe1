import { describe, expect, it } from '@jest/globals';
import { allocationRequest } from '../../src/reconcile/allocationRequest.js';
import { setCondition } from '../../src/reconcile/conditions.js';
import { sameJson } from '../../src/reconcile/sameJson.js';

describe('allocation requests', () => {
  const policy = { gameTypeLabel: 'gamebuddies.io/game-type', roomsList: 'rooms' };

  it('prefer Allocated servers with a free slot, then Ready ones, and add the code to the rooms List', () => {
    const request = allocationRequest('rps', 'K7QXM2', { ...policy, strategy: 'least-loaded' });
    expect(request.spec.selectors.map((s) => s.gameServerState)).toEqual(['Allocated', 'Ready']);
    for (const s of request.spec.selectors) {
      // Only servers that accept rooms: a drained one, or an old one in a rollout (marked
      // `"false"` by the Fleet's allocationOverflow), is never chosen.
      expect(s.matchLabels).toEqual({
        'gamebuddies.io/game-type': 'rps',
        'gamebuddies.io/accepting': 'true',
      });
      expect(s.lists).toEqual({ rooms: { minAvailable: 1 } });
    }
    expect(request.spec.lists).toEqual({ rooms: { addValues: ['K7QXM2'] } });
    expect(request.spec).toMatchObject({
      scheduling: 'Distributed',
      priorities: [{ type: 'List', key: 'rooms', order: 'Descending' }],
    });
  });

  it('pack the fullest server first when asked to', () => {
    const request = allocationRequest('rps', 'K7QXM2', { ...policy, strategy: 'packed' });
    expect(request.spec).toMatchObject({ scheduling: 'Packed', priorities: [{ order: 'Ascending' }] });
  });
});

describe('conditions', () => {
  it('move lastTransitionTime only when the status flips', () => {
    const t1 = new Date('2026-01-01T00:00:00Z');
    const t2 = new Date('2026-01-01T00:01:00Z');
    let conditions = setCondition(
      [],
      { type: 'Ready', status: 'False', reason: 'NoCapacity', message: 'a' },
      1,
      t1,
    );
    conditions = setCondition(
      conditions,
      { type: 'Ready', status: 'False', reason: 'NoCapacity', message: 'b' },
      2,
      t2,
    );
    expect(conditions).toEqual([
      {
        type: 'Ready',
        status: 'False',
        reason: 'NoCapacity',
        message: 'b',
        lastTransitionTime: t1.toISOString(),
        observedGeneration: 2,
      },
    ]);
    conditions = setCondition(
      conditions,
      { type: 'Ready', status: 'True', reason: 'Ready', message: 'c' },
      2,
      t2,
    );
    expect(conditions[0]!.lastTransitionTime).toBe(t2.toISOString());
  });
});

describe('sameJson', () => {
  it('ignores key order and undefined fields, not values', () => {
    expect(sameJson({ a: 1, b: { c: [1, 2] } }, { b: { c: [1, 2] }, a: 1, d: undefined })).toBe(true);
    expect(sameJson({ a: [1, 2] }, { a: [2, 1] })).toBe(false);
  });
});
