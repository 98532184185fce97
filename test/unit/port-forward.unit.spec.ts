import { parsePortSpec } from '../../cli/commands/port-forward';
import { portsOf } from '../../gateways/api/pod-portforward';
import { chooseSubprotocol, PORT_FORWARD_SUBPROTOCOLS, portPreamble } from '../../gateways/api/remote-command';

describe('port-forward: pure parts', () => {
  it('[LOCAL:]REMOTE as kubectl reads it', () => {
    expect(parsePortSpec('8080')).toEqual({ local: 8080, remote: '8080' });
    expect(parsePortSpec('9000:80')).toEqual({ local: 9000, remote: '80' });
    expect(parsePortSpec(':80')).toEqual({ local: 0, remote: '80' });
    expect(parsePortSpec('8080:http')).toEqual({ local: 8080, remote: 'http' });
    expect(() => parsePortSpec('x:80')).toThrow("Error parsing local port 'x': invalid port");
    expect(() => parsePortSpec('80:70000')).toThrow("Error parsing remote port '70000': invalid port");
  });

  it('the ports query: repeated or comma-separated, with the kubelet\'s words for bad ones', () => {
    expect(portsOf(new URLSearchParams('ports=80&ports=443,8080'))).toEqual([80, 443, 8080]);
    expect(() => portsOf(new URLSearchParams(''))).toThrow('query parameter "ports" is required');
    expect(() => portsOf(new URLSearchParams('ports=abc'))).toThrow('unable to parse "abc" as a port');
    expect(() => portsOf(new URLSearchParams('ports=0'))).toThrow('port "0" must be > 0');
  });

  it('v4 before the unversioned protocol; a port preamble is the channel then the port, little-endian', () => {
    expect(chooseSubprotocol(new Set(['v5.channel.k8s.io', 'v4.channel.k8s.io', 'channel.k8s.io']), PORT_FORWARD_SUBPROTOCOLS)).toBe('v4.channel.k8s.io');
    expect(chooseSubprotocol(new Set(['v5.channel.k8s.io']), PORT_FORWARD_SUBPROTOCOLS)).toBe(false);
    expect([...portPreamble(3, 8080)]).toEqual([3, 0x90, 0x1f]);
  });
});
