import { z } from 'zod';

/*
 * The parts of a GuardDuty finding the playbooks read. Everything else in a
 * finding is kept (loose objects) but not trusted. Fields that real findings
 * send as null (Platform, OutpostArn, ...) are nullish, so a real finding is
 * never rejected for a field we do not use.
 */

const text = z.string().max(4096);
const optionalText = text.nullish();

const tagSchema = z.looseObject({ key: optionalText, value: optionalText });

const securityGroupSchema = z.looseObject({ groupId: optionalText, groupName: optionalText });

const networkInterfaceSchema = z.looseObject({
  networkInterfaceId: optionalText,
  vpcId: optionalText,
  subnetId: optionalText,
  securityGroups: z.array(securityGroupSchema).nullish(),
});

const instanceDetailsSchema = z.looseObject({
  instanceId: optionalText,
  instanceState: optionalText,
  availabilityZone: optionalText,
  iamInstanceProfile: z.looseObject({ arn: optionalText, id: optionalText }).nullish(),
  networkInterfaces: z.array(networkInterfaceSchema).nullish(),
  tags: z.array(tagSchema).nullish(),
});

const accessKeyDetailsSchema = z.looseObject({
  accessKeyId: optionalText,
  principalId: optionalText,
  userName: optionalText,
  userType: optionalText,
});

/** Severity arrives as an integer or a decimal; a numeric string is tolerated. */
const severitySchema = z.preprocess(
  (value) => (typeof value === 'string' && value.trim() !== '' && !Number.isNaN(Number(value)) ? Number(value) : value),
  z.number().min(0).max(10),
);

export const findingSchema = z.looseObject({
  id: z.string().min(1).max(256),
  type: z.string().min(3).max(256),
  severity: severitySchema,
  accountId: z.string().regex(/^\d{12}$/, 'must be a 12-digit AWS account id').nullish(),
  region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'must be an AWS region name').nullish(),
  partition: optionalText,
  arn: optionalText,
  title: optionalText,
  createdAt: optionalText,
  updatedAt: optionalText,
  resource: z
    .looseObject({
      resourceType: optionalText,
      instanceDetails: instanceDetailsSchema.nullish(),
      accessKeyDetails: accessKeyDetailsSchema.nullish(),
    })
    .nullish(),
  service: z
    .looseObject({
      archived: z.boolean().nullish(),
      resourceRole: optionalText,
      count: z.number().nullish(),
      additionalInfo: z.looseObject({ sample: z.union([z.boolean(), z.string()]).nullish() }).nullish(),
    })
    .nullish(),
});

export type Finding = z.infer<typeof findingSchema>;
export type InstanceDetails = z.infer<typeof instanceDetailsSchema>;
export type AccessKeyDetails = z.infer<typeof accessKeyDetailsSchema>;
