import * as z from 'zod';

/*
 * The parts of a GuardDuty finding the playbooks read. Everything else in a
 * finding is kept (loose objects) but not trusted. Fields that real findings
 * send as null (Platform, OutpostArn, ...) are nullish, so a real finding is
 * never rejected for a field we do not use.
 */

const text = z.string().max(4096);
const optionalText = text.nullish();

/*
 * Exports and hand-edited findings carry scalars in other JSON types than
 * GuardDuty's own (a tag value 8080, `archived: "false"`, `count: "3"`,
 * epoch-millisecond timestamps). Those that convert without guessing are
 * converted; anything else is still an error naming the field.
 */
const scalarAsText = z.preprocess((value) => (typeof value === 'number' || typeof value === 'boolean' ? String(value) : value), text).nullish();

const BOOLEAN_WORDS: Readonly<Record<string, boolean>> = { true: true, false: false, '1': true, '0': false };
const flag = z
  .preprocess((value) => {
    const word = typeof value === 'string' ? value.trim().toLowerCase() : typeof value === 'number' ? String(value) : undefined;
    return word !== undefined && word in BOOLEAN_WORDS ? BOOLEAN_WORDS[word] : value;
  }, z.boolean())
  .nullish();

const numericText = (value: unknown) => (typeof value === 'string' && value.trim() !== '' && !Number.isNaN(Number(value)) ? Number(value) : value);

/** ISO 8601 text, or epoch milliseconds (some exports), kept as ISO text. */
const timestamp = z
  .preprocess((value) => (typeof value === 'number' && Number.isFinite(value) && value >= 0 && value < 1e14 ? new Date(value).toISOString() : value), text)
  .nullish();

const tagSchema = z.looseObject({ key: scalarAsText, value: scalarAsText });

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
const severitySchema = z.preprocess(numericText, z.number().min(0).max(10));

export const findingSchema = z.looseObject({
  id: z.string().min(1).max(256),
  type: z.string().min(3).max(256),
  severity: severitySchema,
  accountId: z.string().regex(/^\d{12}$/, 'must be a 12-digit AWS account id').nullish(),
  region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'must be an AWS region name').nullish(),
  partition: optionalText,
  arn: optionalText,
  title: optionalText,
  createdAt: timestamp,
  updatedAt: timestamp,
  resource: z
    .looseObject({
      resourceType: optionalText,
      instanceDetails: instanceDetailsSchema.nullish(),
      accessKeyDetails: accessKeyDetailsSchema.nullish(),
    })
    .nullish(),
  service: z
    .looseObject({
      archived: flag,
      resourceRole: optionalText,
      count: z.preprocess(numericText, z.number().int().min(0)).nullish(),
      additionalInfo: z.looseObject({ sample: flag }).nullish(),
    })
    .nullish(),
});

export type Finding = z.infer<typeof findingSchema>;
export type InstanceDetails = z.infer<typeof instanceDetailsSchema>;
export type AccessKeyDetails = z.infer<typeof accessKeyDetailsSchema>;
