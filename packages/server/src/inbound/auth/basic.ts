/** HTTP Basic authentication (RFC 7617) against one user name and password. */
import { type Authenticator, secretEquals, unauthorized } from './authenticator.js';
import { headerValue } from '../expressions.js';

const CHALLENGE = 'Basic realm="busway", charset="UTF-8"';

export function createBasicAuthenticator(username: string, password: string): Authenticator {
  return async (request) => {
    const header = headerValue(request, 'authorization');
    const match = header === undefined ? null : /^Basic[ ]+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
    if (match === null || match[1] === undefined) {
      throw unauthorized(
        'Basic credentials are required: send Authorization: Basic <base64(user:password)>.',
        CHALLENGE,
      );
    }
    const decoded = Buffer.from(match[1], 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    const user = colon < 0 ? decoded : decoded.slice(0, colon);
    const pass = colon < 0 ? '' : decoded.slice(colon + 1);
    // Both compared, always, so the answer time does not tell a wrong user from a wrong password.
    const userOk = secretEquals(user, username);
    const passOk = secretEquals(pass, password);
    if (!userOk || !passOk) throw unauthorized('The user name or password is wrong.', CHALLENGE);
    return { type: 'basic', username: user };
  };
}
