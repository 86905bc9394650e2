/**
 * The HTTP layer of inbound endpoints: `/webhooks/{id}` (any method; the webhook decides) and
 * `/ingest/{name}`. Bodies are kept as raw bytes (signatures cover them exactly) and handed to the
 * inbound service; every refusal leaves as a JSON problem body (RFC 9457, `application/problem+json`,
 * `{type, title, status, detail}`), Fastify's own failures (body over the server's limit, a bad
 * Content-Length) included. Only a fault of the server itself is a 500, with its details in the log.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { InboundRequestError } from '../errors.js';
import type { InboundService } from './inbound-service.js';
import type { InboundRequest, InboundResponse } from './types.js';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export interface InboundRouteOptions {
  inbound: InboundService;
  /** The server's transport limit (config.maxBodyBytes); endpoints have their own, lower ones. */
  bodyLimit: number;
}

function problemType(title: string): string {
  return `urn:busway:problem:${title.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
}

export function sendProblem(reply: FastifyReply, error: InboundRequestError): FastifyReply {
  return reply
    .code(error.status)
    .headers({ ...error.headers, 'content-type': PROBLEM_CONTENT_TYPE, 'cache-control': 'no-store' })
    .send(
      JSON.stringify({
        type: problemType(error.title),
        title: error.title,
        status: error.status,
        detail: error.message,
      }),
    );
}

function fromFastifyError(error: FastifyError): InboundRequestError | undefined {
  if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE' || error.statusCode === 413) {
    return new InboundRequestError(413, 'Payload too large', "The body is over the server's limit.");
  }
  if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
    return new InboundRequestError(error.statusCode, 'Bad request', error.message);
  }
  return undefined;
}

function toInboundRequest(request: FastifyRequest): InboundRequest {
  const url = request.raw.url ?? request.url;
  const query: Record<string, string | string[]> = {};
  const parsed = request.query;
  if (parsed !== null && typeof parsed === 'object') {
    for (const [key, value] of Object.entries(parsed as Record<string, unknown>)) {
      if (typeof value === 'string') query[key] = value;
      else if (Array.isArray(value)) query[key] = value.map(String);
    }
  }
  return {
    method: request.method,
    path: url.split('?')[0] ?? url,
    headers: request.headers as Record<string, string | string[] | undefined>,
    query,
    rawBody: Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0),
  };
}

function sendResponse(reply: FastifyReply, response: InboundResponse): FastifyReply {
  return reply
    .code(response.status)
    .headers({ 'content-type': 'application/json; charset=utf-8', ...response.headers })
    .send(JSON.stringify(response.body));
}

/** Registers the inbound routes in their own scope (raw-body parser, problem-body errors). */
export function registerInboundRoutes(http: FastifyInstance, options: InboundRouteOptions): void {
  void http.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
    scope.setErrorHandler((error: FastifyError, request, reply) => {
      const known = fromFastifyError(error);
      if (known !== undefined) return sendProblem(reply, known);
      request.log.error({ err: error }, 'internal error while serving an inbound endpoint');
      return sendProblem(
        reply,
        new InboundRequestError(500, 'Internal error', 'The details are in the Busway server log.'),
      );
    });
    scope.setNotFoundHandler((_request, reply) =>
      sendProblem(reply, new InboundRequestError(404, 'Not found', 'No such inbound endpoint.')),
    );

    const serve =
      (handle: (id: string, request: InboundRequest) => Promise<InboundResponse>) =>
      async (request: FastifyRequest<{ Params: { id: string } }>, reply: FastifyReply) => {
        try {
          return sendResponse(reply, await handle(request.params.id, toInboundRequest(request)));
        } catch (error) {
          if (error instanceof InboundRequestError) return sendProblem(reply, error);
          throw error;
        }
      };
    const routeOptions = { bodyLimit: options.bodyLimit };
    scope.all(
      '/webhooks/:id',
      routeOptions,
      serve((id, request) => options.inbound.handleWebhook(id, request)),
    );
    scope.all(
      '/ingest/:id',
      routeOptions,
      serve((id, request) => options.inbound.handleIngest(id, request)),
    );
    // Ids longer than the router's parameter limit (100) match no parametric route; without these they
    // would fall through to the AWS protocol's catch-all and get an AWS-shaped answer.
    const unknown = async (_request: FastifyRequest, reply: FastifyReply) =>
      sendProblem(reply, new InboundRequestError(404, 'Not found', 'No such inbound endpoint.'));
    scope.all('/webhooks/*', routeOptions, unknown);
    scope.all('/ingest/*', routeOptions, unknown);
  });
}
