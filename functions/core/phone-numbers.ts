/**
 * Phone numbers and the countries that have a numbering plan, read with libphonenumber-js's core
 * functions and the metadata `#core/phone-metadata.ts` gives: in a Lambda bundle, a file read at the
 * first number (./bundled-phone-metadata.ts). The one place phone metadata is reached.
 */
import { isSupportedCountry, parsePhoneNumberFromString, type CountryCode, type PhoneNumber } from 'libphonenumber-js/core';
import phoneMetadata from '#core/phone-metadata.ts';

/** Whether `code` is an ISO 3166-1 alpha-2 country with a telephone numbering plan ("UA", not "ua" or "XX"). */
export function hasNumberingPlan(code: string): code is CountryCode {
  return isSupportedCountry(code as CountryCode, phoneMetadata());
}

/** The number `text` is, read in `defaultCountry` when written without its country code; undefined when it is none. */
export function parsePhoneNumber(text: string, defaultCountry?: CountryCode): PhoneNumber | undefined {
  return parsePhoneNumberFromString(text, defaultCountry ? { defaultCountry } : {}, phoneMetadata());
}
