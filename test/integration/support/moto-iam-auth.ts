/*
 * moto can check every request against IAM: the signature of a known access
 * key and the caller's identity policies. It is off by default (the tests
 * use an unknown key that acts in the default account); these switch it on
 * for one test and off again. Server-wide: only safe because the test files
 * run one at a time (maxWorkers: 1).
 */

async function resetAuth(endpoint: string, initialUnauthenticatedRequests: string): Promise<void> {
  const response = await fetch(`${endpoint}/moto-api/reset-auth`, { method: 'POST', body: initialUnauthenticatedRequests });
  if (!response.ok) throw new Error(`moto reset-auth failed: HTTP ${response.status}`);
}

/** From the next request on, every call must be signed by a key moto knows and allowed by its policies. */
export function enableIamAuthentication(endpoint: string): Promise<void> {
  return resetAuth(endpoint, '0');
}

/** Back to moto's default: nothing is checked. */
export function disableIamAuthentication(endpoint: string): Promise<void> {
  return resetAuth(endpoint, 'inf');
}
