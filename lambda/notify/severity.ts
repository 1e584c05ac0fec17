/*
 * GuardDuty's severity bands (Low 1.0-3.9, Medium 4.0-6.9, High 7.0-8.9,
 * Critical 9.0-10.0), named with the number itself: "HIGH 8.0". Values
 * below 1 (GuardDuty never sends them, hand-made findings may) are LOW.
 */

export type SeverityLabel = 'LOW' | 'MEDIUM' | 'HIGH' | 'CRITICAL';

export interface Severity {
  readonly label: SeverityLabel;
  readonly value: number;
  /** The label and the number, e.g. "HIGH 8.0" or "MEDIUM 5.55". */
  readonly text: string;
}

export function severityLabel(value: number): SeverityLabel {
  if (value >= 9) return 'CRITICAL';
  if (value >= 7) return 'HIGH';
  if (value >= 4) return 'MEDIUM';
  return 'LOW';
}

export function severityOf(value: number): Severity {
  const label = severityLabel(value);
  // Whole numbers get one decimal like GuardDuty's console; a decimal is shown as sent up to two places, cut (never rounded
  // into another band) beyond: a hand-made 1e-7 or 6.99999 must not push the subject's outcome out of SNS's 100 characters.
  const sent = Number.isInteger(value) ? value.toFixed(1) : String(value);
  const number = /^\d+(\.\d{1,2})?$/.test(sent) ? sent : (Math.trunc(value * 100) / 100).toFixed(2);
  return { label, value, text: `${label} ${number}` };
}
