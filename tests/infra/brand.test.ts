/**
 * The brand settings on AWS: checked at synth time by the functions' own schema, and given to a
 * sending function as the environment the local host gives it.
 */
import { describe, expect, it } from 'vitest';
import { brandEnv, brandOf } from '../../functions/config.ts';
import { brandEnvironment } from '../../lib/cdk/comeback-brand.ts';

describe('brandEnvironment', () => {
  it('gives a sending function the variables the email layout reads', () => {
    const environment = brandEnvironment({
      logoUrl: 'https://shop.example/logo.png',
      brandColor: '#aa3300',
      backgroundColor: '#fafafa',
      postalAddress: 'Khreshchatyk 1\\nKyiv 01001',
      senderName: 'Зоокуток',
      smsMaxSegments: 3,
    });

    expect(environment).toEqual({
      COMEBACK_LOGO_URL: 'https://shop.example/logo.png',
      COMEBACK_BRAND_COLOR: '#aa3300',
      COMEBACK_BACKGROUND_COLOR: '#fafafa',
      COMEBACK_POSTAL_ADDRESS: 'Khreshchatyk 1\\nKyiv 01001',
      COMEBACK_SENDER_NAME: 'Зоокуток',
      COMEBACK_SMS_MAX_SEGMENTS: '3',
    });
    // What the function then makes of it, as locally.
    expect(brandOf(brandEnv.parse({ ...environment, COMEBACK_SHOP_URL: 'https://shop.example' }))).toMatchObject({
      shopName: 'shop.example',
      logoUrl: 'https://shop.example/logo.png',
      color: '#aa3300',
      postalAddress: 'Khreshchatyk 1\nKyiv 01001',
    });
  });

  it('gives nothing without settings, so the functions use their defaults', () => {
    expect(brandEnvironment()).toEqual({});
  });

  it.each([
    [{ brandColor: 'red' }, /COMEBACK_BRAND_COLOR: a colour as #rrggbb/],
    [{ logoUrl: 'http://shop.example/logo.png' }, /COMEBACK_LOGO_URL/],
    [{ smsMaxSegments: 11 }, /COMEBACK_SMS_MAX_SEGMENTS/],
    [{ colour: '#ffffff' }, /no colour; known: logoUrl/],
  ])('stops the synth on %o, naming the setting', (brand, message) => {
    expect(() => brandEnvironment(brand as never)).toThrow(message);
  });
});
