import { describe, expect, it } from 'vitest';
import { isHeldOut, discountCodeFor } from '../../functions/core/journey-engine.ts';
import { afterStep, checkInDueAt, convertsJourney, entryIdFor, journeys, parseJourney, stepDueAt } from '../../functions/core/journeys.ts';

const entry = { enteredAt: '2026-03-01T10:00:00.000Z' };

describe('journey rules', () => {
  it('converts on any later order but the one that started the journey', () => {
    expect(convertsJourney({ ...entry, orderId: 'o1' }, { orderId: 'o2', placedAt: '2026-03-02T00:00:00.000Z' })).toBe(true);
    expect(convertsJourney({ ...entry, orderId: 'o1' }, { orderId: 'o1', placedAt: '2026-03-02T00:00:00.000Z' })).toBe(false);
    expect(convertsJourney(entry, { orderId: 'o0', placedAt: '2026-02-28T00:00:00.000Z' })).toBe(false);
    expect(convertsJourney(entry, { orderId: 'o0', placedAt: entry.enteredAt })).toBe(false);
  });

  it('names entries deterministically, within Step Functions limits, one per re-entry rule', () => {
    const guest = 'Guest.Buyer+tag@example.com';
    const names = [entryIdFor('post-purchase', guest, 'order-1'), entryIdFor('win-back', guest, '2026-01-05'), entryIdFor('loyalty-invite', guest, 'anything')];
    for (const name of names) expect(name).toMatch(/^[A-Za-z0-9_-]{1,80}$/);
    expect(entryIdFor('post-purchase', guest, 'order-1')).toBe(names[0]);
    expect(entryIdFor('post-purchase', guest, 'order-2')).not.toBe(names[0]);
    expect(entryIdFor('win-back', guest, '2026-01-05')).toBe(names[1]);
    expect(entryIdFor('win-back', guest, '2026-04-05')).not.toBe(names[1]);
    expect(entryIdFor('loyalty-invite', guest, 'other')).toBe(names[2]);
  });

  it('times steps from the entry, never in the past', () => {
    const feedback = journeys['post-purchase'].steps[1]!;
    expect(stepDueAt(entry, feedback).toISOString()).toBe('2026-03-08T10:00:00.000Z');
    expect(afterStep('post-purchase', 0, entry, new Date('2026-03-01T10:05:00Z'), 'sent')).toEqual({ outcome: 'continue', at: '2026-03-08T10:00:00.000Z', reason: 'sent' });
    expect(afterStep('post-purchase', 0, entry, new Date('2026-03-09T00:00:00Z'), 'late').at).toBe('2026-03-09T00:00:00.000Z');
    expect(afterStep('win-back', 2, entry, new Date('2026-03-20T00:00:00Z'), 'sent').outcome).toBe('done');
  });

  it('dates check-ins by calendar months', () => {
    expect([3, 6, 12].map((months) => checkInDueAt('2026-01-31T12:00:00.000Z', months).slice(0, 10))).toEqual(['2026-05-01', '2026-07-31', '2027-01-31']);
  });

  it('holds out a stable share of entrants', () => {
    const ids = Array.from({ length: 10_000 }, (_, index) => `entry-${index}`);
    const held = ids.filter((id) => isHeldOut(id, 0.1)).length;
    expect(held).toBeGreaterThan(900);
    expect(held).toBeLessThan(1100);
    expect(ids.filter((id) => isHeldOut(id, 0.1))).toEqual(ids.filter((id) => isHeldOut(id, 0.1)));
    expect(ids.some((id) => isHeldOut(id, 0))).toBe(false);
  });

  it('gives each entry its own stable discount code, and refuses unknown journeys', () => {
    expect(discountCodeFor({ entryId: 'a' })).toMatch(/^COMEBACK-[0-9A-F]{8}$/);
    expect(discountCodeFor({ entryId: 'a' })).toBe(discountCodeFor({ entryId: 'a' }));
    expect(discountCodeFor({ entryId: 'b' })).not.toBe(discountCodeFor({ entryId: 'a' }));
    expect(() => parseJourney('check-in')).toThrow(/unknown journey/);
    expect(parseJourney('win-back')).toBe('win-back');
  });
});
