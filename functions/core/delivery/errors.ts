/** Errors of message delivery. Step Functions sees each by its class name (the Lambda errorType). */
import { ComebackError } from '../errors.ts';

export class DeliveryError extends ComebackError {}

/** deliverMessage was asked to reach a customer who has no profile. */
export class UnknownCustomerError extends DeliveryError {
  readonly customerId: string;
  constructor(customerId: string) {
    super(`customer ${customerId} is unknown: no profile to deliver to`);
    this.customerId = customerId;
  }
}

/** A template is missing, unreadable, or uses a variable the journey step did not provide. */
export class TemplateError extends DeliveryError {}
