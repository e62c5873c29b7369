/** The bounded co-purchase counter against exact counting, and what it counts as "together" and "after". */
import { describe, expect, it } from 'vitest';
import { CoPurchaseCounter, type StreamedOrder } from '../../../functions/core/catalog/copurchase.ts';

const DAY = 86_400_000;
const start = Date.parse('2026-01-01T00:00:00.000Z');
const order = (customerId: string, day: number, skus: string[]): StreamedOrder => ({ customerId, placedAt: new Date(start + day * DAY).toISOString(), skus });

/** Exact counts by the same definition, for comparison. */
function exactCounts(orders: StreamedOrder[], afterDays: number): Map<string, Map<string, number>> {
  const counts = new Map<string, Map<string, number>>();
  const bump = (a: string, b: string) => {
    let row = counts.get(a);
    if (!row) counts.set(a, (row = new Map()));
    row.set(b, (row.get(b) ?? 0) + 1);
  };
  const byCustomer = new Map<string, StreamedOrder[]>();
  for (const item of orders) byCustomer.set(item.customerId, [...(byCustomer.get(item.customerId) ?? []), item]);
  for (const list of byCustomer.values()) {
    list.forEach((current, index) => {
      const skus = [...new Set(current.skus)];
      for (const a of skus) for (const b of skus) if (a !== b) bump(a, b);
      for (const previous of list.slice(Math.max(0, index - 5), index)) {
        const gap = Date.parse(current.placedAt) - Date.parse(previous.placedAt);
        if (gap === 0 || Math.abs(gap) > afterDays * DAY) continue;
        const [earlier, later] = gap > 0 ? [previous.skus, skus] : [skus, previous.skus];
        for (const a of new Set(earlier)) for (const b of later) if (a !== b) bump(a, b);
      }
    });
  }
  return counts;
}

/** A seeded stream: products with two favourite companions each, and customers with a few orders. */
function syntheticOrders(count: number, products = 50): StreamedOrder[] {
  let seed = 42;
  const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648);
  const orders: StreamedOrder[] = [];
  for (let customer = 0; orders.length < count; customer += 1) {
    let day = Math.floor(random() * 30);
    for (let visit = 0, visits = 1 + Math.floor(random() * 4); visit < visits; visit += 1) {
      const main = Math.floor(random() * products);
      const skus = [`P${main}`];
      if (random() < 0.6) skus.push(`P${(main + 1) % products}`);
      if (random() < 0.3) skus.push(`P${(main + 7) % products}`);
      if (random() < 0.2) skus.push(`P${Math.floor(random() * products)}`);
      orders.push(order(`c${customer}`, day, skus));
      day += 5 + Math.floor(random() * 60);
    }
  }
  return orders;
}

describe('the co-purchase counter', () => {
  it('counts products bought together both ways, and bought after one way', () => {
    const counter = new CoPurchaseCounter({ minCount: 1 });
    counter.add(order('ada', 0, ['PRINTER', 'CABLE']));
    counter.add(order('ada', 40, ['INK']));
    counter.add(order('ada', 200, ['PAPER'])); // too long after
    counter.add(order('bob', 0, ['PRINTER']));
    counter.add(order('bob', 10, ['INK', 'INK']));
    const top = counter.topK();
    expect(top.get('PRINTER')).toEqual([
      { sku: 'INK', count: 2, minCount: 2 },
      { sku: 'CABLE', count: 1, minCount: 1 },
    ]);
    expect(top.get('CABLE')).toEqual([
      { sku: 'INK', count: 1, minCount: 1 },
      { sku: 'PRINTER', count: 1, minCount: 1 },
    ]);
    expect(top.get('INK')).toBeUndefined();
    expect(top.has('PAPER')).toBe(false);
  });

  it('knows when one customer ends and the next begins, lane by lane, in any order within a customer', () => {
    const counter = new CoPurchaseCounter({ minCount: 1 });
    counter.add(order('ada', 30, ['INK']), 0);
    counter.add(order('bob', 0, ['LAPTOP']), 1);
    counter.add(order('ada', 0, ['PRINTER']), 0);
    counter.add(order('bob', 5, ['MOUSE']), 1);
    counter.add(order('cy', 6, ['BAG']), 1);
    const top = counter.topK();
    expect(top.get('PRINTER')).toEqual([{ sku: 'INK', count: 1, minCount: 1 }]);
    expect(top.get('LAPTOP')).toEqual([{ sku: 'MOUSE', count: 1, minCount: 1 }]);
    expect(top.get('MOUSE')).toBeUndefined();
  });

  it('is exact while every product has room for all its neighbours', () => {
    const orders = syntheticOrders(5_000);
    const counter = new CoPurchaseCounter({ capacity: 64, topK: 64, minCount: 1 });
    for (const item of orders) counter.add(item);
    const exact = exactCounts(orders, 90);
    for (const [sku, neighbours] of counter.topK()) {
      for (const neighbour of neighbours) expect(neighbour.count, `${sku} -> ${neighbour.sku}`).toBe(exact.get(sku)!.get(neighbour.sku));
    }
  });

  it('keeps every frequent neighbour in little memory, with counts bounded by the true ones', () => {
    const products = 400;
    const orders = syntheticOrders(40_000, products);
    const capacity = 16;
    const counter = new CoPurchaseCounter({ capacity, topK: capacity, minCount: 0 });
    for (const item of orders) counter.add(item);
    const exact = exactCounts(orders, 90);
    const top = counter.topK();
    let topFound = 0;
    for (let product = 0; product < products; product += 1) {
      const sku = `P${product}`;
      const truth = [...exact.get(sku)!.entries()].sort(([a, x], [b, y]) => y - x || (a < b ? -1 : 1));
      const sightings = truth.reduce((sum, [, count]) => sum + count, 0);
      const found = top.get(sku)!;
      // Space-Saving's guarantee: a neighbour seen more than 1/capacity of the time is tracked.
      for (const [neighbour, count] of truth) if (count > sightings / capacity) expect(found.map((entry) => entry.sku), `${sku} -> ${neighbour}`).toContain(neighbour);
      for (const neighbour of found) {
        const real = exact.get(sku)!.get(neighbour.sku) ?? 0;
        expect(neighbour.minCount).toBeLessThanOrEqual(real);
        expect(neighbour.count).toBeGreaterThanOrEqual(real);
      }
      if (found[0]!.sku === truth[0]![0]) topFound += 1;
    }
    expect(topFound / products).toBeGreaterThan(0.95);
    expect(counter.summary()).toMatchObject({ orders: 40_000, products, droppedLines: 0 });
    // 16 neighbours x 12 bytes per product (with room to grow to 1,024 products), whatever the orders.
    expect(counter.summary().counterBytes).toBe(1024 * 16 * 12 + 1024 * 2);
  });

  it('bounds the products tracked and the lines read per order', () => {
    const counter = new CoPurchaseCounter({ maxProducts: 3, maxItemsPerOrder: 2, minCount: 1 });
    counter.add(order('ada', 0, ['A', 'B', 'C']));
    counter.add(order('bob', 0, ['C', 'D', 'E']));
    expect(counter.summary()).toMatchObject({ products: 3, droppedLines: 2 });
    expect([...counter.topK().keys()].sort()).toEqual(['A', 'B']);
  });
});
