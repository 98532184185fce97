/** A Node's name: a lowercase DNS subdomain, as Kubernetes requires. */
export function isNodeName(name: string): boolean {
  return /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(name) && name.length <= 253;
}
