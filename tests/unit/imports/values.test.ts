import { describe, expect, it } from 'vitest';
import { instantOf, quantityOf, unitPriceOf } from '../../../functions/core/imports/values.ts';

describe('instantOf', () => {
  it.each([
    ['ISO 8601 with an offset', '2026-03-01T10:00:00+02:00', 'UTC', '2026-03-01T08:00:00.000Z'],
    ['ISO 8601 in UTC with milliseconds', '2026-03-01T10:00:00.250Z', 'UTC', '2026-03-01T10:00:00.250Z'],
    ["Shopify's export", '2026-05-14 11:23:45 +0100', 'UTC', '2026-05-14T10:23:45.000Z'],
    ['a negative offset without a colon', '2026-05-14 11:23:45 -0500', 'UTC', '2026-05-14T16:23:45.000Z'],
    ['wall-clock time in the given zone', '2026-07-01 09:30:00', 'America/New_York', '2026-07-01T13:30:00.000Z'],
    ['wall-clock time in winter', '2026-01-15 09:30:15', 'Europe/Kyiv', '2026-01-15T07:30:15.000Z'],
    ['a date alone is midnight there', '1997-01-01', 'UTC', '1997-01-01T00:00:00.000Z'],
  ])('%s', (_label, text, zone, expected) => {
    expect(instantOf(text, zone)?.toISOString()).toBe(expected);
  });

  it.each(['', '2026-02-30', '2026-13-01', '2026-03-01 24:00:00', '01/03/2026', '2026-03-01T10:00:00+25:00', 'yesterday', '1850-01-01'])('refuses "%s"', (text) => {
    expect(instantOf(text, 'UTC')).toBeUndefined();
  });
});

describe('unitPriceOf and quantityOf', () => {
  it.each([
    ['11.77', 1, 'USD', '11.77'],
    ['77.00', 5, 'USD', '15.40'],
    ['29.33', 2, 'USD', '14.67'],
    ['29.33', 3, 'USD', '9.78'],
    ['1000', 3, 'JPY', '333'],
  ])('%s for %i in %s is %s each', (total, quantity, currency, expected) => {
    expect(unitPriceOf(total, quantity, currency)).toBe(expected);
  });

  it.each([
    ['2', 2],
    ['2.0', 2],
    ['0', undefined],
    ['-1', undefined],
    ['1.5', undefined],
    ['', undefined],
    [undefined, undefined],
  ])('quantity "%s" is %s', (text, expected) => {
    expect(quantityOf(text)).toBe(expected);
  });
});
