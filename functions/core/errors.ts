/**
 * Errors of the domain core. They carry no HTTP status: the edge (functions/handlers/http.ts)
 * maps each class to a status, so the core never learns about transports.
 */
export class ComebackError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** One failing field of a payload: where it is and what is wrong with it. */
export interface FieldIssue {
  path: string;
  message: string;
}

/** The input is not what the contract says (bad JSON, schema violation, bad money). */
export class InvalidInputError extends ComebackError {
  readonly issues: FieldIssue[];
  constructor(message: string, issues: FieldIssue[] = [], options?: { cause?: unknown }) {
    super(message, options);
    this.issues = issues;
  }
}

/** A webhook signature is missing, malformed, stale or wrong. */
export class SignatureError extends ComebackError {}

/** An admin call without the right bearer token. */
export class UnauthorizedError extends ComebackError {}

/** An admin who is known, but whose groups may not call this route. */
export class ForbiddenError extends ComebackError {}

export class NotFoundError extends ComebackError {}

/** The same identifier was already used for different content. */
export class ConflictError extends ComebackError {}

/** Well-formed, but the business rules refuse it (refunding more than was paid). */
export class UnprocessableError extends ComebackError {}

export class PayloadTooLargeError extends ComebackError {}

export class UnsupportedMediaTypeError extends ComebackError {}
