import type { Finding } from '../finding/schema';
import type { Fact } from './resources';

/*
 * What the finding says, in its own words: title, description, when it was
 * first and last seen, how often, the actor (IP, country, organisation) and
 * the API, port or domain involved. Unescaped: each rendering escapes.
 */

export interface FindingFacts {
  readonly title?: string;
  readonly description?: string;
  readonly facts: readonly Fact[];
}

type Action = NonNullable<NonNullable<Finding['service']>['action']>;
type RemoteIp = NonNullable<NonNullable<Action['awsApiCallAction']>['remoteIpDetails']>;
type Port = NonNullable<NonNullable<Action['networkConnectionAction']>['remotePortDetails']>;

function fact(label: string, value: string | null | undefined): Fact[] {
  return value ? [{ label, value }] : [];
}

/** "198.51.100.7 (Russia; AS-EXAMPLE, Example ISP)": the country and organisation where the finding has them. */
export function describeIp(ip: RemoteIp | null | undefined): string | undefined {
  const address = ip?.ipAddressV4 ?? ip?.ipAddressV6;
  if (!ip || !address) return undefined;
  const place = [ip.city?.cityName, ip.country?.countryName].filter(Boolean).join(', ');
  const org = [...new Set([ip.organization?.org, ip.organization?.asnOrg, ip.organization?.isp].filter(Boolean))].join(', ');
  const asn = ip.organization?.asn && ip.organization.asn !== '-1' ? `AS${ip.organization.asn}` : undefined;
  const about = [place, [org, asn].filter(Boolean).join(' ')].filter(Boolean).join('; ');
  return about ? `${address} (${about})` : address;
}

function describePort(port: Port | null | undefined): string | undefined {
  if (!port?.port) return undefined;
  return port.portName && port.portName !== 'Unknown' ? `${port.port} (${port.portName})` : port.port;
}

/** The actor and the activity of each action type GuardDuty reports. */
function actionFacts(action: Action | null | undefined): Fact[] {
  if (!action) return [];
  const api = action.awsApiCallAction;
  const net = action.networkConnectionAction;
  const probe = action.portProbeAction;
  const dns = action.dnsRequestAction;
  const k8s = action.kubernetesApiCallAction;
  const rds = action.rdsLoginAttemptAction;
  const probes = probe?.portProbeDetails ?? [];
  const logins = rds?.LoginAttributes ?? rds?.loginAttributes ?? [];
  return [
    ...fact('Actor', describeIp(api?.remoteIpDetails ?? net?.remoteIpDetails ?? probes[0]?.remoteIpDetails ?? k8s?.remoteIpDetails ?? rds?.remoteIpDetails)),
    ...fact('Actor IPs', probes.length > 1 ? probes.map((p) => describeIp(p.remoteIpDetails)).filter(Boolean).slice(0, 5).join(', ') : undefined),
    ...fact('API', api?.api ? `${api.serviceName ? `${api.serviceName} ` : ''}${api.api}${api.errorCode ? ` (answered ${api.errorCode})` : ''}` : undefined),
    ...fact('Caller type', api?.callerType),
    ...fact(
      'Connection',
      net ? [net.connectionDirection, net.protocol, describePort(net.remotePortDetails) ? `remote port ${describePort(net.remotePortDetails)}` : undefined, describePort(net.localPortDetails) ? `local port ${describePort(net.localPortDetails)}` : undefined, net.blocked ? 'blocked' : undefined].filter(Boolean).join(', ') : undefined,
    ),
    ...fact('Probed ports', probes.length > 0 ? [...new Set(probes.map((p) => describePort(p.localPortDetails)).filter(Boolean))].join(', ') : undefined),
    ...fact('DNS query', dns?.domain ? `${dns.domain}${dns.protocol ? ` over ${dns.protocol}` : ''}${dns.blocked ? ', blocked' : ''}` : undefined),
    ...fact('Kubernetes API', k8s?.verb || k8s?.requestUri ? [k8s.verb, k8s.requestUri, k8s.statusCode ? `(status ${k8s.statusCode})` : undefined].filter(Boolean).join(' ') : undefined),
    ...fact(
      'Database logins',
      logins.length > 0
        ? logins.slice(0, 5).map((l) => `${l.user ?? '(no user)'}${l.application ? ` via ${l.application}` : ''}: ${l.successfulLoginAttempts ?? '?'} succeeded, ${l.failedLoginAttempts ?? '?'} failed`).join('; ')
        : undefined,
    ),
  ];
}

export function findingFactsOf(finding: Finding): FindingFacts {
  const service = finding.service;
  const process = service?.runtimeDetails?.process;
  return {
    ...(finding.title ? { title: finding.title } : {}),
    ...(finding.description ? { description: finding.description } : {}),
    facts: [
      ...fact('First seen', service?.eventFirstSeen ?? finding.createdAt),
      ...fact('Last seen', service?.eventLastSeen ?? finding.updatedAt),
      ...fact('Count', service?.count !== undefined && service.count !== null ? String(service.count) : undefined),
      ...fact('Resource role', service?.resourceRole),
      ...actionFacts(service?.action),
      ...fact('Process', process?.name ? `${process.name}${process.executablePath ? ` (${process.executablePath})` : ''}${process.pid ? ` pid ${process.pid}` : ''}` : undefined),
    ],
  };
}
