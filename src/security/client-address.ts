import net from 'node:net';

/**
 * Which client an address belongs to, for everything counted per client (the credential budget,
 * the anonymous-failure summaries of the audit log): an IPv4 address as is, an IPv4-mapped IPv6
 * address as the IPv4 address, an IPv6 address by its /64. One subscriber line usually holds a
 * whole /64, so counting IPv6 addresses one by one would give a single client 2^64 budgets.
 */
export function addressKey(ip: string): string {
  const bare = ip.replace(/%.*$/, '');
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(bare);
  if (mapped) return mapped[1];
  if (net.isIPv4(bare)) return bare;
  if (!net.isIPv6(bare)) return `other:${bare.slice(0, 64)}`;
  const [head, tail] = bare.toLowerCase().split('::');
  const headParts = head ? head.split(':') : [];
  const tailParts = tail ? tail.split(':') : [];
  // An embedded IPv4 tail (::1.2.3.4) is two groups; only the first four groups matter here.
  const tailGroups = tailParts.flatMap((p) => (p.includes('.') ? ['0', '0'] : [p]));
  const groups = tail === undefined ? headParts : [...headParts, ...Array(8 - headParts.length - tailGroups.length).fill('0'), ...tailGroups];
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}

/** Where a reverse proxy that Tessera trusts by hop count may be: loopback, link-local and private networks. */
const PROXY_NETWORKS = (() => {
  const list = new net.BlockList();
  for (const [net4, prefix] of [
    ['127.0.0.0', 8],
    ['10.0.0.0', 8],
    ['172.16.0.0', 12],
    ['192.168.0.0', 16],
    ['169.254.0.0', 16],
    ['100.64.0.0', 10],
  ] as const)
    list.addSubnet(net4, prefix, 'ipv4');
  for (const [net6, prefix] of [
    ['::1', 128],
    ['fc00::', 7],
    ['fe80::', 10],
  ] as const)
    list.addSubnet(net6, prefix, 'ipv6');
  return list;
})();

function isProxyNetwork(address: string): boolean {
  const bare = address.replace(/%.*$/, '');
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(bare);
  if (mapped) return PROXY_NETWORKS.check(mapped[1], 'ipv4');
  if (net.isIPv4(bare)) return PROXY_NETWORKS.check(bare, 'ipv4');
  if (net.isIPv6(bare)) return PROXY_NETWORKS.check(bare, 'ipv6');
  return false;
}

/**
 * Fastify's trust function for TRUST_PROXY given as a hop count (`true` is 1): the `hops` nearest
 * addresses (the peer, then X-Forwarded-For from its end) are proxies when each of them is on a
 * loopback, link-local or private network. A client is the first address past them, the one the
 * outermost proxy saw, never one a client wrote at the start of X-Forwarded-For. A peer on a public
 * address is not a proxy, so a client that reaches the server directly cannot pick its address
 * either. (Fastify's own `true` trusts every hop and takes the first entry; its hop count trusts
 * none, which makes every client the proxy: one credential budget for everyone.) A proxy on a
 * public address is named by address or CIDR instead.
 */
export function trustHops(hops: number): (address: string, hop: number) => boolean {
  return (address, hop) => hop < hops && isProxyNetwork(address);
}
