import { describe, expect, it } from 'vitest';
import { currencyExponent, formatMinorUnits, toMinorUnits } from '../../functions/core/money.ts';

describe('money in minor units', () => {
  it.each([
    ['19.99', 'USD', 1999],
    ['19.9', 'USD', 1990],
    ['19', 'USD', 1900],
    ['10.500', 'USD', 1050],
    ['1500', 'JPY', 1500],
    ['1.234', 'KWD', 1234],
    ['0', 'EUR', 0],
    ['90071992547409.91', 'USD', 9007199254740991],
  ])('%s %s is %i minor units', (amount, currency, minor) => {
    expect(toMinorUnits(amount, currency)).toBe(minor);
  });

  it('takes JSON numbers by their shortest decimal text, with no float arithmetic', () => {
    expect(toMinorUnits(0.3, 'USD')).toBe(30);
    expect(toMinorUnits(1.15, 'USD')).toBe(115);
    expect(toMinorUnits(4.35, 'USD')).toBe(435);
  });

  it.each([
    ['10.005', 'USD', /more decimals than USD allows \(2\)/],
    ['1.5', 'JPY', /more decimals than JPY allows \(0\)/],
    ['-1', 'USD', /not a non-negative decimal/],
    ['1e3', 'USD', /not a non-negative decimal/],
    ['', 'USD', /not a non-negative decimal/],
    ['90071992547409.92', 'USD', /too large/],
  ])('refuses %s %s', (amount, currency, message) => {
    expect(() => toMinorUnits(amount, currency)).toThrow(message);
  });

  it('refuses exponent notation from a JSON number', () => {
    expect(() => toMinorUnits(1e21, 'USD')).toThrow(/not a non-negative decimal/);
  });

  it('knows ISO 4217 exponents and refuses unknown currencies', () => {
    expect([currencyExponent('USD'), currencyExponent('JPY'), currencyExponent('BHD')]).toEqual([2, 0, 3]);
    expect(() => currencyExponent('XYZ')).toThrow(/unknown currency XYZ/);
  });

  it('formats minor units back to decimal text', () => {
    expect(formatMinorUnits(1999, 'USD')).toBe('19.99');
    expect(formatMinorUnits(5, 'USD')).toBe('0.05');
    expect(formatMinorUnits(-250, 'EUR')).toBe('-2.50');
    expect(formatMinorUnits(1500, 'JPY')).toBe('1500');
  });
});
