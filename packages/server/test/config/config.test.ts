import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderConfigurationDoc } from '../../src/config/docs.js';
import { ConfigError, loadConfig } from '../../src/config/load.js';

const DOC = new URL('../../../../docs/configuration.md', import.meta.url);

describe('loadConfig', () => {
  it('gives the documented defaults', () => {
    const config = loadConfig({ env: {} });
    expect(config).toMatchObject({
      port: 4010,
      host: '127.0.0.1',
      dataDir: './.busway',
      region: 'us-east-1',
      accountId: '000000000000',
      maxEventsRequestBytes: 262144,
      maxEventPatternLength: 2048,
    });
    expect(config.databaseUrl).toBeUndefined();
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('lets flags win over BUSWAY_* variables, and variables over defaults', () => {
    const config = loadConfig({
      env: { BUSWAY_PORT: '5000', BUSWAY_REGION: 'eu-west-1' },
      argv: ['--port', '0', '--account-id=123456789012', '--strict-event-bus'],
    });
    expect(config.port).toBe(0);
    expect(config.region).toBe('eu-west-1');
    expect(config.accountId).toBe('123456789012');
    expect(config.strictEventBus).toBe(true);
  });

  it('reports every problem at once', () => {
    let error: unknown;
    try {
      loadConfig({ env: { BUSWAY_PORT: 'abc' }, argv: ['--account-id', '12', '--nope', '--region', 'Mars'] });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    expect(problems).toContain('BUSWAY_PORT must be an integer');
    expect(problems).toContain('unknown option --nope');
    expect(problems).toContain('--account-id (BUSWAY_ACCOUNT_ID)');
    expect(problems).toContain('--region (BUSWAY_REGION)');
  });

  it('needs the bootstrap key id and secret together', () => {
    expect(() => loadConfig({ env: { BUSWAY_ACCESS_KEY_ID: 'AKIAEXAMPLE' } })).toThrow(
      /must be given together/,
    );
  });
});

describe('docs/configuration.md', () => {
  it('is generated from the schema and current', () => {
    const expected = renderConfigurationDoc();
    if (process.env['BUSWAY_UPDATE_SNAPSHOTS'] === '1') writeFileSync(DOC, expected);
    const actual = readFileSync(DOC, 'utf8');
    expect(actual, 'docs/configuration.md is stale: run `npm run docs:config`').toBe(expected);
  });
});
