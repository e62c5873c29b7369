import { describe, expect, it } from 'vitest';
import { feedbackToken, feedbackUrl, npsCategory, parseFeedback, verifyFeedbackToken } from '../../../functions/core/analytics/feedback.ts';
import { InvalidInputError, UnauthorizedError } from '../../../functions/core/errors.ts';

describe('feedback tokens', () => {
  it('name the customer and the entry, and verify with any current secret', () => {
    const token = feedbackToken('cust-1', 'entry-9', 'old-secret');
    expect(token).toMatch(/^[\w-]+\.[\w-]+$/);
    expect(verifyFeedbackToken(token, ['new-secret', 'old-secret'])).toEqual({ customerId: 'cust-1', entryId: 'entry-9' });
  });

  it('refuse another secret, a changed payload, a changed signature and garbage', () => {
    const token = feedbackToken('cust-1', 'entry-9', 'secret');
    const [payload, signature] = token.split('.') as [string, string];
    const forged = Buffer.from(JSON.stringify({ customerId: 'cust-2', entryId: 'entry-9' })).toString('base64url');
    for (const bad of [
      feedbackToken('cust-1', 'entry-9', 'other'),
      `${forged}.${signature}`,
      `${payload}.${signature.slice(0, -2)}AA`,
      `${payload}`,
      `${payload}.${signature}.extra`,
      'x'.repeat(5000),
    ]) {
      expect(() => verifyFeedbackToken(bad, ['secret'])).toThrow(UnauthorizedError);
    }
  });

  it('go into the link as a query parameter', () => {
    const token = feedbackToken('c', 'e', 's');
    const url = new URL(feedbackUrl('https://shop.example/feedback?lang=en', token));
    expect(url.origin + url.pathname).toBe('https://shop.example/feedback');
    expect(url.searchParams.get('lang')).toBe('en');
    expect(url.searchParams.get('token')).toBe(token);
  });
});

describe('feedback answers', () => {
  it('take a whole score from 0 to 10 and an optional comment', () => {
    expect(parseFeedback({ token: 't', score: 9, comment: '  Great dog food  ' })).toEqual({ token: 't', score: 9, comment: 'Great dog food' });
    expect(parseFeedback({ token: 't', score: 0, comment: '   ' })).toEqual({ token: 't', score: 0 });
    for (const bad of [{ token: 't', score: 11 }, { token: 't', score: 7.5 }, { token: 't', score: '9' }, { score: 9 }, { token: 't', score: 9, extra: true }]) {
      expect(() => parseFeedback(bad)).toThrow(InvalidInputError);
    }
  });

  it('fall into the NPS categories', () => {
    expect([0, 6, 7, 8, 9, 10].map(npsCategory)).toEqual(['detractor', 'detractor', 'passive', 'passive', 'promoter', 'promoter']);
  });
});
