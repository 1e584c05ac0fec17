import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { LEDGER_TTL_ATTRIBUTE } from '../lambda/approval/nonces';

/**
 * The incident ledger (lambda/ledger/): one item per incident, and the
 * blast-radius brake's slots. On demand (a flood of findings must never be
 * throttled by provisioned capacity), encrypted with the AWS managed key
 * (the playbook roles then need no KMS permission on a key of ours),
 * point-in-time recovery on, and kept when the stack is deleted: it is the
 * record of what the responder did.
 *
 * Its TTL attribute is `deleteAfter` (LEDGER_TTL_ATTRIBUTE): only the used
 * approval-link and identity-proof nonces set it (lambda/approval/nonces.ts), so nothing else
 * ever expires. Turning TTL on for a deployed table is an in-place update
 * (UpdateTimeToLive, no replacement) and deletes no existing item, none of
 * which carries the attribute.
 */
export class IncidentLedgerTable extends Construct {
  readonly table: dynamodb.Table;

  /** @param tableName a fixed name, for the brake table other stacks share (blastRadius.homeRegion); absent: generated. */
  constructor(scope: Construct, id: string, tableName?: string) {
    super(scope, id);
    this.table = new dynamodb.Table(this, 'Table', {
      ...(tableName ? { tableName } : {}),
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      timeToLiveAttribute: LEDGER_TTL_ATTRIBUTE,
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }
}
