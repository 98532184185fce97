import { parseArgs } from '../../cli/args';
import { globalFlags } from '../../cli/context';

const specs = {
  namespace: { kind: 'string', short: 'n' },
  output: { kind: 'string', short: 'o' },
  filename: { kind: 'list', short: 'f' },
  'all-namespaces': { kind: 'boolean', short: 'A' },
  watch: { kind: 'boolean', short: 'w' },
  wait: { kind: 'boolean' },
} as const;

describe('cli args: parseArgs', () => {
  it.each([
    [['-n', 'x'], 'x'],
    [['-nx'], 'x'],
    [['-n=x'], 'x'],
    [['--namespace', 'x'], 'x'],
    [['--namespace=x'], 'x'],
    [['--namespace=a=b'], 'a=b'],
  ])('%j → namespace %s', (argv, expected) => {
    expect(parseArgs(argv, specs).flags.namespace).toBe(expected);
  });

  it('-o=yaml and -oyaml both give yaml', () => {
    expect(parseArgs(['-o=yaml'], specs).flags.output).toBe('yaml');
    expect(parseArgs(['-oyaml'], specs).flags.output).toBe('yaml');
  });

  it('repeated list flags accumulate in order', () => {
    expect(parseArgs(['-f', 'a.yaml', '--filename=b.yaml', '-fc.yaml'], specs).flags.filename).toEqual(['a.yaml', 'b.yaml', 'c.yaml']);
  });

  it('boolean clusters and a trailing value flag', () => {
    const { flags, args } = parseArgs(['get', '-Aw', 'pods', '-Anx'], specs);
    expect(flags).toEqual({ 'all-namespaces': true, watch: true, namespace: 'x' });
    expect(args).toEqual(['get', 'pods']);
  });

  it('--wait=false, --wait, -A=false', () => {
    expect(parseArgs(['--wait=false'], specs).flags.wait).toBe(false);
    expect(parseArgs(['--wait'], specs).flags.wait).toBe(true);
    expect(parseArgs(['-A=false'], specs).flags['all-namespaces']).toBe(false);
  });

  it('everything after -- is positional', () => {
    expect(parseArgs(['pod', '--', '-n', '--x'], specs)).toEqual({ flags: {}, args: ['pod', '-n', '--x'] });
  });

  it('a lone - is positional (stdin), and a value may start with a dash', () => {
    expect(parseArgs(['-f', '-', '-n', '-dash'], specs).flags).toEqual({ filename: ['-'], namespace: '-dash' });
    expect(parseArgs(['x', '-'], specs).args).toEqual(['x', '-']);
  });

  it.each([
    [['--nope'], 'unknown flag: --nope'],
    [['-z'], "unknown shorthand flag: 'z' in -z"],
    [['-n'], "flag needs an argument: 'n' in -n"],
    [['--namespace'], 'flag needs an argument: --namespace'],
    [['--wait=maybe'], 'invalid argument "maybe" for "--wait" flag: expected true or false'],
  ])('%j → error "%s"', (argv, message) => {
    expect(() => parseArgs(argv, specs)).toThrow(message);
  });

  it('passUnknown takes out only the global flags, wherever they are, and keeps the rest in order', () => {
    const { flags, args } = parseArgs(
      ['-n', 'kube-system', 'get', 'pods', '-o', 'wide', '-Aw', '--kubeconfig=/k', '-l', 'app=web', '--', '-n', 'x'],
      globalFlags,
      { passUnknown: true },
    );
    expect(flags).toEqual({ namespace: 'kube-system', kubeconfig: '/k' });
    expect(args).toEqual(['get', 'pods', '-o', 'wide', '-Aw', '-l', 'app=web', '--', '-n', 'x']);
  });
});
