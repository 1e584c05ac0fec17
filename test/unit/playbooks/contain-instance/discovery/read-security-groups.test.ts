import { summarizeRules } from '../../../../../lambda/playbooks/contain-instance/discovery/read-security-groups';

describe('summarizeRules', () => {
  it('recognises "all traffic from/to anywhere" for IPv4 and IPv6 and counts every other rule', () => {
    expect(summarizeRules(undefined)).toEqual({ allTrafficIpv4: false, allTrafficIpv6: false, otherRules: 0 });
    expect(summarizeRules([{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }], Ipv6Ranges: [{ CidrIpv6: '::/0' }] }])).toEqual({
      allTrafficIpv4: true,
      allTrafficIpv6: true,
      otherRules: 0,
    });
    expect(
      summarizeRules([
        { IpProtocol: 'tcp', FromPort: 0, ToPort: 65535, IpRanges: [{ CidrIp: '0.0.0.0/0' }] },
        { IpProtocol: '-1', IpRanges: [{ CidrIp: '10.0.0.0/8' }], UserIdGroupPairs: [{ GroupId: 'sg-1' }], PrefixListIds: [{ PrefixListId: 'pl-1' }] },
      ]),
    ).toEqual({ allTrafficIpv4: false, allTrafficIpv6: false, otherRules: 4 });
  });
});
