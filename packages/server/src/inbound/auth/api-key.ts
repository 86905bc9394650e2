/**
 * API key authentication: a JSONata locator pulls the presented key out of the request (for example
 * `$substringAfter(headers.authorization, "Bearer ")` or ``headers.`x-api-key` ``) and it must equal
 * one of the endpoint's keys (several during a rotation).
 */
import type { CompiledExpression } from '../expressions.js';
import { type Authenticator, secretEquals, unauthorized } from './authenticator.js';

export function createApiKeyAuthenticator(
  locator: CompiledExpression,
  keys: readonly string[],
): Authenticator {
  return async (_request, view) => {
    const located = await locator.evaluate(view).catch(() => undefined);
    const presented = typeof located === 'number' ? String(located) : located;
    if (typeof presented !== 'string' || presented === '') {
      throw unauthorized('An API key is required; none was found where this endpoint looks for it.');
    }
    let matched = false;
    // Every key is compared, so the time does not tell which one was close.
    for (const key of keys) matched = secretEquals(presented, key) || matched;
    if (!matched) throw unauthorized('The API key is not valid for this endpoint.');
    return { type: 'api-key' };
  };
}
