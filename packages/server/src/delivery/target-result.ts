/**
 * What a target kind (API destination, queue, event bus) is given for one attempt and what it
 * answers. A failed attempt throws DeliveryFailure; whether it is retried is decided where the failure
 * is observed (the code that read the response or caught the connection error) and carried on the
 * failure, never worked out later from its message.
 */
import type { JsonObject } from '@busway/patterns';
import type { DeliveryRecord, TargetRecord } from '../store/store.js';

/** One attempt at one delivery, as a target kind receives it. */
export interface TargetInvocation {
  readonly delivery: DeliveryRecord;
  readonly target: TargetRecord;
  /** The original event envelope (JSON text), for HttpParameters paths that point into it. */
  readonly envelope: string;
  readonly event: JsonObject;
  /** The body after Input / InputPath / InputTransformer. */
  readonly input: string;
  /** Aborted when the server shuts down; the attempt should end at once. */
  readonly signal: AbortSignal;
}

export interface TargetSuccess {
  statusCode?: number;
  /** The first bytes of the target's answer, for the attempt record. */
  responseExcerpt?: string;
}

/**
 * Not attempted yet, by the target's own choice (an API destination over its invocation rate): the
 * delivery waits until `deferredUntil` (epoch ms) without counting an attempt.
 */
export interface TargetDeferral {
  deferredUntil: number;
}

export type TargetOutcome = TargetSuccess | TargetDeferral;

export function isDeferral(outcome: TargetOutcome): outcome is TargetDeferral {
  return 'deferredUntil' in outcome;
}

/** One target kind: invokes, and throws DeliveryFailure when the attempt failed. */
export type InvokeTarget = (invocation: TargetInvocation) => Promise<TargetOutcome>;

/**
 * EventBridge's ERROR_CODE values for dead-letter messages (reference §5): the ones Busway can produce.
 */
export type DeliveryErrorCode =
  | 'CONNECTION_FAILURE'
  | 'ERROR_FROM_TARGET'
  | 'INVALID_JSON'
  | 'INVALID_PARAMETER'
  | 'NO_PERMISSIONS'
  | 'NO_RESOURCE'
  | 'INTERNAL_ERROR'
  | 'SDK_CLIENT_ERROR'
  | 'THROTTLING'
  | 'TIMEOUT';

export interface DeliveryFailureDetails {
  code: DeliveryErrorCode;
  retryable: boolean;
  statusCode?: number;
  /** From a `Retry-After` answer: the target asks not to be called again before this many ms. */
  retryAfterMs?: number;
  responseExcerpt?: string;
  cause?: unknown;
}

/** A failed attempt, with whether trying again could help. */
export class DeliveryFailure extends Error {
  readonly code: DeliveryErrorCode;
  readonly retryable: boolean;
  readonly statusCode?: number;
  readonly retryAfterMs?: number;
  readonly responseExcerpt?: string;

  constructor(message: string, details: DeliveryFailureDetails) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'DeliveryFailure';
    this.code = details.code;
    this.retryable = details.retryable;
    if (details.statusCode !== undefined) this.statusCode = details.statusCode;
    if (details.retryAfterMs !== undefined) this.retryAfterMs = details.retryAfterMs;
    if (details.responseExcerpt !== undefined) this.responseExcerpt = details.responseExcerpt;
  }
}

/**
 * HTTP statuses EventBridge retries for API destinations (reference §6): 401, 407, 409, 429 and every
 * 5xx; other answers below 200 or from 300 up are final.
 */
export function isRetryableStatus(status: number): boolean {
  return status === 401 || status === 407 || status === 409 || status === 429 || status >= 500;
}

/**
 * `Retry-After` as milliseconds from `now`: delta-seconds or an HTTP date; undefined when absent or
 * unreadable (a negative or past value counts as 0).
 */
export function parseRetryAfter(header: string | string[] | undefined, now: number): number | undefined {
  const value = (Array.isArray(header) ? header[0] : header)?.trim();
  if (value === undefined || value === '') return undefined;
  if (/^-?\d+$/.test(value)) return Math.max(0, Number(value) * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** How many characters of a target's answer an attempt record keeps. */
export const RESPONSE_EXCERPT_CHARS = 1024;

/** The first RESPONSE_EXCERPT_CHARS characters of an answer. */
export function responseExcerpt(text: string): string {
  return text.length <= RESPONSE_EXCERPT_CHARS ? text : text.slice(0, RESPONSE_EXCERPT_CHARS);
}
