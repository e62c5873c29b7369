/**
 * Every write to a table with a stream makes DynamoDB Local look up the oldest record of that table's
 * stream, in the one SQLite table that holds the records of all streams (lib/local/dynamodb-local.ts,
 * indexStreamRecords). Read through our index, that lookup costs the same whatever else was written
 * before; read without it, it reads every record of the streams written before. This checks the plan
 * SQLite makes for DynamoDB Local's own statement, on the database this run's tests write to.
 */
import { expect, inject, it } from 'vitest';
import { indexStreamRecords, nodeSqlite, STREAM_RECORDS_INDEX } from '../../lib/local/dynamodb-local.ts';

const { DatabaseSync } = nodeSqlite();

/** The lookup DynamoDB Local runs on each write to a table with a stream (inside its stream description query). */
const OLDEST_RECORD_OF_STREAM = 'SELECT MIN(SequenceNumber) FROM us WHERE StreamID = ?';

function planOf(databaseFile: string, statement: string): string {
  const database = new DatabaseSync(databaseFile, { readOnly: true });
  try {
    return database
      .prepare(`EXPLAIN QUERY PLAN ${statement}`)
      .all('some-stream')
      .map((step) => String(step['detail']))
      .join('\n');
  } finally {
    database.close();
  }
}

it('finds the oldest record of a stream through the index, never by reading the records of every stream', () => {
  const databaseFile = inject('dynamodbDatabaseFile');
  const plan = planOf(databaseFile, OLDEST_RECORD_OF_STREAM);
  // Without the index the plan is a bare "SEARCH us": SQLite walks the records in sequence order
  // until it meets the stream's first one, past every record of the streams written before.
  expect(plan).toBe(`SEARCH us USING COVERING INDEX ${STREAM_RECORDS_INDEX} (StreamID=?)`);
});

it('adds the index once: adding it again, as every start on a kept database does, changes nothing', () => {
  const databaseFile = inject('dynamodbDatabaseFile');
  expect(indexStreamRecords(databaseFile)).toBe(true);
  const database = new DatabaseSync(databaseFile, { readOnly: true });
  try {
    const indexes = database.prepare(`SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'us' AND name = ?`).all(STREAM_RECORDS_INDEX);
    expect(indexes).toHaveLength(1);
  } finally {
    database.close();
  }
});
