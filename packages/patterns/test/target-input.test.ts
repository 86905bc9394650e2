import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidTargetInputError } from '../src/errors.js';
import {
  isValidJsonPath,
  listPlaceholders,
  renderTargetInput,
  selectPath,
  validateTargetInput,
  type TargetInput,
  type TransformContext,
  type TransformResult,
} from '../src/target-input.js';
import type { JsonObject, JsonValue } from '../src/json.js';

const event: JsonObject = {
  version: '0',
  id: '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
  'detail-type': 'Order Placed',
  source: 'shop.orders',
  account: '123456789012',
  time: '2026-01-01T12:00:00Z',
  region: 'us-east-1',
  resources: ['arn:aws:shop:us-east-1:123456789012:order/1'],
  detail: {
    orderId: 'o-1',
    quote: 'say "hi"',
    total: 12.5,
    paid: true,
    coupon: null,
    items: [
      { sku: 'a', qty: 1 },
      { sku: 'b', qty: 2 },
    ],
    tags: ['new', 'gift'],
    customer: { id: 'c-9', tier: 'gold' },
    'aws:region-tag': 'eu',
  },
};

const context: TransformContext = {
  ruleName: 'orders-rule',
  ruleArn: 'arn:aws:events:us-east-1:123456789012:rule/orders-rule',
  eventBusName: 'default',
  ingestionTime: '2026-01-01T12:00:01Z',
};

function transform(inputTemplate: string, inputPathsMap?: Record<string, string>): TargetInput {
  return {
    inputTransformer: inputPathsMap === undefined ? { inputTemplate } : { inputPathsMap, inputTemplate },
  };
}

function body(result: TransformResult): string {
  if (!result.ok) throw new Error(`expected a body, got ${result.code}: ${result.message}`);
  return result.body;
}

function validationMessage(spec: TargetInput, targetId = 't1', memberPath?: string): string {
  try {
    validateTargetInput(targetId, spec, memberPath === undefined ? {} : { memberPath });
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidTargetInputError);
    return (error as Error).message;
  }
  throw new Error('expected validateTargetInput to throw');
}

describe('selectPath', () => {
  it('returns the whole event for $', () => {
    expect(selectPath(event, '$')).toBe(event);
  });

  it('follows dot notation through keys with dashes, underscores and colons', () => {
    expect(selectPath(event, '$.detail-type')).toBe('Order Placed');
    expect(selectPath(event, '$.detail.customer.tier')).toBe('gold');
    expect(selectPath(event, '$.detail.aws:region-tag')).toBe('eu');
  });

  it('follows array indices and bracketed keys', () => {
    expect(selectPath(event, '$.resources[0]')).toBe('arn:aws:shop:us-east-1:123456789012:order/1');
    expect(selectPath(event, '$.detail.items[1].sku')).toBe('b');
    expect(selectPath(event, "$['detail-type']")).toBe('Order Placed');
    expect(selectPath(event, '$["detail"]["customer"].id')).toBe('c-9');
  });

  it('returns null for a null value and undefined for a missing one', () => {
    expect(selectPath(event, '$.detail.coupon')).toBeNull();
    expect(selectPath(event, '$.detail.nothing')).toBeUndefined();
    expect(selectPath(event, '$.detail.nothing.deeper')).toBeUndefined();
    expect(selectPath(event, '$.resources[5]')).toBeUndefined();
  });

  it('does not index objects by position or arrays by key', () => {
    expect(selectPath(event, '$.detail[0]')).toBeUndefined();
    expect(selectPath(event, '$.resources.length')).toBeUndefined();
  });

  it('never reaches inherited properties such as constructor or __proto__', () => {
    expect(selectPath(event, '$.constructor')).toBeUndefined();
    expect(selectPath(event, '$.__proto__')).toBeUndefined();
    expect(selectPath(event, '$.detail.toString')).toBeUndefined();
  });

  it('collects every match of a wildcard into an array, empty when nothing matches', () => {
    expect(selectPath(event, '$.detail.items[*].sku')).toEqual(['a', 'b']);
    expect(selectPath(event, '$.detail.items.*.qty')).toEqual([1, 2]);
    expect(selectPath(event, '$.detail.customer.*')).toEqual(['c-9', 'gold']);
    expect(selectPath(event, '$.detail.items[*].missing')).toEqual([]);
  });

  it('selects nothing for paths outside the supported subset', () => {
    for (const path of [
      '',
      'detail',
      '$.',
      '$..detail',
      '$.detail.',
      '$.a b',
      '$.a[',
      '$.a[-1]',
      '$.a[0:2]',
      '$.a[?(@.x)]',
    ]) {
      expect(isValidJsonPath(path), path).toBe(false);
      expect(selectPath(event, path), path).toBeUndefined();
    }
  });

  it('accepts the documented forms as valid paths', () => {
    for (const path of [
      '$',
      '$.detail',
      '$.detail-type',
      '$.a_b.c-d',
      '$.a[0]',
      '$.a[*]',
      '$.a.*',
      "$['a b']",
    ]) {
      expect(isValidJsonPath(path), path).toBe(true);
    }
  });

  it('never throws, whatever the path text', () => {
    fc.assert(
      fc.property(fc.string(), (path) => {
        selectPath(event, path);
        selectPath(event, `$.${path}`);
      }),
    );
  });
});

describe('validateTargetInput', () => {
  it('accepts a target with no input settings', () => {
    expect(() => validateTargetInput('t1', {})).not.toThrow();
  });

  it('refuses two input modes at once, naming the target', () => {
    const message = 'Only one of Input, InputPath, or InputTransformer must be provided for target t1.';
    expect(validationMessage({ input: '{}', inputPath: '$.detail' })).toBe(message);
    expect(validationMessage({ input: '{}', ...transform('"x"') })).toBe(message);
    expect(validationMessage({ inputPath: '$', ...transform('"x"') })).toBe(message);
  });

  it('refuses an unmapped placeholder, naming the target and the first such placeholder', () => {
    expect(validationMessage(transform('"<a> <nope> <other>"', { a: '$.id' }), 'my-target')).toBe(
      'InputTemplate for target my-target contains invalid placeholder nope.',
    );
  });

  it('lets templates use every reserved variable without mapping it', () => {
    const template =
      '{"arn": <aws.events.rule-arn>, "name": <aws.events.rule-name>, "at": <aws.events.event.ingestion-time>,' +
      ' "e": <aws.events.event>, "j": <aws.events.event.json>}';
    expect(() => validateTargetInput('t1', transform(template))).not.toThrow();
  });

  it('does not check the syntax of mapped paths, which AWS evaluates only at delivery', () => {
    expect(() => validateTargetInput('t1', transform('<a>', { a: 'not a path' }))).not.toThrow();
  });

  it('refuses a reserved name as an InputPathsMap key through the key pattern', () => {
    expect(validationMessage(transform('<aws.events.rule-name>', { 'aws.events.rule-name': '$.id' }))).toBe(
      "1 validation error detected: Value '{aws.events.rule-name=$.id}' at " +
        "'targets.1.member.inputTransformer.inputPathsMap' failed to satisfy constraint: Map keys must satisfy " +
        'constraint: [Member must have length less than or equal to 256, Member must have length greater than ' +
        'or equal to 1, Member must satisfy regular expression pattern: [A-Za-z0-9\\_\\-]+]',
    );
  });

  it('refuses keys that are empty or longer than 256 characters', () => {
    expect(validationMessage(transform('"x"', { '': '$.id' }))).toContain('Map keys must satisfy constraint');
    expect(validationMessage(transform('"x"', { ['k'.repeat(257)]: '$.id' }))).toContain(
      'Map keys must satisfy constraint',
    );
    expect(() => validateTargetInput('t1', transform('"<k>"', { ['k'.repeat(256)]: '$.id' }))).toThrow(
      'contains invalid placeholder k.',
    );
  });

  it('refuses more than 100 InputPathsMap entries and paths longer than 256 characters', () => {
    const paths = Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`k${i}`, '$.id']));
    expect(validationMessage(transform('"x"', paths))).toMatch(
      /^1 validation error detected: Value '\{k0=\$\.id, .*k100=\$\.id\}' at 'targets\.1\.member\.inputTransformer\.inputPathsMap' failed to satisfy constraint: Member must have length less than or equal to 100$/,
    );
    expect(validationMessage(transform('"<a>"', { a: `$.${'a'.repeat(255)}` }))).toContain(
      'Map value must satisfy constraint: [Member must have length less than or equal to 256]',
    );
  });

  it('refuses an empty template and one longer than 8192 characters', () => {
    expect(validationMessage(transform(''))).toBe(
      "1 validation error detected: Value '' at 'targets.1.member.inputTransformer.inputTemplate' failed to " +
        'satisfy constraint: Member must have length greater than or equal to 1',
    );
    expect(validationMessage(transform(`"${'x'.repeat(8191)}"`))).toContain(
      'Member must have length less than or equal to 8192',
    );
    expect(() => validateTargetInput('t1', transform(`"${'x'.repeat(8190)}"`))).not.toThrow();
  });

  it('counts lengths in code points, so astral characters count once', () => {
    expect(() => validateTargetInput('t1', transform(`"${'😀'.repeat(8190)}"`))).not.toThrow();
  });

  it('refuses an input path over 256 characters and an input over 8192 characters', () => {
    expect(validationMessage({ inputPath: `$.${'a'.repeat(255)}` })).toMatch(
      /at 'targets\.1\.member\.inputPath' failed to satisfy constraint: Member must have length less than or equal to 256$/,
    );
    expect(validationMessage({ input: `"${'a'.repeat(8191)}"` })).toMatch(
      /at 'targets\.1\.member\.input' failed to satisfy constraint: Member must have length less than or equal to 8192$/,
    );
  });

  it('reports every constraint violation in one message, at the given member path', () => {
    const message = validationMessage(
      { inputPath: `$.${'a'.repeat(300)}`, inputTransformer: { inputTemplate: '' } },
      't1',
      'targets.3.member',
    );
    expect(message).toMatch(
      /^2 validation errors detected: Value '\$\.a+' at 'targets\.3\.member\.inputPath'/,
    );
    expect(message).toContain("; Value '' at 'targets.3.member.inputTransformer.inputTemplate'");
  });

  it('checks model constraints before the one-mode rule, as AWS validates the request shape first', () => {
    expect(validationMessage({ inputPath: `$.${'a'.repeat(300)}`, input: '{}' })).toMatch(
      /^1 validation error/,
    );
  });

  it('refuses an input that is not JSON, quoting the parser position', () => {
    expect(validationMessage({ input: "{'env': 'dev'}" }, 'lambda-1')).toBe(
      `JSON syntax error in input for target lambda-1: [Source: (String)"{'env': 'dev'}"; line: 1, column: 2]`,
    );
    expect(validationMessage({ input: 'plain text' })).toMatch(/^JSON syntax error in input for target t1: /);
  });

  it('accepts any JSON value as input, scalars included', () => {
    for (const input of ['{"a":1}', '[1,2]', '"text"', '42', 'null']) {
      expect(() => validateTargetInput('t1', { input })).not.toThrow();
    }
  });

  it('throws only InvalidTargetInputError for malformed specs from JavaScript callers', () => {
    const junk = [
      { inputTransformer: null },
      { inputTransformer: 'x' },
      { inputTransformer: { inputTemplate: undefined } },
      { inputTransformer: { inputTemplate: 5 } },
      { inputTransformer: { inputPathsMap: null, inputTemplate: '<a>' } },
      { inputTransformer: { inputPathsMap: { a: 5 }, inputTemplate: '<a>' } },
      { input: 5 },
      { inputPath: {} },
    ] as unknown as TargetInput[];
    for (const spec of junk) {
      expect(() => validateTargetInput('t1', spec), JSON.stringify(spec)).toThrow(InvalidTargetInputError);
      expect(() => renderTargetInput(event, spec, context), JSON.stringify(spec)).not.toThrow();
    }
  });
});

describe('renderTargetInput without a transformer', () => {
  it('delivers the whole event as JSON when no input is set', () => {
    expect(JSON.parse(body(renderTargetInput(event, {}, context)))).toEqual(event);
  });

  it('delivers a constant input exactly as written', () => {
    expect(body(renderTargetInput(event, { input: '{ "fixed" : true }' }, context))).toBe(
      '{ "fixed" : true }',
    );
  });

  it('delivers the value at the input path as JSON, a string as a quoted literal', () => {
    expect(body(renderTargetInput(event, { inputPath: '$.detail.orderId' }, context))).toBe('"o-1"');
    expect(body(renderTargetInput(event, { inputPath: '$.detail.total' }, context))).toBe('12.5');
    expect(body(renderTargetInput(event, { inputPath: '$.detail.customer' }, context))).toBe(
      '{"id":"c-9","tier":"gold"}',
    );
  });

  it('delivers nothing when the input path selects nothing', () => {
    const result = renderTargetInput(event, { inputPath: '$.detail.absent' }, context);
    expect(result).toMatchObject({ ok: false, code: 'INVALID_JSON' });
  });
});

describe('renderTargetInput with a JSON template', () => {
  const paths = {
    orderId: '$.detail.orderId',
    quote: '$.detail.quote',
    total: '$.detail.total',
    paid: '$.detail.paid',
    coupon: '$.detail.coupon',
    tags: '$.detail.tags',
    customer: '$.detail.customer',
    absent: '$.detail.absent',
  };
  const render = (template: string): TransformResult =>
    renderTargetInput(event, transform(template, paths), context);

  it('inserts a bare placeholder as a JSON value', () => {
    const out = body(
      render(
        '{"o": <orderId>, "t": <total>, "p": <paid>, "c": <coupon>, "tags": <tags>, "cust": <customer>}',
      ),
    );
    expect(JSON.parse(out)).toEqual({
      o: 'o-1',
      t: 12.5,
      p: true,
      c: null,
      tags: ['new', 'gift'],
      cust: { id: 'c-9', tier: 'gold' },
    });
  });

  it('escapes a string inserted as a bare value', () => {
    expect(JSON.parse(body(render('{"q": <quote>}')))).toEqual({ q: 'say "hi"' });
  });

  it('inserts an empty string for a bare placeholder whose path is missing', () => {
    expect(JSON.parse(body(render('{"a": <absent>}')))).toEqual({ a: '' });
  });

  it('inserts raw text for a placeholder inside a string, and nothing for a missing path', () => {
    expect(
      JSON.parse(body(render('{"s": "order <orderId> total <total> paid <paid> <absent>end"}'))),
    ).toEqual({
      s: 'order o-1 total 12.5 paid true end',
    });
  });

  it('drops the event when raw text inside a string breaks the JSON', () => {
    expect(render('{"q": "<quote>"}')).toMatchObject({ ok: false, code: 'INVALID_JSON' });
    expect(render('{"c": "<customer>"}')).toMatchObject({ ok: false, code: 'INVALID_JSON' });
    expect(render('{"t": "<tags>"}')).toMatchObject({ ok: false, code: 'INVALID_JSON' });
  });

  it('drops the event when the template itself is not valid JSON once rendered', () => {
    const result = render('{"o": <orderId>');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toMatch(/not valid JSON/);
  });

  it('treats escaped quotes in the template as part of the string', () => {
    expect(JSON.parse(body(render('{"m": "order \\"<orderId>\\" is <paid>"}')))).toEqual({
      m: 'order "o-1" is true',
    });
  });

  it('keeps angle brackets that are not placeholders', () => {
    expect(JSON.parse(body(render('{"m": "a < b > c <not a placeholder>", "o": <orderId>}')))).toEqual({
      m: 'a < b > c <not a placeholder>',
      o: 'o-1',
    });
  });

  it('renders array templates and repeated placeholders', () => {
    expect(JSON.parse(body(render('  [<orderId>, "x/<orderId>", <orderId>]')))).toEqual([
      'o-1',
      'x/o-1',
      'o-1',
    ]);
  });

  it('minifies the delivered JSON without changing string contents or number spellings', () => {
    expect(body(render('{\n  "o" : <orderId>,\n  "s": "a  b",\n  "n": 1.50\n}'))).toBe(
      '{"o":"o-1","s":"a  b","n":1.50}',
    );
  });
});

describe('renderTargetInput with a text template', () => {
  const paths = {
    orderId: '$.detail.orderId',
    quote: '$.detail.quote',
    total: '$.detail.total',
    coupon: '$.detail.coupon',
    tags: '$.detail.tags',
    customer: '$.detail.customer',
    absent: '$.detail.absent',
  };
  const render = (template: string): string =>
    body(renderTargetInput(event, transform(template, paths), context));

  it('inserts strings, numbers and null as raw text inside a quoted template', () => {
    expect(render('"Order <orderId> for <total>: <quote> <coupon>"')).toBe(
      '"Order o-1 for 12.5: say "hi" null"',
    );
  });

  it('renders objects and arrays as JSON with the double quotes dropped', () => {
    expect(render('"<customer> / <tags>"')).toBe('"{id:c-9,tier:gold} / [new,gift]"');
  });

  it('inserts nothing for a missing path', () => {
    expect(render('"[<absent>]"')).toBe('"[]"');
  });

  it('passes unquoted and multi-line templates through as text', () => {
    expect(render('order <orderId> placed')).toBe('order o-1 placed');
    expect(render('"a <orderId>"\n"b <total>"')).toBe('"a o-1"\n"b 12.5"');
  });

  it('does not treat a quoted template that starts with a brace as JSON', () => {
    expect(render('"{<orderId>"')).toBe('"{o-1"');
  });
});

describe('renderTargetInput with reserved variables', () => {
  it('fills in the rule name, rule ARN and ingestion time', () => {
    const template = '"<aws.events.rule-name> <aws.events.rule-arn> <aws.events.event.ingestion-time>"';
    expect(body(renderTargetInput(event, transform(template), context))).toBe(
      `"${context.ruleName} ${context.ruleArn} ${context.ingestionTime}"`,
    );
  });

  it('gives aws.events.event as the envelope without detail, in AWS order, with the ingestion time', () => {
    const out = JSON.parse(
      body(renderTargetInput(event, transform('{"e": <aws.events.event>}'), context)),
    ) as {
      e: JsonObject;
    };
    expect(Object.keys(out.e)).toEqual([
      'id',
      'account',
      'detailType',
      'time',
      'source',
      'region',
      'resources',
      'version',
    ]);
    expect(out.e).toEqual({
      id: event.id,
      account: event.account,
      detailType: 'Order Placed',
      time: context.ingestionTime,
      source: event.source,
      region: event.region,
      resources: event.resources,
      version: '0',
    });
  });

  it('gives aws.events.event.json as the full event', () => {
    const out = JSON.parse(
      body(renderTargetInput(event, transform('{"e": <aws.events.event.json>}'), context)),
    ) as {
      e: JsonValue;
    };
    expect(out.e).toEqual(event);
  });

  it('does not let InputPathsMap override a reserved variable', () => {
    const spec = transform('"<aws.events.rule-name>"', { 'aws.events.rule-name': '$.id' });
    expect(body(renderTargetInput(event, spec, context))).toBe(`"${context.ruleName}"`);
  });
});

describe('listPlaceholders', () => {
  it('lists each placeholder name once, in order of first use', () => {
    expect(listPlaceholders('{"a": <x>, "b": "<y> <x>", "c": <aws.events.rule-name>, "d": "1 < 2"}')).toEqual(
      ['x', 'y', 'aws.events.rule-name'],
    );
  });
});

describe('renderTargetInput robustness', () => {
  const fragment = fc.constantFrom(
    '{',
    '}',
    '[',
    ']',
    '"',
    '\\',
    ',',
    ':',
    ' ',
    '\n',
    '<v>',
    '<w>',
    '<',
    '>',
    'x',
    '1',
  );
  const template = fc.array(fragment, { maxLength: 30 }).map((parts) => parts.join(''));

  it('never throws for any JSON event and any template, and JSON templates yield valid JSON or INVALID_JSON', () => {
    fc.assert(
      fc.property(
        fc.jsonValue(),
        template,
        fc.constantFrom('$.detail', '$.detail.*', '$', '$.x[0]'),
        (value, text, path) => {
          const anyEvent: JsonObject = { ...event, detail: value as JsonValue };
          const result = renderTargetInput(anyEvent, transform(text, { v: path, w: '$.detail.x' }), context);
          const trimmed = text.trimStart();
          if (result.ok && (trimmed.startsWith('{') || trimmed.startsWith('['))) {
            expect(() => JSON.parse(result.body)).not.toThrow();
          }
        },
      ),
    );
  });
});
