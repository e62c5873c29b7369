/**
 * The nightly figures as CloudWatch metrics, through the embedded metric format (EMF): one JSON log
 * line per dimension set, which CloudWatch Logs turns into metrics without an API call. Namespace
 * Comeback, dimension Service=comeback, plus Segment, Currency or Journey where a figure is per one.
 *
 * | metric                                  | unit         | dimensions       |
 * |-----------------------------------------|--------------|------------------|
 * | Customers, NewCustomers, ActiveCustomers, ReturningCustomers | Count | Service |
 * | RetentionRate, ChurnRate, RepeatPurchaseRate | Percent | Service          |
 * | PurchaseFrequency                       | None         | Service          |
 * | NpsScore (-100..100), NpsAnswers        | None, Count  | Service          |
 * | SegmentEntries, SegmentExits, FailedSegmentEvents, PredictionsWritten | Count | Service |
 * | PredictionsAvailable (0 or 1)           | Count        | Service          |
 * | RecomputeDuration                       | Milliseconds | Service          |
 * | SegmentSize                             | Count        | Service, Segment |
 * | AverageOrderValueMinor, HistoricClvMinor, ReturningRevenueMinor | None | Service, Currency |
 * | JourneyEntered, JourneyConverted        | Count        | Service, Journey |
 * | JourneyConversionRate, JourneyHoldoutConversionRate, JourneyUplift, JourneyUpliftLow, JourneyUpliftHigh | Percent | Service, Journey |
 *
 * A figure that is undefined tonight (a rate with an empty base) is left out rather than sent as 0.
 */
import type { MetricsSnapshot } from '../core/analytics/metrics.ts';
import type { RecomputeSummary } from '../core/analytics/recompute.ts';

export const METRICS_NAMESPACE = 'Comeback';
const SERVICE = 'comeback';

type Unit = 'Count' | 'Percent' | 'None' | 'Milliseconds';
type Figure = [name: string, value: number | null | undefined, unit: Unit];

export interface EmfDocument {
  _aws: { Timestamp: number; CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string; Unit: Unit }[] }[] };
  [key: string]: unknown;
}

const percent = (rate: number | null): number | null => (rate === null ? null : rate * 100);

function document(timestamp: number, dimensions: Record<string, string>, figures: Figure[]): EmfDocument | undefined {
  const present = figures.filter((figure): figure is [string, number, Unit] => typeof figure[1] === 'number' && Number.isFinite(figure[1]));
  if (present.length === 0) return undefined;
  return {
    _aws: {
      Timestamp: timestamp,
      CloudWatchMetrics: [{ Namespace: METRICS_NAMESPACE, Dimensions: [Object.keys(dimensions)], Metrics: present.map(([name, , unit]) => ({ Name: name, Unit: unit })) }],
    },
    ...dimensions,
    ...Object.fromEntries(present.map(([name, value]) => [name, value])),
  };
}

export function emfDocuments(snapshot: MetricsSnapshot, summary: RecomputeSummary, timestamp: number): EmfDocument[] {
  const service = { Service: SERVICE };
  const documents: (EmfDocument | undefined)[] = [
    document(timestamp, service, [
      ['Customers', snapshot.customers, 'Count'],
      ['NewCustomers', snapshot.newCustomers, 'Count'],
      ['ActiveCustomers', snapshot.activeCustomers, 'Count'],
      ['ReturningCustomers', snapshot.returningCustomers, 'Count'],
      ['RetentionRate', percent(snapshot.retentionRate), 'Percent'],
      ['ChurnRate', percent(snapshot.churnRate), 'Percent'],
      ['RepeatPurchaseRate', percent(snapshot.repeatPurchaseRate), 'Percent'],
      ['PurchaseFrequency', snapshot.purchaseFrequency, 'None'],
      ['NpsScore', snapshot.nps.score, 'None'],
      ['NpsAnswers', snapshot.nps.answers, 'Count'],
      ['SegmentEntries', summary.entered, 'Count'],
      ['SegmentExits', summary.left, 'Count'],
      ['FailedSegmentEvents', summary.failedEvents, 'Count'],
      ['PredictionsWritten', summary.predictionsWritten, 'Count'],
      ['PredictionsAvailable', summary.predictionsAvailable ? 1 : 0, 'Count'],
      ['RecomputeDuration', summary.durationMs, 'Milliseconds'],
    ]),
    ...Object.entries(snapshot.segments).map(([segment, size]) => document(timestamp, { ...service, Segment: segment }, [['SegmentSize', size, 'Count']])),
  ];
  const currencies = new Set([...Object.keys(snapshot.averageOrderValueMinor), ...Object.keys(snapshot.historicClvMinor), ...Object.keys(snapshot.returningRevenueMinor)]);
  for (const currency of [...currencies].sort()) {
    documents.push(
      document(timestamp, { ...service, Currency: currency }, [
        ['AverageOrderValueMinor', snapshot.averageOrderValueMinor[currency], 'None'],
        ['HistoricClvMinor', snapshot.historicClvMinor[currency], 'None'],
        ['ReturningRevenueMinor', snapshot.returningRevenueMinor[currency], 'None'],
      ]),
    );
  }
  for (const [journey, result] of Object.entries(snapshot.journeys)) {
    documents.push(
      document(timestamp, { ...service, Journey: journey }, [
        ['JourneyEntered', result.treated.entered + result.holdout.entered, 'Count'],
        ['JourneyConverted', result.treated.converted + result.holdout.converted, 'Count'],
        ['JourneyConversionRate', percent(result.treated.conversionRate), 'Percent'],
        ['JourneyHoldoutConversionRate', percent(result.holdout.conversionRate), 'Percent'],
        ['JourneyUplift', percent(result.uplift?.difference ?? null), 'Percent'],
        ['JourneyUpliftLow', percent(result.uplift?.low ?? null), 'Percent'],
        ['JourneyUpliftHigh', percent(result.uplift?.high ?? null), 'Percent'],
      ]),
    );
  }
  return documents.filter((entry): entry is EmfDocument => entry !== undefined);
}

/** Writes the documents as log lines (Lambda sends stdout to CloudWatch Logs). */
export function publishEmf(write: (line: string) => void = (line) => process.stdout.write(`${line}\n`)) {
  return (snapshot: MetricsSnapshot, summary: RecomputeSummary): void => {
    for (const emf of emfDocuments(snapshot, summary, Date.parse(summary.startedAt))) write(JSON.stringify(emf));
  };
}
