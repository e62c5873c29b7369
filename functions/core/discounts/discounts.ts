/**
 * Discount codes a store honours. A message that offers a discount asks for one in its intent
 * (`discount: { offerId }`); the delivery step issues the code only once it has decided to send,
 * so no code exists for a message that was deferred, capped or suppressed.
 *
 * Two ways to get a code, both behind DiscountIssuer:
 * - storefrontIssuer: Comeback names a random code, records it for the offer, then creates it in
 *   the store (Shopify, WooCommerce). A retry finds the recorded code: if the store already
 *   created it (the answer was lost), "code taken" is the store confirming it, not a clash.
 * - poolIssuer: the store uploaded codes it made itself; each is handed out once, atomically.
 *
 * Issuing is idempotent per offerId: a journey uses its entry as the offer, so a retried message,
 * and the later messages of the same win-back (the SMS reminds of the email's code), quote the one
 * code, with the expiry fixed when it was first issued. Pure of AWS: ledger and storefront are ports.
 */
import { randomBytes } from 'node:crypto';
import { DiscountCodeTakenError } from './errors.ts';

const DAY_MS = 86_400_000;

/** What a message asks for: the offer a code belongs to (a journey entry; the message itself by default). */
export interface DiscountAsk {
  offerId: string;
}

/** What the storefront is told to create: one code, one customer, one use, until expiresAt. */
export interface StorefrontDiscountRequest {
  code: string;
  /** Shown to the store's staff in its admin. */
  title: string;
  customer: { customerId: string; email?: string };
  /** Percent off the order, 1..100. */
  percent: number;
  startsAt: string;
  expiresAt: string;
}

/**
 * A customer's referral code as the store honours it: any buyer, once each, with no end; what the
 * friend gets at checkout (the referrer's points come from Comeback when the friend's order arrives).
 */
export interface ReferralDiscountRequest {
  code: string;
  title: string;
  percent: number;
  startsAt: string;
}

export interface Storefront {
  /** Creates the code; throws DiscountCodeTakenError when the store already has one by that name. */
  createCode(request: StorefrontDiscountRequest): Promise<void>;
  /** Creates a referral code; throws DiscountCodeTakenError when the store already has one by that name. */
  createReferralCode(request: ReferralDiscountRequest): Promise<void>;
}

/** A code as issued for an offer. */
export interface IssuedDiscount {
  offerId: string;
  customerId: string;
  code: string;
  /** When the code stops working (ISO); a pool code uploaded without one has none. */
  expiresAt?: string;
  issuedAt: string;
  /** 'reserved': named but not yet confirmed by the storefront; 'created': usable; 'pool': handed out from the pool. */
  state: 'reserved' | 'created' | 'pool';
}

export interface DiscountLedger {
  get(offerId: string): Promise<IssuedDiscount | undefined>;
  /** Records the discount unless the offer already has one; returns the one recorded. */
  reserve(discount: IssuedDiscount): Promise<IssuedDiscount>;
  /** Marks the offer's code as created in the storefront. */
  confirm(offerId: string): Promise<void>;
  /**
   * Takes one unused pool code for the offer and records it, in one transaction; undefined when the
   * pool is empty. An offer that already has a code gets that one.
   */
  takeFromPool(offer: { offerId: string; customerId: string; issuedAt: string }): Promise<IssuedDiscount | undefined>;
}

export interface DiscountIssueRequest {
  offerId: string;
  customer: { customerId: string; email?: string };
  now: Date;
}

/** What a message gets: the code and when it expires; undefined when there is no code to give. */
export interface DiscountForMessage {
  code: string;
  expiresAt?: string;
}

export interface DiscountIssuer {
  issue(request: DiscountIssueRequest): Promise<DiscountForMessage | undefined>;
}

/** What a store offers in its messages. */
export interface DiscountTerms {
  percent: number;
  validDays: number;
}

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/**
 * A fresh code: `CB-` and 10 random Crockford characters (50 bits), so codes cannot be guessed from
 * a customer's id or a journey, and no two offers share one.
 */
export function newDiscountCode(random: (size: number) => Uint8Array = randomBytes): string {
  const bytes = random(10);
  let code = '';
  for (const byte of bytes) code += CROCKFORD[byte & 31];
  return `CB-${code}`;
}

export function storefrontIssuer(storefront: Storefront, ledger: DiscountLedger, terms: DiscountTerms, newCode: () => string = newDiscountCode): DiscountIssuer {
  return {
    async issue(request) {
      const recorded =
        (await ledger.get(request.offerId)) ??
        (await ledger.reserve({
          offerId: request.offerId,
          customerId: request.customer.customerId,
          code: newCode(),
          expiresAt: new Date(request.now.getTime() + terms.validDays * DAY_MS).toISOString(),
          issuedAt: request.now.toISOString(),
          state: 'reserved',
        }));
      const expiresAt = recorded.expiresAt ?? new Date(Date.parse(recorded.issuedAt) + terms.validDays * DAY_MS).toISOString();
      if (recorded.state === 'reserved') {
        try {
          await storefront.createCode({
            code: recorded.code,
            title: `Comeback ${recorded.code}`,
            customer: request.customer,
            percent: terms.percent,
            startsAt: recorded.issuedAt,
            expiresAt,
          });
        } catch (error) {
          // The code is ours (recorded before the call, random): a clash means an earlier attempt created it.
          if (!(error instanceof DiscountCodeTakenError)) throw error;
        }
        await ledger.confirm(recorded.offerId);
      }
      return { code: recorded.code, expiresAt };
    },
  };
}

export function poolIssuer(ledger: DiscountLedger): DiscountIssuer {
  return {
    async issue(request) {
      const taken = await ledger.takeFromPool({ offerId: request.offerId, customerId: request.customer.customerId, issuedAt: request.now.toISOString() });
      if (!taken) return undefined;
      return { code: taken.code, ...(taken.expiresAt ? { expiresAt: taken.expiresAt } : {}) };
    },
  };
}

/** What the pool upload accepts: codes the store created itself, with their common expiry if any. */
export interface PoolUpload {
  codes: string[];
  expiresAt?: string;
}

export interface DiscountPool {
  /** Adds the codes not seen before; a code already in the pool (free or handed out) is left as it is. */
  add(upload: PoolUpload, uploadedAt: string): Promise<{ added: number; duplicates: number }>;
  /** How many codes are still free. */
  available(): Promise<number>;
}

/** Makes a customer's referral code exist in the store before anyone is shown it. */
export interface ReferralCodes {
  ensure(request: { code: string; customerId: string; now: Date }): Promise<void>;
}

/**
 * Referral codes created in the storefront, once per code: the ledger remembers a code the store
 * confirmed, so later reads do not ask the store again. A referral code follows from the customer's
 * id (REF-...), so "code taken" is the store confirming an earlier attempt whose answer was lost.
 */
export function storefrontReferralCodes(storefront: Storefront, ledger: DiscountLedger, percent: number): ReferralCodes {
  return {
    async ensure({ code, customerId, now }) {
      const offerId = `referral:${code}`;
      const recorded = (await ledger.get(offerId)) ?? (await ledger.reserve({ offerId, customerId, code, issuedAt: now.toISOString(), state: 'reserved' }));
      if (recorded.state !== 'reserved') return;
      try {
        await storefront.createReferralCode({ code, title: `Comeback referral ${code}`, percent, startsAt: recorded.issuedAt });
      } catch (error) {
        if (!(error instanceof DiscountCodeTakenError)) throw error;
      }
      await ledger.confirm(offerId);
    },
  };
}
