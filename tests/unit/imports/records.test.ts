import { describe, expect, it } from 'vitest';
import { csvFields, csvRecords, CsvRecordReader, MAX_RECORD_CHARS } from '../../../functions/core/imports/records.ts';

describe('csvRecords', () => {
  it.each([
    ['one record a line', 'a,b\n1,2\n3,4\n', [[1, 'a,b'], [2, '1,2'], [3, '3,4']]],
    ['carriage returns and no last line break', 'a,b\r\n1,2\r\n3,4', [[1, 'a,b'], [2, '1,2'], [3, '3,4']]],
    ['a quoted line break keeps the record open', 'a,b\n1,"x\ny"\n2,z\n', [[1, 'a,b'], [2, '1,"x\ny"'], [4, '2,z']]],
    ['a doubled quote inside quotes is a quote', 'a,b\n1,"say ""hi""\nthere"\n', [[1, 'a,b'], [2, '1,"say ""hi""\nthere"']]],
    ['a quote inside an unquoted field is literal', 'a,b\n1,5" screen\n2,z\n', [[1, 'a,b'], [2, '1,5" screen'], [3, '2,z']]],
    ['blank lines between records are skipped', 'a,b\n\n1,2\n  \n3,4\n', [[1, 'a,b'], [3, '1,2'], [5, '3,4']]],
    ['a byte order mark is dropped', '\uFEFFa,b\n1,2\n', [[1, 'a,b'], [2, '1,2']]],
  ])('%s', (_label, text, expected) => {
    expect(csvRecords(text).map((record) => [record.line, record.text])).toEqual(expected);
  });

  it('numbers lines from the given first line', () => {
    expect(csvRecords('1,2\n3,4', 41).map((record) => record.line)).toEqual([41, 42]);
  });

  it('returns a record whose quote never closes as unclosed, at the end or past the size limit', () => {
    expect(csvRecords('a,b\n1,"open\n2,z\n').at(-1)).toEqual({ line: 2, text: '1,"open\n2,z', unclosed: true });
    const reader = new CsvRecordReader();
    expect(reader.push('1,"open', 1)).toBeUndefined();
    const long = 'x'.repeat(1024);
    let record;
    for (let line = 2; !record; line += 1) record = reader.push(long, line);
    expect(record.unclosed).toBe(true);
    expect(record.text.length).toBeGreaterThan(MAX_RECORD_CHARS);
    expect(reader.push('2,z', 10_000)).toEqual({ line: 10_000, text: '2,z' });
  });
});

describe('csvFields', () => {
  it('reads quoted fields, doubled quotes and line breaks', () => {
    expect(csvFields({ line: 1, text: '1,"a, b","say ""hi""","x\ny",' })).toEqual(['1', 'a, b', 'say "hi"', 'x\ny', '']);
  });
});
