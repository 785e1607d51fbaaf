import { z } from 'zod';
import { GatewayError } from './errors';
import { parseOr400 } from './zod-errors';

describe('parseOr400', () => {
  const schema = z.strictObject({ pages: z.string().optional(), dpi: z.number().int().max(300).optional() });

  it('answers the parsed value, an absent one as {}', () => {
    expect(parseOr400(schema, { dpi: 150 })).toEqual({ dpi: 150 });
    expect(parseOr400(schema, undefined)).toEqual({});
  });

  it('throws a 400 naming the parameter, under the prefix', () => {
    const err = (() => {
      try {
        parseOr400(schema, { dpi: 301 }, 'options');
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(GatewayError);
    expect(err).toMatchObject({ status: 400, param: 'options.dpi' });
    expect(() => parseOr400(schema, { colour: 'red' })).toThrow(expect.objectContaining({ param: 'colour' }));
  });
});
