/**
 * `model fit --csv <file> --calibration-end <YYYY-MM-DD> --unit week|day`
 *
 * Fits the BG/NBD purchase model and the Gamma-Gamma spend model to a purchase history and prints
 * the parameters as one JSON document. The CSV has the header `customer_id,date,amount`, one
 * purchase per line, dates YYYY-MM-DD; it is read as a stream. Purchases after the calibration
 * end are checked but not used; several purchases of one customer on one day are one transaction.
 */
import { createReadStream } from 'node:fs';
import { parseArgs } from 'node:util';
import { parse } from 'csv-parse';
import type { CsvError } from 'csv-parse';
import {
  createSummaryBuilder,
  dayNumber,
  fitBgnbd,
  fitGammaGamma,
  spendModelCustomers,
} from '../../functions/core/models/index.ts';
import type { TimeUnit } from '../../functions/core/models/index.ts';

export interface CommandOutput {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

const usage = 'usage: model fit --csv <file> --calibration-end <YYYY-MM-DD> --unit week|day';
const expectedHeader = ['customer_id', 'date', 'amount'];
const amountPattern = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

interface ParsedRecord {
  record: string[];
  info: { lines: number };
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}

function readFlags(args: string[]): { csv: string; calibrationEnd: string; unit: TimeUnit } {
  let values: { csv?: string; 'calibration-end'?: string; unit?: string };
  try {
    ({ values } = parseArgs({
      args,
      options: { csv: { type: 'string' }, 'calibration-end': { type: 'string' }, unit: { type: 'string' } },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new Error(`${oneLine(error instanceof Error ? error.message : String(error))} (${usage})`, { cause: error });
  }
  const { csv, 'calibration-end': calibrationEnd, unit } = values;
  if (!csv) throw new Error(`missing --csv (${usage})`);
  if (!calibrationEnd) throw new Error(`missing --calibration-end (${usage})`);
  if (!unit) throw new Error(`missing --unit (${usage})`);
  if (unit !== 'week' && unit !== 'day') throw new Error(`--unit must be week or day, got "${unit}"`);
  try {
    dayNumber(calibrationEnd);
  } catch (error) {
    throw new Error(`--calibration-end: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  return { csv, calibrationEnd, unit };
}

export async function runModelFit(args: string[], out: CommandOutput): Promise<void> {
  const { csv, calibrationEnd, unit } = readFlags(args);
  const builder = createSummaryBuilder({ calibrationEnd, unit });

  const input = createReadStream(csv);
  const parser = parse({ bom: true, trim: true, skip_empty_lines: true, info: true, relax_column_count: true });
  input.on('error', (error) => parser.destroy(error));
  input.pipe(parser);

  let sawHeader = false;
  try {
    for await (const { record, info } of parser as AsyncIterable<ParsedRecord>) {
      const line = info.lines;
      if (!sawHeader) {
        if (record.length !== expectedHeader.length || record.some((name, i) => name.toLowerCase() !== expectedHeader[i])) {
          throw new Error(`${csv}: bad header on line ${line}: expected "${expectedHeader.join(',')}", got "${record.join(',')}"`);
        }
        sawHeader = true;
        continue;
      }
      if (record.length !== 3) throw new Error(`${csv}: line ${line} has ${record.length} fields, expected 3`);
      const [customerId = '', date = '', amountText = ''] = record;
      if (customerId === '') throw new Error(`${csv}: empty customer_id on line ${line}`);
      let day: number;
      try {
        day = dayNumber(date);
      } catch {
        throw new Error(`${csv}: bad date "${date}" on line ${line} (expected YYYY-MM-DD)`);
      }
      const amount = Number(amountText);
      if (!amountPattern.test(amountText) || !Number.isFinite(amount)) throw new Error(`${csv}: bad amount "${amountText}" on line ${line}`);
      builder.add(customerId, day, amount);
    }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException | CsvError | undefined)?.code;
    if (typeof code === 'string' && !code.startsWith('CSV_')) {
      throw new Error(`cannot read ${csv}: ${oneLine((error as Error).message)}`, { cause: error });
    }
    if (typeof code === 'string') throw new Error(`${csv}: ${oneLine((error as Error).message)}`, { cause: error });
    throw error;
  } finally {
    input.destroy();
  }
  if (!sawHeader) throw new Error(`${csv}: empty file, expected the header "${expectedHeader.join(',')}"`);

  const summaries = builder.finish();
  if (summaries.length === 0) throw new Error(`${csv}: no purchase on or before ${calibrationEnd}`);
  const spend = spendModelCustomers(summaries);
  if (spend.customers.length === 0) throw new Error(`${csv}: no repeat buyer with a positive mean repeat value before ${calibrationEnd}; cannot fit the spend model`);

  const bgnbd = fitBgnbd(summaries);
  const gammaGamma = fitGammaGamma(spend.customers);
  const document = {
    customers: summaries.length,
    bgnbd: { ...bgnbd.params, logLikelihood: bgnbd.logLikelihood },
    gammaGamma: { ...gammaGamma.params, customers: spend.customers.length },
  };
  out.stdout(`${JSON.stringify(document, null, 2)}\n`);
  out.stderr(`${spend.nonPositive} repeat buyer(s) left out of the spend model: mean repeat value not positive\n`);
  if (!bgnbd.converged) out.stderr('warning: the BG/NBD fit did not converge; the parameters are the best point found\n');
  if (!gammaGamma.converged) out.stderr('warning: the Gamma-Gamma fit did not converge; the parameters are the best point found\n');
}
