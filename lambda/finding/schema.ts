import * as z from '../zod';
import { FINDING_ID, FINDING_ID_MESSAGE, INSTANCE_ID, INSTANCE_ID_MESSAGE } from './ids';

/*
 * The parts of a GuardDuty finding the playbooks read. Everything else in a
 * finding is kept (loose objects) but not trusted. Fields that real findings
 * send as null (Platform, OutpostArn, ...) are nullish, so a real finding is
 * never rejected for a field we do not use.
 */

/** zod/mini has no `z.preprocess`: the same pipe, converting the input before `schema` checks it. */
function preprocess<T extends z.core.$ZodType>(convert: (value: unknown) => unknown, schema: T) {
  return z.pipe(z.transform(convert), schema);
}

const text = z.string().check(z.maxLength(4096));
const optionalText = z.nullish(text);

/*
 * Exports and hand-edited findings carry scalars in other JSON types than
 * GuardDuty's own (a tag value 8080, `archived: "false"`, `count: "3"`,
 * epoch-millisecond timestamps). Those that convert without guessing are
 * converted; anything else is still an error naming the field.
 */
const scalarAsText = z.nullish(preprocess((value) => (typeof value === 'number' || typeof value === 'boolean' ? String(value) : value), text));

const BOOLEAN_WORDS: Readonly<Record<string, boolean>> = { true: true, false: false, '1': true, '0': false };
const flag = z.nullish(
  preprocess((value) => {
    const word = typeof value === 'string' ? value.trim().toLowerCase() : typeof value === 'number' ? String(value) : undefined;
    return word !== undefined && word in BOOLEAN_WORDS ? BOOLEAN_WORDS[word] : value;
  }, z.boolean()),
);

const numericText = (value: unknown) => (typeof value === 'string' && value.trim() !== '' && !Number.isNaN(Number(value)) ? Number(value) : value);

/** ISO 8601 text, or epoch milliseconds (some exports), kept as ISO text. */
const timestamp = z.nullish(
  preprocess((value) => (typeof value === 'number' && Number.isFinite(value) && value >= 0 && value < 1e14 ? new Date(value).toISOString() : value), text),
);

const tagSchema = z.looseObject({ key: scalarAsText, value: scalarAsText });

const securityGroupSchema = z.looseObject({ groupId: optionalText, groupName: optionalText });

const networkInterfaceSchema = z.looseObject({
  networkInterfaceId: optionalText,
  vpcId: optionalText,
  subnetId: optionalText,
  securityGroups: z.nullish(z.array(securityGroupSchema)),
});

const instanceDetailsSchema = z.looseObject({
  /** Used as a filter value and a resource id (ids.ts): checked, never just text. */
  instanceId: z.nullish(z.string().check(z.regex(INSTANCE_ID, INSTANCE_ID_MESSAGE))),
  instanceState: optionalText,
  availabilityZone: optionalText,
  iamInstanceProfile: z.nullish(z.looseObject({ arn: optionalText, id: optionalText })),
  networkInterfaces: z.nullish(z.array(networkInterfaceSchema)),
  tags: z.nullish(z.array(tagSchema)),
});

const accessKeyDetailsSchema = z.looseObject({
  accessKeyId: optionalText,
  principalId: optionalText,
  userName: optionalText,
  userType: optionalText,
});

/** Severity arrives as an integer or a decimal; a numeric string is tolerated. */
const severitySchema = preprocess(numericText, z.number().check(z.gte(0), z.lte(10)));

export const findingSchema = z.looseObject({
  /** Used as a filter value and in keys (ids.ts): checked, never just text. */
  id: z.string().check(z.regex(FINDING_ID, FINDING_ID_MESSAGE)),
  type: z.string().check(z.minLength(3), z.maxLength(256)),
  severity: severitySchema,
  accountId: z.nullish(z.string().check(z.regex(/^\d{12}$/, 'must be a 12-digit AWS account id'))),
  region: z.nullish(z.string().check(z.regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'must be an AWS region name'))),
  partition: optionalText,
  arn: optionalText,
  title: optionalText,
  createdAt: timestamp,
  updatedAt: timestamp,
  resource: z.nullish(
    z.looseObject({
      resourceType: optionalText,
      instanceDetails: z.nullish(instanceDetailsSchema),
      accessKeyDetails: z.nullish(accessKeyDetailsSchema),
    }),
  ),
  service: z.nullish(
    z.looseObject({
      archived: flag,
      resourceRole: optionalText,
      count: z.nullish(preprocess(numericText, z.int().check(z.gte(0)))),
      additionalInfo: z.nullish(z.looseObject({ sample: flag })),
    }),
  ),
});

export type Finding = z.infer<typeof findingSchema>;
export type InstanceDetails = z.infer<typeof instanceDetailsSchema>;
export type AccessKeyDetails = z.infer<typeof accessKeyDetailsSchema>;
