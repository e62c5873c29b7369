/**
 * Page cursors (functions/adapters/queries.ts): a page's last key given out as a cursor, and taken
 * back only as a key of the same list that DynamoDB takes as a start key. The routes that page
 * (tasks, a journey's customers, a segment's customers, a customer's messages) are fuzzed against
 * DynamoDB Local in the integration tests.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cursorAfter, startKeyOf, type PagedList } from '../../functions/adapters/queries.ts';
import { GSI1, GSI2 } from '../../functions/adapters/table-design.ts';
import { InvalidInputError } from '../../functions/core/errors.ts';

const tasks: PagedList = { index: GSI1, partition: 'TASKS#open' };
const messages: PagedList = { partition: 'CUSTOMER#ada', sortKeyPrefix: 'MESSAGE#' };
const taskKey = { pk: 'TASK#t-1', sk: 'TASK', gsi1pk: 'TASKS#open', gsi1sk: '2026-06-01T00:00:00.000Z#t-1' };

const cursorOfJson = (value: unknown) => Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');

function refusal(cursor: string, list: PagedList): unknown {
  try {
    startKeyOf(cursor, list);
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('page cursors', () => {
  it('give back the last key of a page, and no cursor after the last page', () => {
    const { cursor } = cursorAfter(taskKey);
    expect(startKeyOf(cursor!, tasks)).toEqual(taskKey);
    expect(cursorAfter(undefined)).toEqual({});
    const messageKey = { pk: 'CUSTOMER#ada', sk: 'MESSAGE#2026-06-01#m-1' };
    expect(startKeyOf(cursorAfter(messageKey).cursor!, messages)).toEqual(messageKey);
    const memberKey = { pk: 'CUSTOMER#ada', sk: 'SEGMENT#lost', gsi2pk: 'SEGMENT#lost', gsi2sk: 'ada' };
    expect(startKeyOf(cursorAfter(memberKey).cursor!, { index: GSI2, partition: 'SEGMENT#lost' })).toEqual(memberKey);
  });

  it.each([
    ['not base64url JSON', '%%%'],
    ['JSON that is no key', cursorOfJson([taskKey])],
    ['a key of another partition of the index', cursorOfJson({ ...taskKey, gsi1pk: 'TASKS#done' })],
    ['a key of the other index', cursorOfJson({ pk: taskKey.pk, sk: taskKey.sk, gsi2pk: 'TASKS#open', gsi2sk: 'x' })],
    ['a key without its index sort key', cursorOfJson({ pk: taskKey.pk, sk: taskKey.sk, gsi1pk: 'TASKS#open' })],
    ['a key with one attribute more', cursorOfJson({ ...taskKey, status: 'open' })],
    ['a key with a number for a string', cursorOfJson({ ...taskKey, gsi1sk: 5 })],
    ['a key with an empty value', cursorOfJson({ ...taskKey, sk: '' })],
    ['a sort key over 1,024 bytes of UTF-8 (400 characters)', cursorOfJson({ ...taskKey, gsi1sk: '€'.repeat(400) })],
    ['a partition key over 2,048 bytes', cursorOfJson({ ...taskKey, pk: 'x'.repeat(2049) })],
  ])('refuse %s as a caller error that names the cursor', (_, cursor) => {
    const error = refusal(cursor, tasks);
    expect(error).toBeInstanceOf(InvalidInputError);
    expect((error as InvalidInputError).issues).toEqual([{ path: 'cursor', message: expect.stringContaining('previous page') }]);
  });

  it("refuse another customer's key and a key outside the list's sort key prefix", () => {
    expect(refusal(cursorOfJson({ pk: 'CUSTOMER#bob', sk: 'MESSAGE#2026' }), messages)).toBeInstanceOf(InvalidInputError);
    expect(refusal(cursorOfJson({ pk: 'CUSTOMER#ada', sk: 'ORDER#o-1' }), messages)).toBeInstanceOf(InvalidInputError);
    expect(startKeyOf(cursorOfJson({ pk: 'x'.repeat(2048), sk: 'y', gsi1pk: 'TASKS#open', gsi1sk: 'z'.repeat(1024) }), tasks)).toMatchObject({ sk: 'y' });
  });

  it('take any cursor back as a key of the list or refuse it, and every key of the list back as itself', () => {
    const keyValue = fc.string({ minLength: 1, maxLength: 30, unit: 'grapheme' });
    const anyCursor = fc.oneof(
      fc.string({ maxLength: 60 }),
      fc.jsonValue().map(cursorOfJson),
      fc.dictionary(fc.constantFrom('pk', 'sk', 'gsi1pk', 'gsi1sk', 'gsi2pk'), fc.oneof(fc.constant('TASKS#open'), fc.string(), fc.integer())).map(cursorOfJson),
    );
    fc.assert(
      fc.property(anyCursor, (cursor) => {
        const error = refusal(cursor, tasks);
        if (error !== undefined) expect(error).toBeInstanceOf(InvalidInputError);
        else {
          const key = startKeyOf(cursor, tasks);
          expect(Object.keys(key).sort()).toEqual(['gsi1pk', 'gsi1sk', 'pk', 'sk']);
          expect(key['gsi1pk']).toBe('TASKS#open');
        }
      }),
    );
    fc.assert(
      fc.property(fc.record({ pk: keyValue, sk: keyValue, gsi1sk: keyValue }), (key) => {
        const last = { ...key, gsi1pk: 'TASKS#open' };
        expect(startKeyOf(cursorAfter(last).cursor!, tasks)).toEqual(last);
      }),
    );
  });
});
