/**
 * The shapes of the query protocol: how a flat form (`Attribute.1.Name=VisibilityTimeout&...`) becomes
 * the JSON input of an operation, and how its JSON output becomes XML. One description per operation
 * (sqs-query-shapes.ts) drives both directions, the way the service model drives an SDK's serializer.
 *
 * The rules are those of the awsQuery protocol as botocore and the AWS SDKs implement it for SQS, whose
 * lists and maps are all "flattened": a list member named `AttributeName` is sent as `AttributeName.1`,
 * `AttributeName.2`, ...; a map named `Attribute` as `Attribute.1.Name` / `Attribute.1.Value`; a structure
 * member as `<Parent>.<Member>`. In the XML answer the same names are repeated elements:
 * `<Attribute><Name>..</Name><Value>..</Value></Attribute>` once per entry.
 */
import { SqsError } from '../../queues/types.js';
import { element, textElement } from './xml.js';

export type QueryShape =
  | { kind: 'string' }
  | { kind: 'integer' }
  | { kind: 'boolean' }
  /** A flattened list: items at `<name>.1`, `<name>.2`, ... (repeated `<name>` elements in XML). */
  | { kind: 'list'; member: QueryShape }
  /** A flattened map: entries at `<name>.N.<keyName>` and `<name>.N.<valueName>`. */
  | { kind: 'map'; keyName: string; valueName: string; value: QueryShape }
  | { kind: 'structure'; members: Readonly<Record<string, QueryMember>> };

export interface QueryMember {
  shape: QueryShape;
  /** The parameter and element name, when it is not the JSON member's (`Attributes` is `Attribute`). */
  name?: string;
}

export type StructureShape = Extract<QueryShape, { kind: 'structure' }>;

/**
 * The form parameters as a tree on their dot-separated names, built once per request: decoding then
 * visits each parameter once, whatever the nesting. (Looking up prefixes in the flat list instead costs
 * a scan of every parameter per list and map, which a 4 MiB form with 100,000 batch entries turns into
 * billions of comparisons.)
 */
export interface ParamNode {
  value?: string;
  children: Map<string, ParamNode>;
}

export function paramTree(params: Iterable<readonly [string, string]>): ParamNode {
  const root: ParamNode = { children: new Map() };
  for (const [key, value] of params) {
    let node = root;
    for (const segment of key.split('.')) {
      let child = node.children.get(segment);
      if (child === undefined) {
        child = { children: new Map() };
        node.children.set(segment, child);
      }
      node = child;
    }
    // The first occurrence of a repeated parameter wins, as in the URL query of most AWS front ends.
    if (node.value === undefined) node.value = value;
  }
  return root;
}

/** The operation input for the parameters under `node`, in the JSON shape the handlers take. */
export function decodeStructure(node: ParamNode, shape: StructureShape, path = ''): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const [memberName, member] of Object.entries(shape.members)) {
    const name = member.name ?? memberName;
    const child = node.children.get(name);
    if (child === undefined) continue;
    const value = decode(child, member.shape, path === '' ? name : `${path}.${name}`);
    if (value !== undefined) result[memberName] = value;
  }
  return result;
}

function decode(node: ParamNode, shape: QueryShape, path: string): unknown {
  switch (shape.kind) {
    case 'string':
      return node.value;
    case 'integer':
      return node.value === undefined ? undefined : parseInteger(node.value, path);
    case 'boolean':
      return node.value === undefined ? undefined : parseBoolean(node.value, path);
    case 'list':
      return indexed(node).map(([index, item]) => decode(item, shape.member, `${path}.${index}`));
    case 'map': {
      const map: Record<string, unknown> = {};
      for (const [index, entry] of indexed(node)) {
        const entryPath = `${path}.${index}`;
        const key = entry.children.get(shape.keyName)?.value;
        if (key === undefined) missing(`${entryPath}.${shape.keyName}`);
        const valueNode = entry.children.get(shape.valueName) ?? { children: new Map() };
        const value = decode(valueNode, shape.value, `${entryPath}.${shape.valueName}`);
        // An entry named without a value (`Attribute.1.Value=` left out) sets the empty string.
        map[key] = value ?? (shape.value.kind === 'structure' ? {} : '');
      }
      return map;
    }
    case 'structure':
      return decodeStructure(node, shape, path);
  }
}

/** The children numbered 1, 2, ... in numeric order (the protocol's list indices). */
function indexed(node: ParamNode): Array<[number, ParamNode]> {
  const items: Array<[number, ParamNode]> = [];
  for (const [segment, child] of node.children) {
    if (/^[1-9]\d{0,8}$/.test(segment)) items.push([Number(segment), child]);
  }
  return items.sort((a, b) => a[0] - b[0]);
}

function parseInteger(text: string, path: string): number {
  const trimmed = text.trim();
  const value = Number(trimmed);
  if (!/^[-+]?\d+$/.test(trimmed) || !Number.isSafeInteger(value)) {
    throw new SqsError(
      'InvalidParameterValue',
      `Value ${text} for parameter ${path} is invalid. Reason: Must be an integer.`,
    );
  }
  return value;
}

function parseBoolean(text: string, path: string): boolean {
  const lower = text.trim().toLowerCase();
  if (lower === 'true') return true;
  if (lower === 'false') return false;
  throw new SqsError(
    'InvalidParameterValue',
    `Value ${text} for parameter ${path} is invalid. Reason: Must be true or false.`,
  );
}

function missing(path: string): never {
  throw new SqsError('MissingParameter', `The request must contain the parameter ${path}.`);
}

/** The XML of an output structure's members, in the order of `shape` (absent members left out). */
export function renderStructure(value: Record<string, unknown>, shape: StructureShape): string {
  let xml = '';
  for (const [memberName, member] of Object.entries(shape.members)) {
    xml += renderMember(member.name ?? memberName, value[memberName], member.shape);
  }
  return xml;
}

function renderMember(name: string, value: unknown, shape: QueryShape): string {
  if (value === undefined || value === null) return '';
  switch (shape.kind) {
    case 'string':
    case 'integer':
    case 'boolean':
      return textElement(name, String(value));
    case 'list':
      return Array.isArray(value) ? value.map((item) => renderMember(name, item, shape.member)).join('') : '';
    case 'map':
      return typeof value === 'object'
        ? Object.entries(value as Record<string, unknown>)
            .map(([key, item]) =>
              element(
                name,
                textElement(shape.keyName, key) + renderMember(shape.valueName, item, shape.value),
              ),
            )
            .join('')
        : '';
    case 'structure':
      return typeof value === 'object'
        ? element(name, renderStructure(value as Record<string, unknown>, shape))
        : '';
  }
}
