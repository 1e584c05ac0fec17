import { guardDutyProductArn, securityHubImportedPattern } from '../../../lambda/close-loop/imported-event';
import { eventRulerMatches, prepareEventRuler } from '../../support/event-ruler';
import { importedEventOf } from '../../support/security-hub-events';

/*
 * The owed-note writer's rule (lib/owed-note-delivery.ts deploys
 * securityHubImportedPattern(partition, region)), evaluated by Event Ruler,
 * EventBridge's own matching engine: Security Hub's Imported events of
 * GuardDuty findings in the stack's region wake it, nothing else does.
 */

const RULE = 'owed-note';
const pattern = securityHubImportedPattern('aws', 'us-east-1');
const GD = 'arn:aws:guardduty:us-east-1:222222222222:detector/12abc34d567e8fa901bc2d34e56789f0/finding/d279186428a75016b17e4df5ea43d080';

const CASES: [string, unknown, boolean][] = [
  ['a GuardDuty finding imported (or updated) in the stack’s region', importedEventOf(GD), true],
  ['the Imported event of the note’s own update (a note and NOTIFIED on it)', importedEventOf(GD, { text: 'GuardDuty incident response, incident ir-1', status: 'NOTIFIED' }), true],
  [
    'an Inspector finding',
    importedEventOf('arn:aws:inspector2:us-east-1:222222222222:finding/0123abcd', { productArn: 'arn:aws:securityhub:us-east-1::product/aws/inspector', productName: 'Inspector' }),
    false,
  ],
  ['Macie', importedEventOf('arn:aws:macie2:us-east-1:222222222222:finding/0123', { productArn: 'arn:aws:securityhub:us-east-1::product/aws/macie', productName: 'Macie' }), false],
  ['a custom integration naming itself GuardDuty', importedEventOf(GD, { productArn: 'arn:aws:securityhub:us-east-1:222222222222:product/222222222222/default', productName: 'GuardDuty' }), false],
  ['GuardDuty’s product ARN with another product name', importedEventOf(GD, { productName: 'Default' }), false],
  ['a GuardDuty finding of another region (aggregated here)', importedEventOf(GD.replace('us-east-1', 'eu-west-1')), false],
  ['another partition', importedEventOf(GD, { productArn: guardDutyProductArn('aws-cn', 'us-east-1') }), false],
  ['a Custom Action event of a GuardDuty finding', importedEventOf(GD, { detailType: 'Security Hub Findings - Custom Action' }), false],
  ['another source with the same detail', importedEventOf(GD, { source: 'custom.securityhub' }), false],
  ['the GuardDuty finding event itself', { source: 'aws.guardduty', 'detail-type': 'GuardDuty Finding', account: '111111111111', region: 'us-east-1', detail: { id: 'x', arn: GD } }, false],
];

beforeAll(() => prepareEventRuler());

it('is the pattern the rule deploys: Security Hub’s Imported events, by GuardDuty’s product ARN in the region and its product name', () => {
  expect(pattern).toEqual({
    source: ['aws.securityhub'],
    'detail-type': ['Security Hub Findings - Imported'],
    detail: { findings: { ProductArn: ['arn:aws:securityhub:us-east-1::product/aws/guardduty'], ProductFields: { 'aws/securityhub/ProductName': ['GuardDuty'] } } },
  });
});

it('matches the Imported events of GuardDuty findings in the stack’s region, and nothing else', () => {
  const matches = eventRulerMatches([{ name: RULE, pattern }], CASES.map(([, event]) => event));
  expect(CASES.map(([name], i) => [name, matches[i]!.includes(RULE)])).toEqual(CASES.map(([name, , expected]) => [name, expected]));
});
