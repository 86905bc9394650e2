/**
 * SQS's query protocol (API version 2012-11-05), which SQS clients spoke before the JSON protocol and
 * older ones still do (the AWS CLI and boto3 released before late 2023, Java SDK 1.x, Debian bookworm's
 * packaged CLI): `POST` of a form `Action=SendMessage&Version=2012-11-05&QueueUrl=...&MessageBody=...`,
 * to `/` or to the queue URL itself (`/<account>/<name>`), answered in XML:
 *
 *   <SendMessageResponse xmlns="http://queue.amazonaws.com/doc/2012-11-05/">
 *     <SendMessageResult><MessageId>..</MessageId>...</SendMessageResult>
 *     <ResponseMetadata><RequestId>..</RequestId></ResponseMetadata>
 *   </SendMessageResponse>
 *
 * and errors as `<ErrorResponse><Error><Type>Sender</Type><Code>AWS.SimpleQueueService.NonExistentQueue
 * </Code><Message>..</Message><Detail/></Error><RequestId>..</RequestId></ErrorResponse>` with the query
 * code and status of error-shapes.ts toSqsError.
 *
 * The operations are the JSON protocol's handlers (api/operations/sqs.ts): a form is decoded into their
 * JSON input (sqs-query-shapes.ts names every parameter), their output rendered as XML. The request is
 * authenticated (SigV4, service `sqs`) before its form is read, as the JSON path does.
 */
import type { FastifyReply } from 'fastify';
import { SqsError } from '../../queues/types.js';
import type { FormCall, FormProtocol, OperationHandler } from '../aws-json/protocol.js';
import { toSqsError, type ErrorLogger } from '../error-shapes.js';
import type { Authenticate } from '../sigv4.js';
import { decodeStructure, paramTree, renderStructure } from './query-shapes.js';
import { SQS_QUERY_OPERATIONS } from './sqs-query-shapes.js';
import { element, textElement } from './xml.js';

/** The namespace of every SQS query answer. */
export const SQS_XML_NAMESPACE = 'http://queue.amazonaws.com/doc/2012-11-05/';

/** What SQS answers the query protocol with. */
export const SQS_XML_CONTENT_TYPE = 'text/xml';

export interface SqsQueryProtocolOptions {
  /** The `AmazonSQS.*` handlers (createSqsOperations). */
  operations: ReadonlyMap<string, OperationHandler>;
  authenticate: Authenticate;
}

/** The query protocol for `registerAwsJsonProtocol`'s `formProtocol` option. */
export function createSqsQueryProtocol(options: SqsQueryProtocolOptions): FormProtocol {
  const dispatch = async (call: FormCall): Promise<string> => {
    const { request, rawBody } = call;
    const url = request.raw.url ?? request.url;
    const auth = await options.authenticate(
      { method: request.method, url, headers: request.headers, rawBody },
      'sqs',
    );
    const params = formParams(url, rawBody);
    const action = params.find(([key]) => key === 'Action')?.[1];
    if (action === undefined || action === '') {
      throw new SqsError('MissingAction', 'The request must contain the parameter Action.');
    }
    const operation = Object.hasOwn(SQS_QUERY_OPERATIONS, action) ? SQS_QUERY_OPERATIONS[action] : undefined;
    const handler = options.operations.get(`AmazonSQS.${action}`);
    if (operation === undefined || handler === undefined) {
      throw new SqsError('InvalidAction', `The action ${action} is not valid for this endpoint.`);
    }
    const input = decodeStructure(paramTree(params), operation.input);
    if ('QueueUrl' in operation.input.members && input.QueueUrl === undefined) {
      // Clients that post to the queue URL itself may leave QueueUrl out of the form: the path names it.
      const path = queuePath(url);
      if (path !== undefined) input.QueueUrl = `http://${request.headers.host ?? 'localhost'}${path}`;
    }
    const output = await handler(input, call.contextFor(auth.accessKeyId));
    const result =
      operation.output === undefined
        ? ''
        : element(`${action}Result`, renderStructure(output ?? {}, operation.output));
    return xmlDocument(`${action}Response`, result + responseMetadata(call.requestId));
  };

  return {
    async handle(call, reply) {
      try {
        const xml = await dispatch(call);
        return reply.code(200).headers(queryHeaders(call.requestId)).send(Buffer.from(xml, 'utf8'));
      } catch (error) {
        return sendQueryError(reply, error, call.requestId, call.log);
      }
    },
    sendError: sendQueryError,
  };
}

/** Sends `error` as SQS's query protocol does: an XML ErrorResponse with the query-era code. */
export function sendQueryError(
  reply: FastifyReply,
  error: unknown,
  requestId: string,
  log?: ErrorLogger,
): FastifyReply {
  const shape = toSqsError(error, log);
  const body = xmlDocument(
    'ErrorResponse',
    element(
      'Error',
      textElement('Type', shape.fault) +
        textElement('Code', shape.queryCode) +
        textElement('Message', shape.message) +
        '<Detail/>',
    ) + textElement('RequestId', requestId),
  );
  return reply.code(shape.status).headers(queryHeaders(requestId)).send(Buffer.from(body, 'utf8'));
}

function queryHeaders(requestId: string): Record<string, string> {
  return {
    'content-type': SQS_XML_CONTENT_TYPE,
    'x-amzn-RequestId': requestId,
    date: new Date().toUTCString(),
  };
}

function xmlDocument(root: string, content: string): string {
  return `<?xml version="1.0"?><${root} xmlns="${SQS_XML_NAMESPACE}">${content}</${root}>`;
}

function responseMetadata(requestId: string): string {
  return element('ResponseMetadata', textElement('RequestId', requestId));
}

/**
 * The request's parameters: those of the URL's query string, then the form body's (a client may put
 * `Action` in either; the SDKs send everything in the body).
 */
function formParams(url: string, rawBody: Buffer): Array<[string, string]> {
  const query = url.indexOf('?');
  const fromUrl = query === -1 ? [] : [...new URLSearchParams(url.slice(query + 1))];
  return [...fromUrl, ...new URLSearchParams(rawBody.toString('utf8'))];
}

/** `/<account>/<name>` when the request was posted to a queue URL, else undefined. */
function queuePath(url: string): string | undefined {
  const query = url.indexOf('?');
  const path = query === -1 ? url : url.slice(0, query);
  return /^\/[^/]+\/[^/]+\/?$/.test(path) ? path.replace(/\/$/, '') : undefined;
}
