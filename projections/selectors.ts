import type { KubeObject } from '../actors/kinds/types';
import { reject, Rejection } from '../actors/rejection';

/**
 * Kubernetes label and field selectors, as kube-apiserver 1.32 parses and applies them
 * (apimachinery pkg/labels/selector.go, pkg/fields/selector.go, and the per-kind field label
 * conversions of pkg/apis/core/v1/conversion.go). Error messages keep Kubernetes' wording because
 * kubectl prints them verbatim. Pure: no clock, no I/O.
 */

// ---------------------------------------------------------------------------------------------
// Label selectors: types
// ---------------------------------------------------------------------------------------------

export const LabelOperator = {
  In: 'in',
  NotIn: 'notin',
  Equals: '=',
  DoubleEquals: '==',
  NotEquals: '!=',
  Exists: 'exists',
  DoesNotExist: '!',
  GreaterThan: 'gt',
  LessThan: 'lt',
} as const;
export type LabelOperator = (typeof LabelOperator)[keyof typeof LabelOperator];

export type LabelRequirement = Readonly<{ key: string; operator: LabelOperator; values: readonly string[] }>;

/**
 * An AND of requirements, sorted by key. `matchesNothing` marks the selector of an absent (null)
 * metav1.LabelSelector, which selects no object; an empty one selects every object.
 */
export type LabelSelector = Readonly<{ requirements: readonly LabelRequirement[]; matchesNothing?: true }>;

/** metav1.LabelSelector as it appears in Deployment and ReplicaSet specs. */
export type MetaLabelSelector = Readonly<{
  matchLabels?: Readonly<Record<string, string>>;
  matchExpressions?: readonly Readonly<{ key: string; operator: string; values?: readonly string[] }>[];
}>;

const EVERYTHING: LabelSelector = { requirements: [] };
const NOTHING: LabelSelector = { requirements: [], matchesNothing: true };

// ---------------------------------------------------------------------------------------------
// Label key and value validation (apimachinery util/validation), with upstream wording
// ---------------------------------------------------------------------------------------------

const QUALIFIED_NAME_FMT = '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]';
const QUALIFIED_NAME_MSG =
  "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const LABEL_VALUE_FMT = `(${QUALIFIED_NAME_FMT})?`;
const LABEL_VALUE_MSG =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const DNS1123_LABEL_FMT = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const DNS1123_SUBDOMAIN_FMT = `${DNS1123_LABEL_FMT}(\\.${DNS1123_LABEL_FMT})*`;
const DNS1123_SUBDOMAIN_MSG =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character";

const QUALIFIED_NAME = new RegExp(`^${QUALIFIED_NAME_FMT}$`);
const LABEL_VALUE = new RegExp(`^${LABEL_VALUE_FMT}$`);
const DNS1123_SUBDOMAIN = new RegExp(`^${DNS1123_SUBDOMAIN_FMT}$`);

const NAME_MAX_BYTES = 63;
const SUBDOMAIN_MAX_BYTES = 253;
const utf8 = new TextEncoder();

// Go measures lengths in bytes.
const byteLength = (s: string): number => utf8.encode(s).length;
const maxLenError = (max: number): string => `must be no more than ${max} characters`;
const regexError = (msg: string, fmt: string, examples: readonly string[]): string =>
  `${msg} (e.g. ${examples.map((e) => `'${e}', `).join(' or ')}regex used for validation is '${fmt}')`;

function labelKeyProblems(key: string): string[] {
  const parts = key.split('/');
  if (parts.length > 2) {
    return [
      `a qualified name ${regexError(QUALIFIED_NAME_MSG, QUALIFIED_NAME_FMT, ['MyName', 'my.name', '123-abc'])}` +
        " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
    ];
  }
  const name = parts[parts.length - 1];
  const problems = parts.length === 2 ? keyPrefixProblems(parts[0]) : [];
  if (name === '') problems.push('name part must be non-empty');
  else if (byteLength(name) > NAME_MAX_BYTES) problems.push(`name part ${maxLenError(NAME_MAX_BYTES)}`);
  if (!QUALIFIED_NAME.test(name)) {
    problems.push(`name part ${regexError(QUALIFIED_NAME_MSG, QUALIFIED_NAME_FMT, ['MyName', 'my.name', '123-abc'])}`);
  }
  return problems;
}

function keyPrefixProblems(prefix: string): string[] {
  if (prefix === '') return ['prefix part must be non-empty'];
  const problems: string[] = [];
  if (byteLength(prefix) > SUBDOMAIN_MAX_BYTES) problems.push(maxLenError(SUBDOMAIN_MAX_BYTES));
  if (!DNS1123_SUBDOMAIN.test(prefix)) problems.push(regexError(DNS1123_SUBDOMAIN_MSG, DNS1123_SUBDOMAIN_FMT, ['example.com']));
  return problems.map((p) => `prefix part ${p}`);
}

function labelValueProblems(value: string): string[] {
  const problems: string[] = [];
  if (byteLength(value) > NAME_MAX_BYTES) problems.push(maxLenError(NAME_MAX_BYTES));
  if (!LABEL_VALUE.test(value)) problems.push(regexError(LABEL_VALUE_MSG, LABEL_VALUE_FMT, ['MyValue', 'my_value', '12345']));
  return problems;
}

// field.Invalid(...).Error(): strings print as Go's %q, []string as Go's %#v.
const goQuote = (s: string): string => JSON.stringify(s);
const goStringSlice = (values: readonly string[]): string =>
  values.length === 0 ? '[]string(nil)' : `[]string{${values.map(goQuote).join(', ')}}`;
const invalid = (path: string, shownValue: string, detail: string): string =>
  `${path}: Invalid value: ${shownValue}: ${detail}`;

/** utilerrors.Aggregate: one message as is, several de-duplicated inside brackets. */
function aggregate(messages: readonly string[]): string {
  const unique = [...new Set(messages)];
  return unique.length === 1 ? unique[0] : `[${unique.join(', ')}]`;
}

function keyInvalid(key: string, path: string): string[] {
  const problems = labelKeyProblems(key);
  return problems.length === 0 ? [] : [invalid(path, goQuote(key), problems.join('; '))];
}

// ---------------------------------------------------------------------------------------------
// Requirements (labels.NewRequirement)
// ---------------------------------------------------------------------------------------------

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** strconv.ParseInt(s, 10, 64), or undefined when Go would refuse it. */
function parseInt64(s: string): bigint | undefined {
  if (!/^[+-]?[0-9]+$/.test(s)) return undefined;
  const n = BigInt(s);
  return n < INT64_MIN || n > INT64_MAX ? undefined : n;
}

function operatorProblems(operator: LabelOperator, values: readonly string[]): string[] {
  switch (operator) {
    case LabelOperator.In:
    case LabelOperator.NotIn:
      return values.length === 0
        ? [invalid('values', goStringSlice(values), "for 'in', 'notin' operators, values set can't be empty")]
        : [];
    case LabelOperator.Exists:
    case LabelOperator.DoesNotExist:
      return values.length === 0
        ? []
        : [invalid('values', goStringSlice(values), 'values set must be empty for exists and does not exist')];
    case LabelOperator.GreaterThan:
    case LabelOperator.LessThan:
      return values.flatMap((v, i) =>
        parseInt64(v) === undefined ? [invalid(`values[${i}]`, goQuote(v), "for 'Gt', 'Lt' operators, the value must be an integer")] : [],
      );
    case LabelOperator.Equals:
    case LabelOperator.DoubleEquals:
    case LabelOperator.NotEquals:
      return []; // both callers hand these exactly one value
    default:
      return assertNever(operator);
  }
}

/** Validates like labels.NewRequirement (without a field path) and throws 400 with its aggregate. */
function newRequirement(key: string, operator: LabelOperator, values: readonly string[]): LabelRequirement {
  const problems = [
    ...keyInvalid(key, 'key'),
    ...operatorProblems(operator, values),
    ...values.flatMap((v, i) => {
      const p = labelValueProblems(v);
      return p.length === 0 ? [] : [invalid(`values[${i}][${key}]`, goQuote(v), p.join('; '))];
    }),
  ];
  if (problems.length > 0) throw reject.badRequest(aggregate(problems));
  return { key, operator, values };
}

// Array.prototype.sort is stable, so requirements sharing a key keep their input order.
const byKey = (reqs: LabelRequirement[]): LabelRequirement[] => reqs.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));

// ---------------------------------------------------------------------------------------------
// Label selector string syntax: lexer
// ---------------------------------------------------------------------------------------------

type TokenKind = 'end' | 'word' | 'in' | 'notin' | '(' | ')' | ',' | '!' | '=' | '==' | '!=' | '>' | '<';
type Token = Readonly<{ kind: TokenKind; text: string }>;

const SYMBOLS = new Set(['=', '!', '(', ')', ',', '>', '<']);
const BLANKS = new Set([' ', '\t', '\r', '\n']);

function lex(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  for (;;) {
    while (i < text.length && BLANKS.has(text[i])) i++;
    if (i >= text.length) {
      tokens.push({ kind: 'end', text: '' });
      return tokens;
    }
    const token = SYMBOLS.has(text[i]) ? symbolAt(text, i) : wordAt(text, i);
    tokens.push(token);
    i += token.text.length;
  }
}

// Longest match: "==" and "!=" are the only two-character operators.
function symbolAt(text: string, i: number): Token {
  const pair = text.slice(i, i + 2);
  const symbol = pair === '==' || pair === '!=' ? pair : text[i];
  return { kind: symbol as TokenKind, text: symbol };
}

function wordAt(text: string, i: number): Token {
  let end = i;
  while (end < text.length && !SYMBOLS.has(text[end]) && !BLANKS.has(text[end])) end++;
  const word = text.slice(i, end);
  return { kind: word === 'in' || word === 'notin' ? word : 'word', text: word };
}

// ---------------------------------------------------------------------------------------------
// Label selector string syntax: parser (same grammar and messages as labels.Parse)
// ---------------------------------------------------------------------------------------------

const syntax = (message: string): Rejection => reject.badRequest(message);

class Cursor {
  private position = 0;
  constructor(private readonly tokens: readonly Token[]) {}

  /** The next token where a key or value is expected: there `in` and `notin` are plain words (`x in (in)`). */
  peek(): Token {
    const token = this.current();
    return token.kind === 'in' || token.kind === 'notin' ? { kind: 'word', text: token.text } : token;
  }

  next(): Token {
    const token = this.peek();
    this.position++;
    return token;
  }

  /** The next token where an operator is expected, keywords kept. */
  nextOperator(): Token {
    const token = this.current();
    this.position++;
    return token;
  }

  // The final 'end' token repeats forever.
  private current(): Token {
    return this.tokens[Math.min(this.position, this.tokens.length - 1)];
  }
}

const startsRequirement = (t: Token): boolean => t.kind === 'word' || t.kind === '!';

function parseRequirements(cursor: Cursor): LabelRequirement[] {
  const requirements: LabelRequirement[] = [];
  for (;;) {
    const first = cursor.peek();
    if (first.kind === 'end') return requirements;
    if (!startsRequirement(first)) throw syntax(`found '${first.text}', expected: !, identifier, or 'end of string'`);
    requirements.push(parseRequirementOrExplain(cursor));
    const separator = cursor.next();
    if (separator.kind === 'end') return requirements;
    if (separator.kind !== ',') throw syntax(`found '${separator.text}', expected: ',' or 'end of string'`);
    const following = cursor.peek();
    if (!startsRequirement(following)) throw syntax(`found '${following.text}', expected: identifier after ','`);
  }
}

function parseRequirementOrExplain(cursor: Cursor): LabelRequirement {
  try {
    return parseRequirement(cursor);
  } catch (e) {
    if (e instanceof Rejection) throw syntax(`unable to parse requirement: ${e.message}`);
    throw e;
  }
}

function parseRequirement(cursor: Cursor): LabelRequirement {
  const { key, unary } = parseKey(cursor);
  if (unary !== undefined) return newRequirement(key, unary, []);
  const operator = parseOperator(cursor);
  const setBased = operator === LabelOperator.In || operator === LabelOperator.NotIn;
  return newRequirement(key, operator, setBased ? parseValueSet(cursor) : [parseExactValue(cursor)]);
}

/** The key, and the operator when it is unary: `!key`, or a bare `key` before ',' or the end. */
function parseKey(cursor: Cursor): { key: string; unary?: LabelOperator } {
  let token = cursor.next();
  const negated = token.kind === '!';
  if (negated) token = cursor.next();
  if (token.kind !== 'word') throw syntax(`found '${token.text}', expected: identifier`);
  // Upstream validates the bare key with a nil field path, hence "<nil>" in the message.
  const problems = keyInvalid(token.text, '<nil>');
  if (problems.length > 0) throw syntax(problems[0]);
  if (negated) return { key: token.text, unary: LabelOperator.DoesNotExist };
  const follow = cursor.peek().kind;
  return follow === 'end' || follow === ',' ? { key: token.text, unary: LabelOperator.Exists } : { key: token.text };
}

const OPERATOR_TOKENS: Partial<Record<TokenKind, LabelOperator>> = {
  in: LabelOperator.In,
  notin: LabelOperator.NotIn,
  '=': LabelOperator.Equals,
  '==': LabelOperator.DoubleEquals,
  '!=': LabelOperator.NotEquals,
  '>': LabelOperator.GreaterThan,
  '<': LabelOperator.LessThan,
};

function parseOperator(cursor: Cursor): LabelOperator {
  const token = cursor.nextOperator();
  const operator = OPERATOR_TOKENS[token.kind];
  if (operator === undefined) throw syntax(`found '${token.text}', expected: in, notin, =, ==, !=, gt, lt`);
  return operator;
}

/** `(a,b)`; an empty slot such as `()`, `(a,)` or `(,a)` stands for the empty value. Sorted, unique. */
function parseValueSet(cursor: Cursor): string[] {
  const open = cursor.next();
  if (open.kind !== '(') throw syntax(`found '${open.text}' expected: '('`);
  const first = cursor.peek();
  if (first.kind === ')') {
    cursor.next();
    return [''];
  }
  if (first.kind !== 'word' && first.kind !== ',') throw syntax(`found '${first.text}', expected: ',', ')' or identifier`);
  const values = parseValueList(cursor);
  cursor.next(); // the ')' the list stopped at
  return [...values].sort();
}

function parseValueList(cursor: Cursor): Set<string> {
  const values = new Set<string>();
  for (;;) {
    const token = cursor.next();
    if (token.kind === 'word') {
      values.add(token.text);
      const after = cursor.peek();
      if (after.kind === ')') return values;
      if (after.kind !== ',') throw syntax(`found '${after.text}', expected: ',' or ')'`);
    } else if (token.kind === ',') {
      if (values.size === 0) values.add('');
      const after = cursor.peek();
      if (after.kind === ')' || after.kind === ',') values.add('');
      if (after.kind === ')') return values;
    } else {
      throw syntax(`found '${token.text}', expected: ',', or identifier`);
    }
  }
}

/** The value after `=`, `==`, `!=`, `>`, `<`; nothing (`k=`) means the empty value. */
function parseExactValue(cursor: Cursor): string {
  const ahead = cursor.peek().kind;
  if (ahead === 'end' || ahead === ',') return '';
  const token = cursor.next();
  if (token.kind !== 'word') throw syntax(`found '${token.text}', expected: identifier`);
  return token.text;
}

// ---------------------------------------------------------------------------------------------
// Label selectors: public API
// ---------------------------------------------------------------------------------------------

/** `?labelSelector=`: `k=v`, `k==v`, `k!=v`, `k in (a,b)`, `k notin (a)`, `k`, `!k`, `k>1`, `k<1`; comma is AND. */
export function parseLabelSelector(text: string): LabelSelector {
  return { requirements: byKey(parseRequirements(new Cursor(lex(text)))) };
}

const META_OPERATORS: Readonly<Record<string, LabelOperator>> = {
  In: LabelOperator.In,
  NotIn: LabelOperator.NotIn,
  Exists: LabelOperator.Exists,
  DoesNotExist: LabelOperator.DoesNotExist,
};

/** metav1.LabelSelectorAsSelector: absent selects nothing, empty selects everything. Throws 400 when invalid. */
export function labelSelectorFromObject(sel: MetaLabelSelector | null | undefined): LabelSelector {
  if (sel === null || sel === undefined) return NOTHING;
  const labels = Object.entries(sel.matchLabels ?? {});
  const expressions = sel.matchExpressions ?? [];
  if (labels.length + expressions.length === 0) return EVERYTHING;
  return {
    requirements: byKey([
      ...labels.map(([key, value]) => newRequirement(key, LabelOperator.Equals, [value])),
      ...expressions.map((e) => newRequirement(e.key, metaOperator(e.operator), [...(e.values ?? [])])),
    ]),
  };
}

function metaOperator(operator: string): LabelOperator {
  const known = Object.hasOwn(META_OPERATORS, operator) ? META_OPERATORS[operator] : undefined;
  if (known === undefined) throw reject.badRequest(`${goQuote(operator)} is not a valid label selector operator`);
  return known;
}

/** Selector.String(): e.g. "app=web,tier in (a,b)"; "" for an empty or a nothing selector. */
export function formatLabelSelector(sel: LabelSelector): string {
  return sel.requirements.map(formatRequirement).join(',');
}

function formatRequirement(r: LabelRequirement): string {
  // Several values print sorted, whatever order they were given in.
  const values = r.values.length === 1 ? r.values[0] : [...r.values].sort().join(',');
  switch (r.operator) {
    case LabelOperator.Exists:
      return r.key;
    case LabelOperator.DoesNotExist:
      return `!${r.key}`;
    case LabelOperator.In:
    case LabelOperator.NotIn:
      return `${r.key} ${r.operator} (${values})`;
    case LabelOperator.GreaterThan:
      return `${r.key}>${values}`;
    case LabelOperator.LessThan:
      return `${r.key}<${values}`;
    case LabelOperator.Equals:
    case LabelOperator.DoubleEquals:
    case LabelOperator.NotEquals:
      return `${r.key}${r.operator}${values}`;
    default:
      return assertNever(r.operator);
  }
}

export function matchesLabels(sel: LabelSelector, labels: Readonly<Record<string, string>> | undefined): boolean {
  if (sel.matchesNothing) return false;
  const set = labels ?? {};
  return sel.requirements.every((r) => requirementMatches(r, set));
}

function requirementMatches(r: LabelRequirement, labels: Readonly<Record<string, string>>): boolean {
  const present = Object.hasOwn(labels, r.key);
  const value = labels[r.key];
  switch (r.operator) {
    case LabelOperator.In:
    case LabelOperator.Equals:
    case LabelOperator.DoubleEquals:
      return present && r.values.includes(value);
    case LabelOperator.NotIn:
    case LabelOperator.NotEquals:
      return !present || !r.values.includes(value);
    case LabelOperator.Exists:
      return present;
    case LabelOperator.DoesNotExist:
      return !present;
    case LabelOperator.GreaterThan:
    case LabelOperator.LessThan:
      return present && integerComparisonHolds(r.operator, value, r.values);
    default:
      return assertNever(r.operator);
  }
}

function integerComparisonHolds(operator: 'gt' | 'lt', labelValue: string, values: readonly string[]): boolean {
  const actual = parseInt64(labelValue);
  const bound = values.length === 1 ? parseInt64(values[0]) : undefined;
  if (actual === undefined || bound === undefined) return false;
  return operator === LabelOperator.GreaterThan ? actual > bound : actual < bound;
}

/** True when the selector does not restrict anything (a nothing selector is not empty). */
export function isEmptySelector(sel: LabelSelector): boolean {
  return !sel.matchesNothing && sel.requirements.length === 0;
}

/**
 * The `key=value` pairs every match must carry (`=`, `==`, and `in` with one value), for a label
 * index to pre-filter candidates before `matchesLabels` checks the rest.
 */
export function equalityRequirements(sel: LabelSelector): readonly (readonly [key: string, value: string])[] {
  return sel.requirements
    .filter(
      (r) =>
        r.operator === LabelOperator.Equals ||
        r.operator === LabelOperator.DoubleEquals ||
        (r.operator === LabelOperator.In && r.values.length === 1),
    )
    .map((r) => [r.key, r.values[0]] as const);
}

// ---------------------------------------------------------------------------------------------
// Field selectors
// ---------------------------------------------------------------------------------------------

/** `==` is stored as `=`, as upstream does. */
export type FieldRequirement = Readonly<{ field: string; operator: '=' | '!='; value: string }>;
export type FieldSelector = Readonly<{ requirements: readonly FieldRequirement[] }>;

type FieldValue = (obj: KubeObject) => string;

function valueAt(obj: unknown, path: readonly string[]): unknown {
  let current = obj;
  for (const step of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[step];
  }
  return current;
}

const text =
  (...path: string[]): FieldValue =>
  (obj) => {
    const v = valueAt(obj, path);
    return typeof v === 'string' ? v : '';
  };
// Booleans select as "true"/"false"; absent is false.
const flag =
  (...path: string[]): FieldValue =>
  (obj) =>
    String(valueAt(obj, path) === true);

const NAME_FIELD: Readonly<Record<string, FieldValue>> = { 'metadata.name': (o) => o.metadata.name ?? '' };
const NAMESPACE_FIELD: Readonly<Record<string, FieldValue>> = { 'metadata.namespace': (o) => o.metadata.namespace ?? '' };
/** Kinds without their own conversion get runtime.DefaultMetaV1FieldSelectorConversion. */
const DEFAULT_FIELDS: Readonly<Record<string, FieldValue>> = { ...NAME_FIELD, ...NAMESPACE_FIELD };

// status.podIP wins over podIPs[0] when both are set, as the v1 → internal conversion decides.
const podIP: FieldValue = (pod) => text('status', 'podIP')(pod) || text('status', 'podIPs', '0', 'ip')(pod);
// The event's source is its legacy component, else the reporting controller.
const eventSource: FieldValue = (ev) => text('source', 'component')(ev) || text('reportingComponent')(ev);

/**
 * Kinds with a registered field label conversion: the labels accepted and how each reads the
 * object. Namespace and Node accept no metadata.namespace, exactly as kube-apiserver.
 */
const KIND_FIELDS: Readonly<Record<string, Readonly<Record<string, FieldValue>>>> = {
  Pod: {
    ...DEFAULT_FIELDS,
    'spec.nodeName': text('spec', 'nodeName'),
    'spec.restartPolicy': text('spec', 'restartPolicy'),
    'spec.schedulerName': text('spec', 'schedulerName'),
    'spec.serviceAccountName': text('spec', 'serviceAccountName'),
    'spec.hostNetwork': flag('spec', 'hostNetwork'),
    'status.phase': text('status', 'phase'),
    'status.podIP': podIP,
    // Accepted by the conversion but never indexed upstream, so it only ever equals "".
    'status.podIPs': () => '',
    'status.nominatedNodeName': text('status', 'nominatedNodeName'),
  },
  Event: {
    ...DEFAULT_FIELDS,
    'involvedObject.kind': text('involvedObject', 'kind'),
    'involvedObject.namespace': text('involvedObject', 'namespace'),
    'involvedObject.name': text('involvedObject', 'name'),
    'involvedObject.uid': text('involvedObject', 'uid'),
    'involvedObject.apiVersion': text('involvedObject', 'apiVersion'),
    'involvedObject.resourceVersion': text('involvedObject', 'resourceVersion'),
    'involvedObject.fieldPath': text('involvedObject', 'fieldPath'),
    reason: text('reason'),
    reportingComponent: text('reportingComponent'),
    source: eventSource,
    type: text('type'),
  },
  Secret: { ...DEFAULT_FIELDS, type: text('type') },
  Namespace: { ...NAME_FIELD, 'status.phase': text('status', 'phase') },
  Node: { ...NAME_FIELD, 'spec.unschedulable': flag('spec', 'unschedulable') },
  Service: { ...DEFAULT_FIELDS, 'spec.clusterIP': text('spec', 'clusterIP'), 'spec.type': text('spec', 'type') },
};

/** Old v1 clients send spec.host; the Pod conversion renames it. */
const FIELD_ALIASES: Readonly<Record<string, Readonly<Record<string, string>>>> = { Pod: { 'spec.host': 'spec.nodeName' } };

function fieldsOf(kind: string): Readonly<Record<string, FieldValue>> {
  return Object.hasOwn(KIND_FIELDS, kind) ? KIND_FIELDS[kind] : DEFAULT_FIELDS;
}

/** scheme.ConvertFieldLabel: the canonical label, or 400 with the conversion's own message. */
function convertFieldLabel(kind: string, label: string): string {
  if (!Object.hasOwn(KIND_FIELDS, kind)) {
    if (Object.hasOwn(DEFAULT_FIELDS, label)) return label;
    throw reject.badRequest(`${goQuote(label)} is not a known field selector: only "metadata.name", "metadata.namespace"`);
  }
  const aliases = FIELD_ALIASES[kind] ?? {};
  const canonical = Object.hasOwn(aliases, label) ? aliases[label] : label;
  if (Object.hasOwn(KIND_FIELDS[kind], canonical)) return canonical;
  throw reject.badRequest(`field label not supported: ${label}`);
}

/** Splits on commas not escaped by a backslash; escapes stay in the terms. */
function splitTerms(selector: string): string[] {
  if (selector === '') return [];
  const terms: string[] = [];
  let start = 0;
  let escaped = false;
  for (let i = 0; i < selector.length; i++) {
    if (escaped) escaped = false;
    else if (selector[i] === '\\') escaped = true;
    else if (selector[i] === ',') {
      terms.push(selector.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(selector.slice(start));
  return terms;
}

// At each position "!=" is tried before "==" before "=", so `a==b` is not read as `a` = `=b`.
const TERM_OPERATORS = ['!=', '==', '='] as const;

function parseTerm(selector: string, term: string): FieldRequirement {
  for (let i = 0; i < term.length; i++) {
    const op = TERM_OPERATORS.find((candidate) => term.startsWith(candidate, i));
    if (op !== undefined) {
      return { field: term.slice(0, i), operator: op === '!=' ? '!=' : '=', value: unescapeValue(term.slice(i + op.length)) };
    }
  }
  throw reject.badRequest(`invalid selector: '${selector}'; can't understand '${term}'`);
}

/** fields.UnescapeValue: `\\`, `\,` and `\=` are the only escapes; bare `,` and `=` are refused. */
function unescapeValue(raw: string): string {
  let out = '';
  let escaped = false;
  for (const c of raw) {
    if (escaped) {
      if (c !== '\\' && c !== ',' && c !== '=') throw reject.badRequest(`invalid field selector: invalid escape sequence: \\${c}`);
      out += c;
      escaped = false;
    } else if (c === '\\') {
      escaped = true;
    } else if (c === ',' || c === '=') {
      // Go prints the rune with %v, i.e. as its code point.
      throw reject.badRequest(`invalid field selector: unescaped character in value: ${c.codePointAt(0)}`);
    } else {
      out += c;
    }
  }
  if (escaped) throw reject.badRequest('invalid field selector: invalid escape sequence: \\');
  return out;
}

/**
 * `?fieldSelector=` for `kind`: `f=v`, `f==v`, `f!=v`, comma is AND. Every term is parsed before
 * any label is checked against the kind, so syntax errors win, as upstream.
 */
export function parseFieldSelector(selector: string, kind: string): FieldSelector {
  const terms = splitTerms(selector)
    .sort()
    .filter((t) => t !== '')
    .map((t) => parseTerm(selector, t));
  return { requirements: terms.map((r) => ({ ...r, field: convertFieldLabel(kind, r.field) })) };
}

export function matchesFields(sel: FieldSelector, obj: KubeObject): boolean {
  const fields = fieldsOf(obj.kind);
  return sel.requirements.every((r) => {
    // A field the kind does not expose reads as "", as fields.Set.Get does.
    const actual = Object.hasOwn(fields, r.field) ? fields[r.field](obj) : '';
    return (actual === r.value) === (r.operator === '=');
  });
}

/** The value `field` must equal (from a `field=value` term), so a store can do a point lookup. */
export function exactFieldValue(sel: FieldSelector, field: string): string | undefined {
  return sel.requirements.find((r) => r.field === field && r.operator === '=')?.value;
}

function assertNever(x: never): never {
  throw new Error(`unexpected value ${String(x)}`);
}
