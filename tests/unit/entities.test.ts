import { describe, expect, it } from 'vitest';
import { gzipSync } from 'node:zlib';
import { messageLogEntity, nightDataEntity, nightRangeDoneEntity, profileEntity, StoredItemError } from '../../functions/adapters/entities.ts';
import { keys, nightKeys } from '../../functions/adapters/table-design.ts';
import type { CustomerProfile } from '../../functions/core/profile.ts';

const profile: CustomerProfile = {
  customerId: 'c-1',
  email: 'a@example.com',
  consent: { email: true },
  consentAsOf: { email: '2030-01-01T00:00:00.000Z' },
  contactAsOf: '2030-01-01T00:00:00.000Z',
  orderCount: 1,
  revenueByCurrency: { EUR: 1200 },
  currency: 'EUR',
  firstOrderAt: '2030-01-01T00:00:00.000Z',
  lastOrderAt: '2030-01-01T00:00:00.000Z',
  categories: ['tea'],
  skus: ['sku-1'],
  refundedMinorByCurrency: {},
  orderDays: { '2030-01-01': { EUR: { orders: 1, totalMinor: 1200 } } },
};

describe('stored entities', () => {
  it('reads an item as its domain type, without the table attributes', () => {
    const item = { ...keys.profile('c-1'), ...keys.lastOrderDay(profile.lastOrderAt, 'c-1'), ...keys.readNightly(keys.profile('c-1')), type: 'profile', version: 3, ...profile };
    expect(profileEntity.parse(item)).toEqual(profile);
  });

  it('merges what live orders kept beside the maps back into the profile: revenue in its currency, each consent stated later', () => {
    const item = {
      ...keys.profile('c-1'),
      type: 'profile',
      version: 4,
      ...profile,
      revenueByCurrency: { EUR: 1200, USD: 300 },
      consent: { email: true, sms: true },
      consentAsOf: { email: '2030-01-01T00:00:00.000Z', sms: '2030-01-01T00:00:00.000Z' },
      liveRevenueMinor: 2500,
      liveRevenueCurrency: 'EUR',
      liveConsentSms: { answer: false, at: '2030-02-01T00:00:00.000Z' },
    };
    expect(profileEntity.parse(item)).toEqual({
      ...profile,
      revenueByCurrency: { EUR: 3700, USD: 300 },
      consent: { email: true, sms: false },
      consentAsOf: { email: '2030-01-01T00:00:00.000Z', sms: '2030-02-01T00:00:00.000Z' },
    });
  });

  it('refuses an item that does not match, naming its key and every failing field', () => {
    const item = { ...keys.message('c-1', '2030-01-01T00:00:00.000Z', 'm-1#sent'), type: 'message', messageId: 'm-1', at: '2030-01-01T00:00:00.000Z', customerId: 'c-1', channel: 'fax', priority: 'high' };
    const read = () => messageLogEntity.parse(item);
    expect(read).toThrow(StoredItemError);
    expect(read).toThrow(/message log entry item pk=CUSTOMER#c-1 sk=MESSAGE#2030-01-01T00:00:00.000Z#m-1#sent does not match/);
    expect(read).toThrow(/channel: .*; .*priority: /);
  });

  it("reads a night's gzipped slice as bytes, and refuses one stored as text", () => {
    const data = gzipSync('{"range":0}');
    const part = { ...nightKeys.part('2030-01-02', 3, 1), type: 'nightPart', data };
    expect(nightDataEntity.parse(part)).toEqual({ sk: part.sk, data });
    expect(nightKeys.partOf(nightDataEntity.parse(part).sk)).toEqual({ range: 3, part: 1 });
    expect(() => nightDataEntity.parse({ ...part, data: data.toString('base64') })).toThrow(/night checkpoint item pk=NIGHT#2030-01-02 sk=PART#00003#001 does not match its model: data: /);
    const done = { ...nightKeys.done('2030-01-02', 3), type: 'nightRangeDone', parts: 2, customers: 40 };
    expect(nightKeys.rangeOfDone(nightRangeDoneEntity.parse(done).sk)).toBe(3);
    expect(() => nightRangeDoneEntity.parse({ ...done, parts: '2' })).toThrow(StoredItemError);
  });
});
