import { Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';

export interface Finding {
  readonly rule: string;
  readonly path: string;
  readonly severity: string;
}

/** Every AwsSolutions finding not acknowledged, one per resource. */
export function nagFindings(scope: IConstruct): Finding[] {
  const report = new AwsSolutionsChecks().validateScope(scope);
  return report.violations.flatMap((violation) =>
    violation.violatingResources.map((resource) => ({
      rule: violation.ruleName,
      path: resource.constructPath ?? resource.resourceLogicalId ?? '(unknown)',
      severity: violation.severity ?? 'error',
    })),
  );
}

export interface AcknowledgementEntry {
  readonly path: string;
  readonly id: string;
  readonly reason: string;
}

/** Every acknowledgement recorded with Validations.of(...).acknowledge, with the construct it is on. */
export function acknowledgements(root: IConstruct): AcknowledgementEntry[] {
  return root.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) =>
        Object.entries(entry.data as Record<string, string>).map(([id, reason]) => ({
          path: construct.node.path,
          id: id.replace(/^annotation::/i, ''),
          reason,
        })),
      ),
  );
}
