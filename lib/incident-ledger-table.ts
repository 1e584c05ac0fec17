import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';

/**
 * The incident ledger (lambda/ledger/): one item per incident, and the
 * blast-radius brake's slots. On demand (a flood of findings must never be
 * throttled by provisioned capacity), encrypted with the AWS managed key
 * (the playbook roles then need no KMS permission on a key of ours),
 * point-in-time recovery on, and kept when the stack is deleted: it is the
 * record of what the responder did.
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
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }
}
