import type { KubeObject, ObjectMeta } from '../../actors/kinds/types';
import { Rejection } from '../../actors/rejection';
import {
  equalityRequirements,
  exactFieldValue,
  formatLabelSelector,
  isEmptySelector,
  labelSelectorFromObject,
  matchesFields,
  matchesLabels,
  parseFieldSelector,
  parseLabelSelector,
} from '../../projections/selectors';

/** The 400 a call is rejected with; fails the test when it is not a BadRequest Rejection. */
function badRequestOf(run: () => unknown): string {
  try {
    run();
  } catch (e) {
    expect(e).toBeInstanceOf(Rejection);
    const { status } = e as Rejection;
    expect(status).toMatchObject({ kind: 'Status', status: 'Failure', reason: 'BadRequest', code: 400 });
    return status.message;
  }
  throw new Error('expected a BadRequest rejection');
}

const NAME_PART_RULE =
  "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character " +
  "(e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const LABEL_VALUE_RULE =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character " +
  "(e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";

const WEB = { app: 'web', tier: 'frontend', env: '' };

describe('label selector: when parsed from ?labelSelector=', () => {
  it('reads every operator into requirements sorted by key', () => {
    const sel = parseLabelSelector('tier notin (db),app=web,!legacy,env,zone in (b,a),track==stable,rel!=canary');
    expect(sel.requirements).toEqual([
      { key: 'app', operator: '=', values: ['web'] },
      { key: 'env', operator: 'exists', values: [] },
      { key: 'legacy', operator: '!', values: [] },
      { key: 'rel', operator: '!=', values: ['canary'] },
      { key: 'tier', operator: 'notin', values: ['db'] },
      { key: 'track', operator: '==', values: ['stable'] },
      { key: 'zone', operator: 'in', values: ['a', 'b'] },
    ]);
  });

  it('tolerates blanks around keys, operators, values and commas', () => {
    const sel = parseLabelSelector('  app = web ,\ttier in ( frontend , db ) , ! legacy ');
    expect(formatLabelSelector(sel)).toBe('app=web,!legacy,tier in (db,frontend)');
  });

  it('formats canonically: sorted keys, sorted unique set values, `==` kept', () => {
    expect(formatLabelSelector(parseLabelSelector('tier in (b,a,b),app==web,x>3,y<10'))).toBe('app==web,tier in (a,b),x>3,y<10');
  });

  it('reads empty slots and bare operators as the empty value', () => {
    expect(parseLabelSelector('x in ()').requirements[0].values).toEqual(['']);
    expect(parseLabelSelector('x in (a,)').requirements[0].values).toEqual(['', 'a']);
    expect(parseLabelSelector('x in (,a)').requirements[0].values).toEqual(['', 'a']);
    expect(parseLabelSelector('x=').requirements[0]).toEqual({ key: 'x', operator: '=', values: [''] });
    expect(parseLabelSelector('x!=,y').requirements[0]).toEqual({ key: 'x', operator: '!=', values: [''] });
  });

  it('treats `in` and `notin` as plain words where a value is expected', () => {
    expect(parseLabelSelector('x in (in,notin)').requirements[0].values).toEqual(['in', 'notin']);
    expect(parseLabelSelector('x = notin').requirements[0].values).toEqual(['notin']);
  });

  it('is empty for an empty or blank string, and then matches everything', () => {
    for (const text of ['', '   ']) {
      const sel = parseLabelSelector(text);
      expect(isEmptySelector(sel)).toBe(true);
      expect(matchesLabels(sel, undefined)).toBe(true);
      expect(formatLabelSelector(sel)).toBe('');
    }
  });
});

describe('label selector: when matching labels', () => {
  const cases: [string, Record<string, string> | undefined, boolean][] = [
    ['app=web', WEB, true],
    ['app==web', WEB, true],
    ['app=db', WEB, false],
    ['app=web', undefined, false],
    ['app!=db', WEB, true],
    ['app!=web', WEB, false],
    ['missing!=x', WEB, true],
    ['tier in (frontend,db)', WEB, true],
    ['tier in (db)', WEB, false],
    ['missing in (x)', WEB, false],
    ['tier notin (db)', WEB, true],
    ['tier notin (frontend)', WEB, false],
    ['missing notin (x)', WEB, true],
    ['env', WEB, true],
    ['missing', WEB, false],
    ['!missing', WEB, true],
    ['!env', WEB, false],
    ['env=', WEB, true],
    ['app=web,tier=frontend', WEB, true],
    ['app=web,tier=db', WEB, false],
    ['replicas>3', { replicas: '4' }, true],
    ['replicas>3', { replicas: '3' }, false],
    ['replicas<3', { replicas: '-1' }, true],
    ['replicas>3', { replicas: 'many' }, false],
    ['replicas>3', {}, false],
  ];
  it.each(cases)('%s against %j → %s', (text, labels, expected) => {
    expect(matchesLabels(parseLabelSelector(text), labels)).toBe(expected);
  });
});

describe('label selector: when the string is not valid', () => {
  const cases: [string, string][] = [
    ['app:web', `unable to parse requirement: <nil>: Invalid value: "app:web": name part ${NAME_PART_RULE}`],
    [
      'a/b/c ?=? def',
      `unable to parse requirement: <nil>: Invalid value: "a/b/c": a qualified name ${NAME_PART_RULE} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`,
    ],
    [
      'app.kubernetes_io/name=vault',
      'unable to parse requirement: <nil>: Invalid value: "app.kubernetes_io/name": prefix part a lowercase RFC 1123 subdomain must consist of lower ' +
        "case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for " +
        "validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
    ],
    [`${'k'.repeat(64)}=v`, `unable to parse requirement: <nil>: Invalid value: "${'k'.repeat(64)}": name part must be no more than 63 characters`],
    ['/app=web', `unable to parse requirement: <nil>: Invalid value: "/app": prefix part must be non-empty`],
    ['app=-web', `unable to parse requirement: values[0][app]: Invalid value: "-web": ${LABEL_VALUE_RULE}`],
    ['a b', "unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt"],
    ['x in a', "unable to parse requirement: found 'a' expected: '('"],
    ['x in (a b)', "unable to parse requirement: found 'b', expected: ',' or ')'"],
    ['x in (=)', "unable to parse requirement: found '=', expected: ',', ')' or identifier"],
    ['x in (a,=)', "unable to parse requirement: found '=', expected: ',', or identifier"],
    ['x=(', "unable to parse requirement: found '(', expected: identifier"],
    ['!', "unable to parse requirement: found '', expected: identifier"],
    ['r>x', 'unable to parse requirement: values[0]: Invalid value: "x": for \'Gt\', \'Lt\' operators, the value must be an integer'],
    [',', "found ',', expected: !, identifier, or 'end of string'"],
    ['a,', "found '', expected: identifier after ','"],
    ['a=b c', "found 'c', expected: ',' or 'end of string'"],
    ['!a=b', "found '=', expected: ',' or 'end of string'"],
  ];
  it.each(cases)('%s → 400 %s', (text, message) => {
    expect(badRequestOf(() => parseLabelSelector(text))).toBe(message);
  });
});

describe('label selector: when built from a metav1.LabelSelector', () => {
  it('joins matchLabels and every expression operator, canonically formatted', () => {
    const sel = labelSelectorFromObject({
      matchLabels: { app: 'web', 'pod-template-hash': '5d9c7b' },
      matchExpressions: [
        { key: 'tier', operator: 'In', values: ['frontend', 'edge'] },
        { key: 'zone', operator: 'NotIn', values: ['z9'] },
        { key: 'env', operator: 'Exists' },
        { key: 'legacy', operator: 'DoesNotExist' },
      ],
    });
    expect(formatLabelSelector(sel)).toBe('app=web,env,!legacy,pod-template-hash=5d9c7b,tier in (edge,frontend),zone notin (z9)');
    expect(matchesLabels(sel, { app: 'web', 'pod-template-hash': '5d9c7b', tier: 'edge', env: 'prod' })).toBe(true);
    expect(matchesLabels(sel, { app: 'web', 'pod-template-hash': '5d9c7b', tier: 'edge', env: 'prod', legacy: 'y' })).toBe(false);
  });

  it('selects everything when empty and nothing when absent', () => {
    const everything = labelSelectorFromObject({});
    expect(isEmptySelector(everything)).toBe(true);
    expect(matchesLabels(everything, WEB)).toBe(true);
    for (const absent of [undefined, null]) {
      const nothing = labelSelectorFromObject(absent);
      expect(isEmptySelector(nothing)).toBe(false);
      expect(matchesLabels(nothing, WEB)).toBe(false);
      expect(matchesLabels(nothing, {})).toBe(false);
      expect(formatLabelSelector(nothing)).toBe('');
      expect(equalityRequirements(nothing)).toEqual([]);
    }
  });

  it('rejects what LabelSelectorAsSelector rejects, in its words', () => {
    expect(badRequestOf(() => labelSelectorFromObject({ matchExpressions: [{ key: 'a', operator: 'Equals', values: ['b'] }] }))).toBe(
      '"Equals" is not a valid label selector operator',
    );
    expect(badRequestOf(() => labelSelectorFromObject({ matchExpressions: [{ key: 'a', operator: 'In', values: [] }] }))).toBe(
      "values: Invalid value: []string(nil): for 'in', 'notin' operators, values set can't be empty",
    );
    expect(badRequestOf(() => labelSelectorFromObject({ matchExpressions: [{ key: 'a', operator: 'Exists', values: ['x', 'y'] }] }))).toBe(
      'values: Invalid value: []string{"x", "y"}: values set must be empty for exists and does not exist',
    );
    expect(badRequestOf(() => labelSelectorFromObject({ matchLabels: { 'bad key': 'v' } }))).toBe(
      `key: Invalid value: "bad key": name part ${NAME_PART_RULE}`,
    );
    expect(badRequestOf(() => labelSelectorFromObject({ matchExpressions: [{ key: '-k', operator: 'NotIn' }] }))).toBe(
      `[key: Invalid value: "-k": name part ${NAME_PART_RULE}, values: Invalid value: []string(nil): for 'in', 'notin' operators, values set can't be empty]`,
    );
  });
});

describe('label selector: equality requirements for a label index', () => {
  it('lists =, == and single-value in, in key order, and nothing else', () => {
    const sel = parseLabelSelector('zone in (a),x in (a,b),y!=z,w,tier==fe,app=web,!gone,r>1');
    expect(equalityRequirements(sel)).toEqual([
      ['app', 'web'],
      ['tier', 'fe'],
      ['zone', 'a'],
    ]);
  });
});

// ---------------------------------------------------------------------------------------------

const obj = (kind: string, rest: { metadata: ObjectMeta; [field: string]: unknown }): KubeObject => ({ apiVersion: 'v1', kind, ...rest });

const pod = obj('Pod', {
  metadata: { name: 'web-1', namespace: 'default' },
  spec: { nodeName: 'node-1', restartPolicy: 'Always', schedulerName: 'default-scheduler', serviceAccountName: 'default' },
  status: { phase: 'Running', podIP: '10.1.0.5', podIPs: [{ ip: '10.1.0.5' }], nominatedNodeName: '' },
});

const event = obj('Event', {
  metadata: { name: 'web-1.17a', namespace: 'default' },
  involvedObject: { kind: 'Pod', namespace: 'default', name: 'web-1', uid: 'u-1', apiVersion: 'v1', resourceVersion: '42', fieldPath: 'spec.containers{app}' },
  reason: 'Started',
  type: 'Normal',
  source: { component: 'kubelet', host: 'node-1' },
  reportingComponent: 'kubelet',
});

describe('field selector: when parsed for a kind', () => {
  it('exposes name and namespace equalities for point lookups; != is not one', () => {
    const sel = parseFieldSelector('metadata.namespace==default,metadata.name=web', 'ConfigMap');
    expect(sel.requirements).toEqual([
      { field: 'metadata.name', operator: '=', value: 'web' },
      { field: 'metadata.namespace', operator: '=', value: 'default' },
    ]);
    expect(exactFieldValue(sel, 'metadata.name')).toBe('web');
    expect(exactFieldValue(sel, 'metadata.namespace')).toBe('default');
    expect(exactFieldValue(parseFieldSelector('metadata.name!=web', 'ConfigMap'), 'metadata.name')).toBeUndefined();
  });

  it('matches every Pod field kube-apiserver indexes', () => {
    const yes = [
      'metadata.name=web-1,metadata.namespace=default',
      'spec.nodeName=node-1',
      'spec.host=node-1',
      'spec.restartPolicy=Always',
      'spec.schedulerName=default-scheduler',
      'spec.serviceAccountName=default',
      'spec.hostNetwork=false',
      'status.phase=Running',
      'status.phase!=Pending',
      'status.podIP=10.1.0.5',
      'status.podIPs=',
      'status.nominatedNodeName=',
    ];
    for (const text of yes) expect([text, matchesFields(parseFieldSelector(text, 'Pod'), pod)]).toEqual([text, true]);
    expect(matchesFields(parseFieldSelector('spec.nodeName=node-2', 'Pod'), pod)).toBe(false);
    expect(matchesFields(parseFieldSelector('spec.hostNetwork=true', 'Pod'), { ...pod, spec: { hostNetwork: true } })).toBe(true);
  });

  it('renames the legacy spec.host to spec.nodeName', () => {
    expect(parseFieldSelector('spec.host=node-1', 'Pod').requirements).toEqual([{ field: 'spec.nodeName', operator: '=', value: 'node-1' }]);
  });

  it('matches Event fields, with source falling back to the reporting controller', () => {
    const yes = [
      'involvedObject.kind=Pod,involvedObject.name=web-1,involvedObject.namespace=default',
      'involvedObject.uid=u-1,involvedObject.apiVersion=v1,involvedObject.resourceVersion=42',
      'involvedObject.fieldPath=spec.containers{app}',
      'reason=Started,type=Normal,source=kubelet,reportingComponent=kubelet',
    ];
    for (const text of yes) expect([text, matchesFields(parseFieldSelector(text, 'Event'), event)]).toEqual([text, true]);
    const modern = { ...event, source: {}, reportingComponent: 'scheduler' };
    expect(matchesFields(parseFieldSelector('source=scheduler', 'Event'), modern)).toBe(true);
  });

  it('matches Secret, Namespace, Node and Service fields', () => {
    const secret = obj('Secret', { metadata: { name: 's', namespace: 'default' }, type: 'kubernetes.io/tls' });
    expect(matchesFields(parseFieldSelector('type=kubernetes.io/tls', 'Secret'), secret)).toBe(true);
    const ns = obj('Namespace', { metadata: { name: 'team-a' }, status: { phase: 'Terminating' } });
    expect(matchesFields(parseFieldSelector('status.phase=Terminating,metadata.name=team-a', 'Namespace'), ns)).toBe(true);
    const node = obj('Node', { metadata: { name: 'node-1' }, spec: { unschedulable: true } });
    expect(matchesFields(parseFieldSelector('spec.unschedulable=true', 'Node'), node)).toBe(true);
    expect(matchesFields(parseFieldSelector('spec.unschedulable=false', 'Node'), { ...node, spec: {} })).toBe(true);
    const svc = obj('Service', { metadata: { name: 'db', namespace: 'default' }, spec: { type: 'ClusterIP', clusterIP: 'None' } });
    expect(matchesFields(parseFieldSelector('spec.type=ClusterIP,spec.clusterIP=None', 'Service'), svc)).toBe(true);
  });

  it('reads an escaped comma, equals sign or backslash in a value', () => {
    const sel = parseFieldSelector('metadata.name=a\\,b\\=c\\\\d', 'ConfigMap');
    expect(exactFieldValue(sel, 'metadata.name')).toBe('a,b=c\\d');
  });

  it('is empty for an empty string and matches everything', () => {
    expect(parseFieldSelector('', 'Pod').requirements).toEqual([]);
    expect(matchesFields(parseFieldSelector('', 'Pod'), pod)).toBe(true);
  });
});

describe('field selector: when a label is not supported or the syntax is wrong', () => {
  const cases: [string, string, string][] = [
    ['foo=bar', 'Pod', 'field label not supported: foo'],
    ['metadata.namespace=default', 'Namespace', 'field label not supported: metadata.namespace'],
    ['metadata.namespace=default', 'Node', 'field label not supported: metadata.namespace'],
    ['spec.replicas=1', 'Deployment', '"spec.replicas" is not a known field selector: only "metadata.name", "metadata.namespace"'],
    // kube-apiserver registers no conversion for apps/v1 ReplicaSet, so it refuses status.replicas too.
    ['status.replicas=0', 'ReplicaSet', '"status.replicas" is not a known field selector: only "metadata.name", "metadata.namespace"'],
    ['status.phase', 'Pod', "invalid selector: 'status.phase'; can't understand 'status.phase'"],
    ['foo=bar,status.phase', 'Pod', "invalid selector: 'foo=bar,status.phase'; can't understand 'status.phase'"],
    ['a=b=c', 'Pod', 'invalid field selector: unescaped character in value: 61'],
    ['metadata.name=a\\x', 'Pod', 'invalid field selector: invalid escape sequence: \\x'],
    ['metadata.name=a\\', 'Pod', 'invalid field selector: invalid escape sequence: \\'],
  ];
  it.each(cases)('%s on %s → 400 %s', (text, kind, message) => {
    expect(badRequestOf(() => parseFieldSelector(text, kind))).toBe(message);
  });
});
