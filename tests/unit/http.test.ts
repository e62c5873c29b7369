import { describe, expect, it } from 'vitest';
import { ConflictError, InvalidInputError, NotFoundError, UnprocessableError } from '../../functions/core/errors.ts';
import { parseLosslessJson, problemFor } from '../../functions/handlers/http.ts';
import { readConfig, secretEnv, ConfigurationError } from '../../functions/config.ts';

describe('problem+json at the edge', () => {
  it.each([
    [new InvalidInputError('bad', [{ path: 'total', message: 'nope' }]), 400],
    [new NotFoundError('gone'), 404],
    [new ConflictError('again'), 409],
    [new UnprocessableError('too much'), 422],
  ])('maps %s to %i with its detail', (error, status) => {
    const result = problemFor(error, '/v1/x');
    expect(result.statusCode).toBe(status);
    expect(result.headers?.['content-type']).toBe('application/problem+json');
    expect(JSON.parse(result.body ?? '')).toMatchObject({ type: 'about:blank', status, detail: error.message, instance: '/v1/x' });
  });

  it('lists failing fields of a validation error', () => {
    const body = JSON.parse(problemFor(new InvalidInputError('bad', [{ path: 'total', message: 'nope' }])).body ?? '');
    expect(body.errors).toEqual([{ path: 'total', message: 'nope' }]);
  });

  it("adds an error's extension members, which cannot take the place of the members RFC 9457 defines", () => {
    class Refused extends UnprocessableError {
      override get problemMembers() {
        return { code: 'over-cap', maxPoints: 500, status: 200, detail: 'replaced', instance: '/elsewhere', errors: 'none' };
      }
    }
    const refused = JSON.parse(problemFor(new Refused('points may pay for at most half'), '/v1/x').body ?? '');
    expect(refused).toEqual({
      type: 'about:blank',
      title: 'Unprocessable request',
      status: 422,
      detail: 'points may pay for at most half',
      instance: '/v1/x',
      code: 'over-cap',
      maxPoints: 500,
    });
    expect(Object.keys(refused)).toEqual(['type', 'title', 'status', 'detail', 'instance', 'code', 'maxPoints']);
    expect(JSON.parse(problemFor(new Refused('no instance')).body ?? '')).not.toHaveProperty('instance');
    expect(Object.keys(JSON.parse(problemFor(new NotFoundError('gone')).body ?? ''))).toEqual(['type', 'title', 'status', 'detail']);
  });

  it('hides internal errors behind a generic 500', () => {
    const result = problemFor(new Error('connection string with password=hunter2'));
    expect(result.statusCode).toBe(500);
    expect(result.body).not.toContain('hunter2');
  });
});

describe('lossless JSON', () => {
  it('keeps integers beyond 2^53 as exact text and safe numbers as numbers', () => {
    expect(parseLosslessJson('{"id": 820982911946154508, "n": 3, "p": 19.99}')).toEqual({ id: '820982911946154508', n: 3, p: 19.99 });
  });
});

describe('configuration', () => {
  it('names a missing variable', () => {
    expect(() => readConfig(secretEnv('COMEBACK_WEBHOOK_SECRET'), {})).toThrow(ConfigurationError);
    expect(() => readConfig(secretEnv('COMEBACK_WEBHOOK_SECRET'), {})).toThrow(/COMEBACK_WEBHOOK_SECRET: set exactly one of COMEBACK_WEBHOOK_SECRET or COMEBACK_WEBHOOK_SECRET_ARN/);
  });

  it('refuses a value and an ARN at once', () => {
    expect(() => readConfig(secretEnv('S'), { S: 'x', S_ARN: 'arn:aws:secretsmanager:eu-west-1:1:secret:s' })).toThrow(/exactly one/);
  });
});
