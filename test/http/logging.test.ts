import type { FastifyReply, FastifyRequest } from 'fastify';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { logAnswered, loggerOptions, slowRequestMs } from '../../src/http/logging.js';

/** One line per answered request, at the level that says whether someone needs to look. */
describe('request log lines', () => {
  const levelOf = (statusCode: number, elapsedTime: number) => {
    const seen: Array<[string, string]> = [];
    const log = Object.fromEntries(['error', 'warn', 'info', 'debug'].map((level) => [level, (_o: unknown, msg: string) => seen.push([level, msg])]));
    logAnswered({ method: 'GET', url: '/v1/program', log } as unknown as FastifyRequest, { statusCode, elapsedTime } as FastifyReply);
    expect(seen).toHaveLength(1);
    return seen[0]!;
  };

  it.each([
    [200, 12, 'debug'],
    [201, slowRequestMs + 1, 'warn'],
    [404, 3, 'info'],
    [422, slowRequestMs + 1, 'warn'],
    [500, 3, 'error'],
    [503, slowRequestMs + 1, 'error'],
  ])('status %i after %i ms is logged at %s', (status, ms, level) => {
    expect(levelOf(status, ms)[0]).toBe(level);
  });

  it('says the request in one short line', () => {
    expect(levelOf(200, 12.4)[1]).toBe('GET /v1/program 200 12 ms');
  });

  it('writes JSON unless a terminal watches or pretty lines are asked for, and nothing when silent', async () => {
    const pipe = new PassThrough() as unknown as NodeJS.WriteStream;
    expect(await loggerOptions(loadConfig({ LOG_LEVEL: 'warn' }), pipe)).toEqual(expect.objectContaining({ level: 'warn' }));
    expect(await loggerOptions(loadConfig({ LOG_LEVEL: 'warn' }), pipe)).not.toHaveProperty('stream');
    expect(await loggerOptions(loadConfig({ LOG_LEVEL: 'debug', LOJAL_LOG_FORMAT: 'pretty' }), pipe)).toHaveProperty('stream');
    expect(await loggerOptions(loadConfig({ LOG_LEVEL: 'silent' }), pipe)).toBe(false);
  });
});
