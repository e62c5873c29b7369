/** Errors of message delivery. Step Functions sees each by its class name (the Lambda errorType). */
import { ComebackError } from '../errors.ts';

export class DeliveryError extends ComebackError {
  override readonly name: string = 'DeliveryError';
}

/** deliverMessage was asked to reach a customer who has no profile. */
export class UnknownCustomerError extends DeliveryError {
  override readonly name: string = 'UnknownCustomerError';
  readonly customerId: string;
  constructor(customerId: string) {
    super(`customer ${customerId} is unknown: no profile to deliver to`);
    this.customerId = customerId;
  }
}

/** A template is missing, unreadable, or uses a variable the journey step did not provide. */
export class TemplateError extends DeliveryError {
  override readonly name: string = 'TemplateError';
}

/** What happened to a message a provider refused for good: it failed, or the recipient opted out with the provider. */
export type PermanentSendOutcome = 'failed' | 'suppressed';

/**
 * The provider refused this message for good: SES rejected it, the phone number is invalid or
 * opted out with the carrier. Sending it again cannot succeed, so the delivery step logs it and
 * the journey goes on to its next step.
 */
export class PermanentSendError extends DeliveryError {
  override readonly name: string = 'PermanentSendError';
  /** The provider's error code, e.g. MessageRejected or InvalidParameterException. */
  readonly code: string;
  readonly outcome: PermanentSendOutcome;
  constructor(message: string, details: { code: string; outcome: PermanentSendOutcome; cause?: unknown }) {
    super(message, { cause: details.cause });
    this.code = details.code;
    this.outcome = details.outcome;
  }
}

/**
 * The send may succeed later: throttling, a 5xx, the network, a timeout, or an error no one has
 * classified yet. The delivery step logs it and rethrows it for the state machine's Retry; the
 * message's one-time claim is released, so the retry can send.
 */
export class TransientSendError extends DeliveryError {
  override readonly name: string = 'TransientSendError';
  /** The provider's error code, e.g. TooManyRequestsException. */
  readonly code: string;
  constructor(message: string, details: { code: string; cause?: unknown }) {
    super(message, { cause: details.cause });
    this.code = details.code;
  }
}
