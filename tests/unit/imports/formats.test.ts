/**
 * The import formats as tables: lines of a file in, orders or rejection reasons out, through
 * parseUpload (grouping, validation, line numbers) exactly as the import route reads an upload.
 */
import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../../functions/core/errors.ts';
import type { ImportFormatName } from '../../../functions/core/imports/format.ts';
import { importFormats } from '../../../functions/core/imports/formats/index.ts';
import { cdnowOrderId } from '../../../functions/core/imports/formats/cdnow.ts';
import { parseUpload, type ParsedUpload } from '../../../functions/core/imports/parse-upload.ts';

const now = new Date('2026-06-01T12:00:00.000Z');

function read(format: ImportFormatName, text: string, options: { firstLine?: number; currency?: string; timeZone?: string } = {}): ParsedUpload {
  return parseUpload(importFormats[format], text, {
    currency: options.currency ?? 'USD',
    timeZone: options.timeZone ?? 'UTC',
    firstLine: options.firstLine ?? (format === 'cdnow' ? 1 : 2),
    now,
  });
}

const reasons = (upload: ParsedUpload) => upload.rejections.map((rejection) => [rejection.line, rejection.reason]);

describe('comeback-csv', () => {
  const header = 'orderId,customerId,placedAt,currency,total,email,phone,name,sku,category,quantity,unitPrice';

  it('groups the lines of an order and reads every field', () => {
    const upload = read('comeback-csv', [
      header,
      'A-1,cust-1,2025-11-02T10:00:00+02:00,EUR,54.97,Ada@Example.com,+15555550123,Ada,DOG-FOOD,pet-food,1,39.99',
      'A-1,,,,,,,,TOY,,3,4.99',
      'A-2,cust-2,2025-11-03,,10.00,,,,SKU-2,,1,10.00',
    ].join('\n'));
    expect(upload.rejections).toEqual([]);
    expect(upload.source).toBe('comeback');
    expect(upload.orders).toEqual([
      {
        line: 2,
        purchase: {
          orderId: 'A-1',
          placedAt: '2025-11-02T08:00:00.000Z',
          currency: 'EUR',
          totalMinor: 5497,
          customer: { id: 'cust-1', email: 'ada@example.com', phone: '+15555550123', name: 'Ada' },
          items: [
            { sku: 'DOG-FOOD', category: 'pet-food', quantity: 1, unitPriceMinor: 3999 },
            { sku: 'TOY', quantity: 3, unitPriceMinor: 499 },
          ],
        },
      },
      {
        line: 4,
        purchase: { orderId: 'A-2', placedAt: '2025-11-03T00:00:00.000Z', currency: 'USD', totalMinor: 1000, customer: { id: 'cust-2' }, items: [{ sku: 'SKU-2', quantity: 1, unitPriceMinor: 1000 }] },
      },
    ]);
  });

  it('reads columns in any order and leaves out contact fields the API would refuse', () => {
    const upload = read('comeback-csv', ['unitPrice,quantity,sku,total,placedAt,customerId,orderId,phone,email', '5.00,2,S,10.00,2025-01-01,c,o-1,(555) 555-0107,not-an-email'].join('\n'));
    expect(upload.orders[0]?.purchase.customer).toEqual({ id: 'c' });
    expect(upload.orders[0]?.purchase.items).toEqual([{ sku: 'S', quantity: 2, unitPriceMinor: 500 }]);
  });

  it.each([
    ['a date that is not one', 'o-1,c,someday,USD,1.00,,,,S,,1,1.00', 'placedAt "someday" is not a date (ISO 8601, like 2026-03-01T10:00:00+02:00 or 2026-03-01)'],
    ['an order placed in the future', 'o-1,c,2027-01-01,USD,1.00,,,,S,,1,1.00', 'placed in the future (2027-01-01T00:00:00.000Z)'],
    ['a quantity of zero', 'o-1,c,2025-01-01,USD,1.00,,,,S,,0,1.00', 'line 2: quantity "0" is not a whole number above 0'],
    ['a negative total', 'o-1,c,2025-01-01,USD,-1.00,,,,S,,1,1.00', 'the purchase has invalid amounts (total: "-1.00" is not a non-negative decimal amount)'],
    ['too many decimals', 'o-1,c,2025-01-01,JPY,1.50,,,,S,,1,1',  'the purchase has invalid amounts (total: "1.50" has more decimals than JPY allows (0))'],
    ['an unknown currency', 'o-1,c,2025-01-01,XYZ,1.00,,,,S,,1,1.00', 'the purchase does not match the schema (currency: unknown ISO 4217 currency)'],
    ['no customer', 'o-1,,2025-01-01,USD,1.00,,,,S,,1,1.00', expect.stringContaining('customer.id')],
    ['no sku', 'o-1,c,2025-01-01,USD,1.00,,,,,,1,1.00', expect.stringContaining('items.0.sku')],
    ['a line too short', 'o-1,c,2025-01-01', '3 fields where the header names 12'],
    ['no orderId', ',c,2025-01-01,USD,1.00,,,,S,,1,1.00', 'no orderid: the line belongs to no order'],
  ])('rejects %s', (_label, line, reason) => {
    const upload = read('comeback-csv', `${header}\n${line}\n`);
    expect(upload.orders).toEqual([]);
    expect(reasons(upload)).toEqual([[2, reason]]);
  });

  it('rejects an order whose later line contradicts its first, and keeps the orders around it', () => {
    const upload = read('comeback-csv', [
      header,
      'o-1,c,2025-01-01,USD,1.00,,,,S,,1,1.00',
      'o-2,c,2025-01-02,USD,2.00,,,,S,,1,1.00',
      'o-2,d,,,,,,,T,,1,1.00',
      'o-3,c,2025-01-03,USD,3.00,,,,S,,1,3.00',
    ].join('\n'));
    expect(upload.orders.map((order) => order.purchase.orderId)).toEqual(['o-1', 'o-3']);
    expect(upload.rejections).toEqual([{ line: 3, orderId: 'o-2', reason: 'line 4: customerid "d" differs from the order\'s first line (line 3)' }]);
  });

  it('rejects an order whose lines are apart, and an order with an unreadable line inside', () => {
    const upload = read('comeback-csv', [
      header,
      'o-1,c,2025-01-01,USD,1.00,,,,S,,1,1.00',
      'o-2,c,2025-01-02,USD,2.00,,,,S,,1,2.00',
      'o-1,c,2025-01-01,USD,1.00,,,,T,,1,1.00',
      'o-3,c,2025-01-03,USD,3.00,,,,S,,1,3.00',
      'o-3,c',
      'o-3,c,2025-01-03,USD,3.00,,,,T,,1,3.00',
    ].join('\n'));
    expect(upload.orders.map((order) => order.purchase.orderId)).toEqual(['o-1', 'o-2']);
    expect(reasons(upload)).toEqual([
      [4, 'the lines of order o-1 must follow one another: it also starts on line 2'],
      [5, "line 6, one of this order's lines, cannot be read"],
      [6, '2 fields where the header names 12'],
    ]);
  });

  it('numbers lines as in the whole file when given an upload of a part of it', () => {
    const upload = read('comeback-csv', `${header}\no-1,c,2025-01-01,USD,1.00,,,,S,,0,1.00\n`, { firstLine: 1001 });
    expect(reasons(upload)).toEqual([[1001, 'line 1001: quantity "0" is not a whole number above 0']]);
  });

  it.each([
    ['an empty upload', '', 'the upload is empty: a comeback-csv file starts with its header line'],
    ['a header without required columns', 'orderId,customerId,total\n1,2,3', 'the header lacks the columns placedat, sku, quantity, unitprice: a comeback-csv file names orderid, customerid, placedat, total, sku, quantity, unitprice'],
    ['a header with an open quote', '"orderId,customerId\n', 'the header line is not valid CSV: a quoted field is never closed'],
  ])('refuses %s as a whole', (_label, text, message) => {
    const refusal = (() => {
      try {
        read('comeback-csv', text);
      } catch (error) {
        return error;
      }
      throw new Error('the upload was read');
    })();
    expect(refusal).toBeInstanceOf(InvalidInputError);
    expect((refusal as InvalidInputError).message).toBe(message);
  });
});

describe('cdnow', () => {
  it.each([
    ['an empty upload', ''],
    ['an upload of blank lines', '\n  \n\t\n'],
  ])('refuses %s as a whole, rather than import nothing', (_label, text) => {
    expect(() => read('cdnow', text)).toThrow(new InvalidInputError('the upload is empty: a cdnow file has a purchase on each line'));
  });
});

describe('shopify-csv', () => {
  const header =
    'Name,Email,Financial Status,Paid at,Fulfillment Status,Fulfilled at,Accepts Marketing,Currency,Subtotal,Shipping,Taxes,Total,Discount Code,Discount Amount,Shipping Method,Created at,Lineitem quantity,Lineitem name,Lineitem price,Lineitem compare at price,Lineitem sku,Lineitem requires shipping,Lineitem taxable,Lineitem fulfillment status,Billing Name,Billing Phone,Notes,Cancelled at,Payment Method,Refunded Amount,Id,Tags,Source,Phone';
  const order = (fields: Partial<Record<string, string>>) =>
    header
      .split(',')
      .map((column) => {
        const value = fields[column] ?? '';
        return /[",\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
      })
      .join(',');
  const paid = {
    Name: '#1001',
    Email: 'Ada@Example.com',
    'Financial Status': 'paid',
    'Paid at': '2025-11-02 10:05:00 +0100',
    'Accepts Marketing': 'yes',
    Currency: 'EUR',
    Total: '100.90',
    'Discount Code': 'SPRING',
    'Created at': '2025-11-02 10:00:00 +0100',
    'Lineitem quantity': '1',
    'Lineitem name': 'Matcha 100 g',
    'Lineitem price': '62.95',
    'Lineitem sku': 'MAT-100',
    'Billing Name': 'Ada Lovelace',
    'Billing Phone': '+44 20 7946 0958',
    'Payment Method': 'Shopify Payments',
    Id: '5230000000123',
    Source: 'web',
    Notes: 'leave at the door,\nplease',
  };
  const secondLine = { Name: '#1001', 'Lineitem quantity': '1', 'Lineitem name': 'Matcha 50 g', 'Lineitem price': '37.95' };

  it('reads an order from its first row and its items from every row', () => {
    const upload = read('shopify-csv', [header, order(paid), order(secondLine)].join('\n'));
    expect(upload.rejections).toEqual([]);
    expect(upload.source).toBe('shopify');
    expect(upload.orders).toEqual([
      {
        line: 2,
        purchase: {
          orderId: '5230000000123',
          placedAt: '2025-11-02T09:00:00.000Z',
          currency: 'EUR',
          totalMinor: 10090,
          customer: { id: 'ada@example.com', email: 'ada@example.com', phone: '+442079460958', name: 'Ada Lovelace', consent: { email: true } },
          items: [
            { sku: 'MAT-100', name: 'Matcha 100 g', quantity: 1, unitPriceMinor: 6295 },
            { sku: 'name:Matcha 50 g', name: 'Matcha 50 g', quantity: 1, unitPriceMinor: 3795 },
          ],
          channel: 'web',
          promoCode: 'SPRING',
        },
      },
    ]);
  });

  it.each([
    ['partially_paid', 'partially_paid'],
    ['authorized', 'authorized'],
    ['Partially Paid as some exports write it', 'Partially Paid'],
  ])('counts an order with financial status %s', (_label, status) => {
    expect(read('shopify-csv', [header, order({ ...paid, 'Financial Status': status })].join('\n')).orders).toHaveLength(1);
  });

  it.each([
    ['pending', { 'Financial Status': 'pending' }, 'financial status "pending": only paid, partially_paid, authorized orders count'],
    ['refunded', { 'Financial Status': 'refunded' }, 'financial status "refunded": only paid, partially_paid, authorized orders count'],
    ['partially refunded', { 'Financial Status': 'partially_refunded' }, 'financial status "partially_refunded": only paid, partially_paid, authorized orders count'],
    ['voided', { 'Financial Status': 'voided' }, 'financial status "voided": only paid, partially_paid, authorized orders count'],
    ['cancelled', { 'Cancelled at': '2025-11-03 08:00:00 +0100' }, 'cancelled at 2025-11-03 08:00:00 +0100'],
    ['a test order', { 'Payment Method': 'Bogus' }, 'a test order (paid with the Bogus Gateway)'],
    ['without an email', { Email: '' }, "no email: Shopify's export names the buyer only by email"],
  ])('rejects an order %s with the reason, all its rows with it', (_label, change, reason) => {
    const upload = read('shopify-csv', [header, order({ ...paid, ...change }), order(secondLine), order({ ...paid, Name: '#1002', Id: '5230000000124' })].join('\n'));
    expect(upload.orders.map((parsed) => parsed.purchase.orderId)).toEqual(['5230000000124']);
    expect(upload.rejections).toEqual([{ line: 2, orderId: '#1001', reason }]);
  });

  it('numbers the lines of rows holding line breaks as the file does', () => {
    const upload = read('shopify-csv', [header, order(paid), order({ ...paid, Name: '#1002', Id: '', 'Lineitem quantity': 'x' })].join('\n'));
    // The first order's Notes hold a line break, so the second order starts on line 4.
    expect(reasons(upload)).toEqual([[4, 'line 4: Lineitem quantity "x" is not a whole number above 0']]);
  });
});

describe('woocommerce-csv', () => {
  const header =
    'order_id,order_number,order_date,status,shipping_total,tax_total,discount_total,order_total,refunded_total,order_currency,payment_method,customer_id,billing_first_name,billing_last_name,billing_email,billing_phone,item_id,item_name,item_sku,item_quantity,item_subtotal,item_total,coupon_items';
  const row = (fields: Partial<Record<string, string>>) => header.split(',').map((column) => fields[column] ?? '').join(',');
  const completed = {
    order_id: '727',
    order_number: '727',
    order_date: '2025-11-02 10:00:00',
    status: 'completed',
    order_total: '54.97',
    order_currency: 'USD',
    customer_id: '15',
    billing_first_name: 'Ada',
    billing_last_name: 'Lovelace',
    billing_email: 'ada@example.com',
    billing_phone: '(555) 555-0107',
    item_name: 'Dog food',
    item_sku: 'DOG-FOOD',
    item_quantity: '3',
    item_subtotal: '25.00',
    item_total: '20.00',
    coupon_items: 'code:spring;description:;amount:5.00',
  };

  it('reads an order repeated on each item row, in the store time zone', () => {
    const upload = read('woocommerce-csv', [header, row(completed), row({ ...completed, item_name: 'Toy', item_sku: '', item_quantity: '1', item_subtotal: '29.97' })].join('\n'), { timeZone: 'America/New_York' });
    expect(upload.rejections).toEqual([]);
    expect(upload.source).toBe('woocommerce');
    expect(upload.orders[0]?.purchase).toEqual({
      orderId: '727',
      placedAt: '2025-11-02T15:00:00.000Z',
      currency: 'USD',
      totalMinor: 5497,
      customer: { id: '15', email: 'ada@example.com', name: 'Ada Lovelace' },
      items: [
        { sku: 'DOG-FOOD', name: 'Dog food', quantity: 3, unitPriceMinor: 833 },
        { sku: 'name:Toy', name: 'Toy', quantity: 1, unitPriceMinor: 2997 },
      ],
      channel: 'woocommerce',
      promoCode: 'spring',
    });
  });

  it('knows a guest by the lower-cased billing email', () => {
    const upload = read('woocommerce-csv', [header, row({ ...completed, customer_id: '0', billing_email: 'Guest@Example.com' })].join('\n'));
    expect(upload.orders[0]?.purchase.customer.id).toBe('guest@example.com');
  });

  it.each(['processing', 'completed', 'wc-completed', 'Processing'])('counts status %s', (status) => {
    expect(read('woocommerce-csv', [header, row({ ...completed, status })].join('\n')).orders).toHaveLength(1);
  });

  it.each([
    ['pending', { status: 'pending' }, 'status "pending": only processing and completed orders count'],
    ['failed', { status: 'failed' }, 'status "failed": only processing and completed orders count'],
    ['on hold', { status: 'on-hold' }, 'status "on-hold": only processing and completed orders count'],
    ['cancelled', { status: 'cancelled' }, 'status "cancelled": only processing and completed orders count'],
    ['refunded', { status: 'refunded' }, 'status "refunded": only processing and completed orders count'],
    ['a guest without an email', { customer_id: '0', billing_email: '' }, 'a guest order without a billing email: the buyer cannot be identified'],
    ['an item without a price', { item_subtotal: '', item_total: '' }, 'line 2: neither item_subtotal nor item_total is given'],
  ])('rejects an order %s with the reason', (_label, change, reason) => {
    const upload = read('woocommerce-csv', [header, row({ ...completed, ...change })].join('\n'));
    expect(upload.orders).toEqual([]);
    expect(upload.rejections).toEqual([{ line: 2, orderId: '727', reason }]);
  });
});

describe('cdnow', () => {
  const master = [' customer_id  date number_of_cds  dollar_value', ' 00001 19970101  1   11.77', ' 00002 19970112  1   12.00', ' 00002 19970112  5   77.00'].join('\r\n');

  it('skips the header, reads one order a line in the given currency, with ids from line and text', () => {
    const upload = read('cdnow', master, { currency: 'EUR' });
    expect(upload.rejections).toEqual([]);
    expect(upload.orders.map((order) => [order.line, order.purchase])).toEqual([
      [2, { orderId: cdnowOrderId({ line: 2, text: ' 00001 19970101  1   11.77' }), placedAt: '1997-01-01T00:00:00.000Z', currency: 'EUR', totalMinor: 1177, customer: { id: '00001' }, items: [{ sku: 'CD', name: 'CD', category: 'music', quantity: 1, unitPriceMinor: 1177 }] }],
      [3, expect.objectContaining({ customer: { id: '00002' }, totalMinor: 1200 })],
      [4, expect.objectContaining({ customer: { id: '00002' }, totalMinor: 7700, items: [{ sku: 'CD', name: 'CD', category: 'music', quantity: 5, unitPriceMinor: 1540 }] })],
    ]);
  });

  it('gives two identical lines two ids, and the same line the same id in every upload', () => {
    const twice = read('cdnow', ' 00003 19970102  2   20.76\n 00003 19970102  2   20.76\n');
    const [first, second] = twice.orders.map((order) => order.purchase.orderId);
    expect(first).not.toBe(second);
    expect(read('cdnow', ' 00003 19970102  2   20.76\n 00003 19970102  2   20.76\n').orders.map((order) => order.purchase.orderId)).toEqual([first, second]);
    // An upload of a part of the file keeps the file's line numbers, so the same ids.
    expect(read('cdnow', ' 00003 19970102  2   20.76\n', { firstLine: 2 }).orders[0]?.purchase.orderId).toBe(second);
  });

  it.each([
    ['a line with three fields', ' 00001 19970101  1', '3 fields where a cdnow line has 4: customer_id, date, cds, dollars'],
    ['a day that does not exist', ' 00001 19970230  1   11.77', 'date "19970230" is not a day written YYYYMMDD'],
    ['no CDs', ' 00001 19970101  0   11.77', 'number of CDs "0" is not a whole number above 0'],
    ['a negative amount', ' 00001 19970101  1   -11.77', 'dollar value: "-11.77" is not a non-negative decimal amount'],
    ['a header anywhere but the first line', 'customer_id  date number_of_cds  dollar_value', 'date "date" is not a day written YYYYMMDD'],
  ])('rejects %s', (_label, line, reason) => {
    expect(reasons(read('cdnow', line, { firstLine: 5 }))).toEqual([[5, reason]]);
  });
});
