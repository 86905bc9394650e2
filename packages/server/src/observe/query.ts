/** Query parameters of Busway's plain GET endpoints (/busway/tail, /busway/deliveries). */
import { ValidationError } from '../errors.js';

/** A query parameter given at most once (Fastify parses a repeated one into an array). */
export function queryParam(query: unknown, name: string): string | undefined {
  const value = (query as Record<string, unknown> | undefined)?.[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new ValidationError(`Query parameter '${name}' must be given once.`);
  return value;
}
