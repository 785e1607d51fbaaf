import ipaddr from 'ipaddr.js';

/**
 * True for anything but public unicast (loopback, private, link-local, unique-local, reserved, and
 * IPv4-mapped forms of them): the one test behind every outbound URL guard (image fetches, webhooks).
 */
export function isPrivateAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return true;
  let addr = ipaddr.parse(address);
  if (addr.kind() === 'ipv6' && (addr as ipaddr.IPv6).isIPv4MappedAddress()) addr = (addr as ipaddr.IPv6).toIPv4Address();
  return addr.range() !== 'unicast';
}
