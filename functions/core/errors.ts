/**
 * Errors of the domain core. They carry no HTTP status: the edge (functions/handlers/http.ts)
 * maps each class to a status, so the core never learns about transports.
 */
export class ComebackError extends Error {
  override readonly name: string = 'ComebackError';
  /**
   * RFC 9457 extension members: what the caller may act on beside the message (a refusal's code,
   * the figures that would pass), added by the edge to the problem it answers with. A subclass
   * derives them from its own fields.
   */
  get problemMembers(): Readonly<Record<string, string | number>> {
    return {};
  }
}

/** One failing field of a payload: where it is and what is wrong with it. */
export interface FieldIssue {
  path: string;
  message: string;
}

/** The input is not what the contract says (bad JSON, schema violation, bad money). */
export class InvalidInputError extends ComebackError {
  override readonly name: string = 'InvalidInputError';
  readonly issues: FieldIssue[];
  constructor(message: string, issues: FieldIssue[] = [], options?: { cause?: unknown }) {
    super(message, options);
    this.issues = issues;
  }
}

/** A webhook signature is missing, malformed, stale or wrong. */
export class SignatureError extends ComebackError {
  override readonly name: string = 'SignatureError';
}

/** An admin call without the right bearer token. */
export class UnauthorizedError extends ComebackError {
  override readonly name: string = 'UnauthorizedError';
}

/** An admin who is known, but whose groups may not call this route. */
export class ForbiddenError extends ComebackError {
  override readonly name: string = 'ForbiddenError';
}

export class NotFoundError extends ComebackError {
  override readonly name: string = 'NotFoundError';
}

/** The same identifier was already used for different content. */
export class ConflictError extends ComebackError {
  override readonly name: string = 'ConflictError';
}

/** Well-formed, but the business rules refuse it (refunding more than was paid). */
export class UnprocessableError extends ComebackError {
  override readonly name: string = 'UnprocessableError';
}

export class PayloadTooLargeError extends ComebackError {
  override readonly name: string = 'PayloadTooLargeError';
}

export class UnsupportedMediaTypeError extends ComebackError {
  override readonly name: string = 'UnsupportedMediaTypeError';
}
