/**
 * Why a customer has no predictions, for the customer route. Apart from ./predictions.ts so that the
 * route's bundle does not carry the models and the special functions they fit with.
 */
import type { FittedModels } from './predictions.ts';

/** Why a customer without a predictions item has none. */
export function unavailableReason(models: Pick<FittedModels, 'available' | 'reason'> | undefined): string {
  if (!models) return 'predictions are not yet available: the nightly recompute has not fitted the models yet';
  if (!models.available) return `predictions are not yet available: ${models.reason ?? 'too little history'}`;
  return 'predictions are not yet available for this customer: they appear after the next nightly recompute';
}
