import { guardDutyProductArn } from '../../lambda/close-loop/imported-event';

/*
 * Security Hub's "Security Hub Findings - Imported" events, as EventBridge
 * delivers them (the ASFF finding abridged to what the rule and the
 * owed-note writer look at, plus a note and workflow an attacker could shape).
 */

export interface ImportedEventOptions {
  readonly productArn?: string;
  readonly productName?: string;
  readonly source?: string;
  readonly detailType?: string;
  /** A note already on the finding (anyone's), which the writer must never copy. */
  readonly text?: string;
  readonly status?: string;
}

/** The Imported event of the GuardDuty finding with this ARN (its Security Hub Id). */
export function importedEventOf(findingArn: string, options: ImportedEventOptions = {}): Record<string, unknown> {
  const [, partition = 'aws', , region = 'us-east-1', account = '111111111111'] = findingArn.split(':');
  const productArn = options.productArn ?? guardDutyProductArn(partition, region);
  return {
    version: '0',
    id: 'c8a8b1f2-5d0e-4b1a-9f57-0d5b2e1c7a11',
    'detail-type': options.detailType ?? 'Security Hub Findings - Imported',
    source: options.source ?? 'aws.securityhub',
    account,
    time: '2026-12-06T21:00:00Z',
    region,
    resources: [`${productArn}/${findingArn}`],
    detail: {
      findings: [
        {
          SchemaVersion: '2018-10-08',
          Id: findingArn,
          ProductArn: productArn,
          ProductName: options.productName ?? 'GuardDuty',
          CompanyName: 'Amazon',
          AwsAccountId: account,
          GeneratorId: 'arn:aws:guardduty:us-east-1:111111111111:detector/12abc34d567e8fa901bc2d34e56789f0',
          Types: ['TTPs/Command and Control/Backdoor:EC2-C&CActivity.B!DNS'],
          Title: 'EC2 instance querying a command and control domain',
          ProductFields: {
            'aws/securityhub/ProductName': options.productName ?? 'GuardDuty',
            'aws/securityhub/CompanyName': 'Amazon',
            'aws/securityhub/FindingId': `${productArn}/${findingArn}`,
          },
          Workflow: { Status: options.status ?? 'NEW' },
          RecordState: 'ACTIVE',
          ...(options.text !== undefined ? { Note: { Text: options.text, UpdatedBy: 'someone', UpdatedAt: '2026-12-06T21:00:00Z' } } : {}),
        },
      ],
    },
  };
}
