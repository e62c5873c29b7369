/**
 * The order test files start in. Vitest starts the files it has timed before longest first, and
 * files it has not (every file on a fresh clone) largest first; a file's size says little about how
 * long it runs here. The files below wait on real seconds passing, start host processes with their
 * own DynamoDB Local, drive a browser or bundle every function: started late, one of them runs on
 * alone while the other workers have nothing left to do. So they start first, longest first (the
 * order of their durations in a whole-suite run on two cores), and every other file keeps Vitest's
 * own order after them. A file that is quick alone stays off the list even when a busy run makes it
 * slow: started beside these, the clock-driven journey tests waited on the cores, not on time.
 */
import { BaseSequencer, type TestSpecification } from 'vitest/node';

export const longPoles = [
  'tests/integration/durable-journeys.test.ts',
  'tests/integration/readme-walkthrough.test.ts',
  'tests/integration/journeys.test.ts',
  'tests/infra/comeback-app.test.ts',
  'tests/integration/public-routes-fuzz.test.ts',
  'tests/integration/console-in-browser.test.ts',
  'tests/integration/import-cli.test.ts',
  'tests/integration/local-host.test.ts',
  'tests/integration/sync-cli.test.ts',
] as const;

export default class LongPolesFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const usual = await super.sort(files);
    const rank = (spec: TestSpecification) => {
      const index = longPoles.findIndex((path) => spec.moduleId.endsWith(`/${path}`));
      return index === -1 ? longPoles.length : index;
    };
    // A stable sort: files that are not long poles keep Vitest's order among themselves.
    return usual.map((spec, position) => ({ spec, position })).sort((a, b) => rank(a.spec) - rank(b.spec) || a.position - b.position).map(({ spec }) => spec);
  }
}
