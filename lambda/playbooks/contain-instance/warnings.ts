/** What the security-group swap cannot do, stated in every plan that isolates. */
export const TRACKED_FLOWS_WARNING =
  'The security-group swap does not cut every connection: ICMP is always tracked, and flows through a NAT gateway, ' +
  'Network Load Balancer, Gateway Load Balancer, Transit Gateway, Global Accelerator or Network Firewall are tracked ' +
  'automatically, so they stay open until they end or time out (idle TCP: up to 5 days). A network ACL deny cuts them ' +
  'at once but affects the whole subnet.';

export const OFFLINE_WARNING =
  'Planned offline from the finding alone: network interfaces, security groups and tags are as GuardDuty saw them; ' +
  'whether the isolation security groups exist is not known, so they are shown as created (when run, an existing one is used if it passes verification).';
