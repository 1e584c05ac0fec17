import { responderGroupOf, rulesOf } from '../../../../../lambda/playbooks/contain-instance/discovery/read-security-groups';

describe('rulesOf', () => {
  it('keeps every rule, one per peer, with its protocol and ports', () => {
    expect(rulesOf(undefined)).toEqual([]);
    expect(rulesOf([{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }], Ipv6Ranges: [{ CidrIpv6: '::/0' }] }])).toEqual([
      { protocol: '-1', fromPort: null, toPort: null, peer: 'ipv4:0.0.0.0/0' },
      { protocol: '-1', fromPort: null, toPort: null, peer: 'ipv6:::/0' },
    ]);
    expect(
      rulesOf([
        { IpProtocol: 'tcp', FromPort: 0, ToPort: 65535, IpRanges: [{ CidrIp: '0.0.0.0/0' }] },
        { IpProtocol: '-1', IpRanges: [{ CidrIp: '10.0.0.0/8' }], UserIdGroupPairs: [{ GroupId: 'sg-1' }], PrefixListIds: [{ PrefixListId: 'pl-1' }] },
      ]),
    ).toEqual([
      { protocol: 'tcp', fromPort: 0, toPort: 65535, peer: 'ipv4:0.0.0.0/0' },
      { protocol: '-1', fromPort: null, toPort: null, peer: 'ipv4:10.0.0.0/8' },
      { protocol: '-1', fromPort: null, toPort: null, peer: 'group:sg-1' },
      { protocol: '-1', fromPort: null, toPort: null, peer: 'prefix-list:pl-1' },
    ]);
  });
});

describe('responderGroupOf', () => {
  it('keeps what verification needs: name, description, tags, VPC and both rule lists', () => {
    expect(
      responderGroupOf({
        GroupId: 'sg-1',
        GroupName: 'guardduty-ir-isolation-0a1b2c3d',
        Description: 'd',
        VpcId: 'vpc-1',
        Tags: [
          { Key: 'ir:purpose', Value: 'isolation' },
          { Key: 'Name', Value: 'n' },
        ],
        IpPermissions: [],
        IpPermissionsEgress: [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
      }),
    ).toEqual({
      groupId: 'sg-1',
      groupName: 'guardduty-ir-isolation-0a1b2c3d',
      description: 'd',
      vpcId: 'vpc-1',
      purpose: 'isolation',
      tags: { 'ir:purpose': 'isolation', Name: 'n' },
      ingress: [],
      egress: [{ protocol: '-1', fromPort: null, toPort: null, peer: 'ipv4:0.0.0.0/0' }],
    });
  });

  it('ignores a group without a purpose the responder knows', () => {
    expect(responderGroupOf({ GroupId: 'sg-1', VpcId: 'vpc-1', Tags: [{ Key: 'ir:purpose', Value: 'other' }] })).toBeUndefined();
  });
});
