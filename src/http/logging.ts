/**
 * The server's log: JSON lines for log collectors, or short readable lines when a person watches the terminal.
 *
 * Requests are logged once, when answered (Fastify's own two lines per request are switched off), at a level
 * that says whether anyone needs to look:
 * - 5xx at `error`: our fault, always worth seeing;
 * - slower than `slowRequestMs` at `warn`, whatever the status;
 * - 4xx at `info`: the caller's mistake, which is what someone wiring up an integration is looking for (a
 *   production log that finds them noisy sets LOG_LEVEL=warn and still sees failures and slow answers);
 * - everything else at `debug` (LOG_LEVEL=debug shows every request).
 */
import type { FastifyReply, FastifyRequest, FastifyServerOptions } from 'fastify';
import type { Config } from '../config/index.js';

export const slowRequestMs = 1000;

const redact = ['req.headers.authorization', 'req.headers["x-api-key"]'];

export async function loggerOptions(config: Config, out: NodeJS.WriteStream = process.stdout): Promise<FastifyServerOptions['logger']> {
  if (config.logLevel === 'silent') return false;
  const pretty = config.logFormat === 'pretty' || (config.logFormat === 'auto' && out.isTTY === true);
  if (!pretty) return { level: config.logLevel, redact };
  // Loaded only for a terminal: a server logging JSON never needs it.
  const { default: prettyStream } = await import('pino-pretty');
  return {
    level: config.logLevel,
    redact,
    stream: prettyStream({
      destination: out,
      colorize: out.isTTY === true,
      translateTime: 'SYS:HH:MM:ss',
      ignore: 'pid,hostname,reqId,req,res,responseTime',
      singleLine: true,
      sync: true,
    }),
  };
}

export function logAnswered(req: FastifyRequest, reply: FastifyReply): void {
  const status = reply.statusCode;
  const ms = Math.round(reply.elapsedTime);
  const level = status >= 500 ? 'error' : ms > slowRequestMs ? 'warn' : status >= 400 ? 'info' : 'debug';
  // Most answers are logged at `debug`, which a production log leaves out: their line is not even built then.
  // (pino's loggers can say; Fastify's silent one cannot, and writes nothing anyway.)
  if ((req.log as { isLevelEnabled?: (level: string) => boolean }).isLevelEnabled?.(level) === false) return;
  req.log[level](
    { req: { method: req.method, url: req.url }, res: { statusCode: status }, responseTime: ms },
    `${req.method} ${req.url} ${status} ${ms} ms`,
  );
}
