import type { AttributeValue } from '@aws-sdk/client-dynamodb';

/* DynamoDB attribute values, written by hand: the ledger's items are small and their shape is the documentation. */

export type Item = Record<string, AttributeValue>;

export const s = (value: string): AttributeValue => ({ S: value });
export const n = (value: number): AttributeValue => ({ N: String(value) });
export const bool = (value: boolean): AttributeValue => ({ BOOL: value });
export const list = (values: readonly AttributeValue[]): AttributeValue => ({ L: [...values] });
export const map = (entries: Readonly<Record<string, AttributeValue | undefined>>): AttributeValue => ({
  M: Object.fromEntries(Object.entries(entries).filter((entry): entry is [string, AttributeValue] => entry[1] !== undefined)),
});

export function stringOf(item: Item | undefined, name: string): string | undefined {
  return item?.[name]?.S;
}

export function numberOf(item: Item | undefined, name: string): number | undefined {
  const value = item?.[name]?.N;
  return value === undefined ? undefined : Number(value);
}

/** The error a conditional write answers with when its condition is false. */
export function isConditionFailure(error: unknown): error is { name: string; Item?: Item } {
  return typeof error === 'object' && error !== null && (error as { name?: unknown }).name === 'ConditionalCheckFailedException';
}
