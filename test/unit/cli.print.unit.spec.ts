import type { KubeObject } from '../../actors/kinds/types';
import type { Table } from '../../gateways/client';
import { asList, formatObject, objectName, TablePrinter, typeName, withTypeMeta, type TableStyle } from '../../cli/print';
import { DESCRIBE, GET_TABLE, Tabwriter } from '../../cli/tabwriter';
import { DescribeWriter } from '../../cli/describe/writer';
import { humanDuration } from '../../cli/time';

const podTable: Table = {
  kind: 'Table',
  apiVersion: 'meta.k8s.io/v1',
  metadata: { resourceVersion: '10' },
  columnDefinitions: [
    { name: 'Name', type: 'string', format: 'name', priority: 0 },
    { name: 'Ready', type: 'string', format: '', priority: 0 },
    { name: 'Status', type: 'string', format: '', priority: 0 },
    { name: 'Restarts', type: 'integer', format: '', priority: 0 },
    { name: 'Age', type: 'string', format: '', priority: 0 },
    { name: 'IP', type: 'string', format: '', priority: 1 },
    { name: 'Node', type: 'string', format: '', priority: 1 },
  ],
  rows: [
    { cells: ['web-1', '1/1', 'Running', 0, '5m', '10.1.0.5', 'node-a'], object: { metadata: { name: 'web-1', namespace: 'default' } } },
    { cells: ['web-20', '0/1', 'ContainerCreating', 12, '3s', null, 'node-b'], object: { metadata: { name: 'web-20', namespace: 'kube-system' } } },
  ],
};

const style = (over: Partial<TableStyle> = {}): TableStyle => ({ wide: false, namespaceColumn: false, headers: true, ...over });

describe('cli print: Table as kubectl prints it', () => {
  it('upper-cased headers, 3-space padding, last column unpadded, wide columns hidden', () => {
    expect(new TablePrinter(style()).format(podTable)).toBe(
      [
        'NAME     READY   STATUS              RESTARTS   AGE',
        'web-1    1/1     Running             0          5m',
        'web-20   0/1     ContainerCreating   12         3s',
        '',
      ].join('\n'),
    );
  });

  it('-o wide adds the priority-1 columns; a null cell prints empty', () => {
    expect(new TablePrinter(style({ wide: true })).format(podTable)).toBe(
      [
        'NAME     READY   STATUS              RESTARTS   AGE   IP         NODE',
        'web-1    1/1     Running             0          5m    10.1.0.5   node-a',
        'web-20   0/1     ContainerCreating   12         3s               node-b',
        '',
      ].join('\n'),
    );
  });

  it('-A puts NAMESPACE first, from each row object; several kinds prefix the name column', () => {
    expect(new TablePrinter(style({ namespaceColumn: true, kindPrefix: 'pod' })).format(podTable)).toBe(
      [
        'NAMESPACE     NAME         READY   STATUS              RESTARTS   AGE',
        'default       pod/web-1    1/1     Running             0          5m',
        'kube-system   pod/web-20   0/1     ContainerCreating   12         3s',
        '',
      ].join('\n'),
    );
  });

  it('columns are at least 6 wide (kubectl tabwriter minwidth); --no-headers', () => {
    const table: Table = { ...podTable, columnDefinitions: [{ name: 'A', type: 'string', format: '', priority: 0 }, { name: 'B', type: 'string', format: '', priority: 0 }], rows: [{ cells: ['x', 'y'] }] };
    expect(new TablePrinter(style()).format(table)).toBe('A     B\nx     y\n');
    expect(new TablePrinter(style({ headers: false })).format(table)).toBe('x     y\n');
  });

  it('watch: header once, columns remembered when later events omit them, widths only grow', () => {
    const printer = new TablePrinter(style());
    const first = printer.format({ ...podTable, rows: [podTable.rows[0]] });
    const { columnDefinitions: _omitted, ...event } = { ...podTable, rows: [{ cells: ['w', '1/1', 'Running', 0, '1s'] }] };
    const later = printer.format(event);
    expect(first).toBe('NAME    READY   STATUS    RESTARTS   AGE\nweb-1   1/1     Running   0          5m\n');
    expect(later).toBe('w       1/1     Running   0          1s\n');
  });

  it('an empty table prints nothing (not even a header)', () => {
    expect(new TablePrinter(style()).format({ ...podTable, rows: [] })).toBe('');
  });

  it('cells stop at the first line break, marked with ...', () => {
    const table: Table = { ...podTable, columnDefinitions: [{ name: 'Message', type: 'string', format: '', priority: 0 }], rows: [{ cells: ['one\ntwo'] }] };
    expect(new TablePrinter(style()).format(table)).toBe('MESSAGE\none...\n');
  });
});

describe('cli print: Go tabwriter column blocks', () => {
  it('a line without a tab ends a column block (describe layout)', () => {
    const text = new Tabwriter(DESCRIBE).format(['Name:\tweb', 'Namespace:\tdefault', 'Containers:', '  c:', '    Image:\tnginx', '    Port:\t80/TCP']);
    expect(text).toBe(['Name:       web', 'Namespace:  default', 'Containers:', '  c:', '    Image:  nginx', '    Port:   80/TCP', ''].join('\n'));
  });

  it('counts runes, not UTF-16 units', () => {
    // 2 runes + 3 padding < minwidth 6; as UTF-16 units it would be 4 + 3 = 7.
    expect(new Tabwriter(GET_TABLE).format(['😀😀\tx', 'ab\ty'])).toBe('😀😀    x\nab    y\n');
  });

  it('describe multi-line labels continue in the value column', () => {
    const w = new DescribeWriter();
    w.field(0, 'Name', 'web');
    w.map(0, 'Labels', { tier: 'front', app: 'web' });
    w.map(0, 'Annotations', {}, ': ');
    w.field(0, 'Ready', true);
    expect(w.text()).toBe(['Name:         web', 'Labels:       app=web', '              tier=front', 'Annotations:  <none>', 'Ready:        True', ''].join('\n'));
  });
});

describe('cli print: -o name, yaml, json', () => {
  const deployments = { kind: 'Deployment', group: 'apps', version: 'v1' };
  const pods = { kind: 'Pod', group: '', version: 'v1' };

  it('names are kind.group/name, lower-case, core kinds without group', () => {
    expect(objectName(deployments, 'web')).toBe('deployment.apps/web');
    expect(objectName(pods, 'web-1')).toBe('pod/web-1');
    expect(typeName(deployments)).toBe('deployment.apps');
  });

  it('list items get kind/apiVersion back', () => {
    expect(withTypeMeta(deployments, { metadata: { name: 'web' } } as never)).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' } });
  });

  it('yaml: a List, keys sorted, managedFields hidden, go-yaml quoting', () => {
    const pod: KubeObject = {
      kind: 'Pod',
      apiVersion: 'v1',
      metadata: { name: 'web-1', creationTimestamp: '2026-01-01T00:00:00Z', labels: { on: 'yes' }, managedFields: [{ manager: 'skiff', operation: 'Apply', apiVersion: 'v1', time: '', fieldsType: 'FieldsV1', fieldsV1: {} }] },
      spec: { containers: [{ name: 'c', args: ['a'] }] },
    };
    expect(formatObject(asList([pod]), 'yaml')).toBe(
      [
        'apiVersion: v1',
        'items:',
        '- apiVersion: v1',
        '  kind: Pod',
        '  metadata:',
        '    creationTimestamp: "2026-01-01T00:00:00Z"',
        '    labels:',
        '      "on": "yes"',
        '    name: web-1',
        '  spec:',
        '    containers:',
        '    - args:',
        '      - a',
        '      name: c',
        'kind: List',
        'metadata:',
        '  resourceVersion: ""',
        '',
      ].join('\n'),
    );
  });

  it('json: 4-space indent, keys sorted, managedFields hidden', () => {
    const obj = { metadata: { name: 'x', managedFields: [] }, kind: 'ConfigMap', apiVersion: 'v1' };
    expect(formatObject(obj, 'json')).toBe('{\n    "apiVersion": "v1",\n    "kind": "ConfigMap",\n    "metadata": {\n        "name": "x"\n    }\n}\n');
  });
});

describe('cli time: humanDuration (apimachinery)', () => {
  it.each([
    [0, '0s'],
    [-1500, '0s'],
    [-3000, '<invalid>'],
    [119_000, '119s'],
    [120_000, '2m'],
    [200_000, '3m20s'],
    [1000 * 60 * 179, '179m'],
    [1000 * 60 * 200, '3h20m'],
    [1000 * 3600 * 10, '10h'],
    [1000 * 3600 * 50, '2d2h'],
    [1000 * 3600 * 24 * 30, '30d'],
    [1000 * 3600 * 24 * 800, '2y70d'],
    [1000 * 3600 * 24 * 365 * 9, '9y'],
  ])('%d ms → %s', (ms, text) => {
    expect(humanDuration(ms)).toBe(text);
  });
});
