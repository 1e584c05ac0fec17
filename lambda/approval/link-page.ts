import { safeJson } from '../text/untrusted';
import { escapeHtml, htmlText } from '../text/html';
import type { ApprovalView } from './pending-approval';

/*
 * The pages of the approval link (email channel). Every value from the
 * ledger or the plan (finding ids, resource names, tags: attacker-shaped) is
 * escaped (lambda/text/html.ts). The pages carry no script, load nothing,
 * cannot be framed, are not cached and send no Referer (the token is in the
 * URL): the headers below.
 */

export interface HtmlResponse {
  readonly statusCode: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

export const PAGE_HEADERS: Readonly<Record<string, string>> = {
  'content-type': 'text/html; charset=utf-8',
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'cache-control': 'no-store',
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
};

/** The plan as the ledger holds it, pretty-printed: at most this many characters are shown. */
export const PLAN_SHOWN_LIMIT = 20_000;

function page(statusCode: number, title: string, body: string): HtmlResponse {
  return {
    statusCode,
    headers: PAGE_HEADERS,
    body:
      '<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="robots" content="noindex">' +
      `<title>${escapeHtml(title)}</title>` +
      '<style>body{font-family:sans-serif;max-width:60em;margin:2em auto}pre{background:#f4f4f4;padding:1em;overflow:auto}</style>' +
      `</head><body><h1>${escapeHtml(title)}</h1>${body}</body></html>`,
  };
}

function planText(plan: string): string {
  let shown: string;
  try {
    shown = safeJson(JSON.parse(plan) as unknown, 2);
  } catch {
    shown = plan;
  }
  return htmlText(shown, PLAN_SHOWN_LIMIT);
}

function facts(approval: ApprovalView): string {
  const rows: [string, string | undefined][] = [
    ['Incident', approval.incidentId],
    ['Finding', approval.findingId],
    ['Playbook', approval.playbook],
    ['Account', approval.accountId],
    ['Region', approval.region],
    ['Asked at', approval.requestedAt],
    ['Deadline', approval.deadline],
    ['At the deadline', approval.onTimeout],
    ['Plan hash', approval.planHash],
  ];
  return `<dl>${rows
    .filter((row): row is [string, string] => row[1] !== undefined)
    .map(([label, value]) => `<dt>${escapeHtml(label)}</dt><dd>${htmlText(value)}</dd>`)
    .join('')}</dl>`;
}

/** The plan and the confirmation form: opening the link decides nothing; only this form's POST does. */
export function confirmationPage(approval: ApprovalView, decision: 'approve' | 'deny', token: string): HtmlResponse {
  const verb = decision === 'approve' ? 'Approve' : 'Deny';
  const reason =
    decision === 'deny'
      ? '<p><label for="reason">Reason (recorded with the decision):</label><br><textarea id="reason" name="reason" rows="3" cols="60" maxlength="1000" required></textarea></p>'
      : '<p><label for="reason">Note (optional, recorded with the decision):</label><br><textarea id="reason" name="reason" rows="2" cols="60" maxlength="1000"></textarea></p>';
  return page(
    200,
    `${verb} the response to incident ${approval.incidentId.slice(0, 80)}?`,
    `<p>The incident response is waiting for a decision on the steps below. Nothing has been decided yet.</p>${facts(approval)}` +
      `<h2>Steps waiting for approval</h2><pre>${planText(approval.plan)}</pre>` +
      // action "/": the POST's URL carries no token; the token travels in the body.
      `<form method="post" action="/"><input type="hidden" name="t" value="${escapeHtml(token)}">${reason}` +
      `<p><button type="submit">${verb} this plan</button></p></form>`,
  );
}

export function refusalPage(statusCode: number, title: string, detail: string): HtmlResponse {
  return page(statusCode, title, `<p>${htmlText(detail, 1024)}</p><p>Nothing was changed.</p>`);
}

export function decidedPage(decision: 'approve' | 'deny', incidentId: string, followUp: readonly string[]): HtmlResponse {
  const title = decision === 'approve' ? 'Approved' : 'Denied';
  return page(
    200,
    title,
    `<p>Your decision on incident ${htmlText(incidentId)} is recorded.</p>` + (followUp.length > 0 ? `<ul>${followUp.map((line) => `<li>${htmlText(line, 1024)}</li>`).join('')}</ul>` : ''),
  );
}
