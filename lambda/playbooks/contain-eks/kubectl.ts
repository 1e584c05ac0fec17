/*
 * The Kubernetes API actions of an EKS response are a person's to run: the
 * responder holds no cluster credentials. It plans them as exact kubectl
 * commands for the notification. Every name in them comes from the finding,
 * that is from the attacker's cluster: a name is used only when it is a
 * valid Kubernetes name (which holds no shell metacharacter), and quoted
 * anyway, so a command can be pasted as it is.
 */

/** RFC 1123 subdomain: what Kubernetes accepts for pod, node and most object names (at most 253 characters). */
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
/** RFC 1123 label: what Kubernetes accepts for a namespace (at most 63 characters). */
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export function isKubernetesName(name: string): boolean {
  return name.length <= 253 && DNS_SUBDOMAIN.test(name);
}

export function isNamespace(name: string): boolean {
  return name.length <= 63 && DNS_LABEL.test(name);
}

/** POSIX shell single quotes: nothing inside is interpreted; a quote itself is closed, escaped and reopened. */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** The label the responder puts on a quarantined pod, and the NetworkPolicy that selects it. */
export const QUARANTINE_LABEL = 'ir-quarantine';

export interface Workload {
  readonly namespace: string;
  readonly pod: string;
}

export interface KubectlPlan {
  readonly commands: readonly string[];
  /** What could not be turned into a command, and why. */
  readonly refused: readonly string[];
}

/** kubectl for the cluster: the context is the team's, so the cluster's name is only said, never used in a command. */
export function cordonNode(nodeName: string | null): KubectlPlan {
  if (!nodeName) return { commands: [], refused: ['the finding names no node (its private DNS name): cordon it by hand (kubectl cordon <node>)'] };
  if (!isKubernetesName(nodeName)) return { commands: [], refused: ['the node name in the finding is not a valid Kubernetes name: cordon the node by hand'] };
  return { commands: [`kubectl cordon ${shellQuote(nodeName)}`], refused: [] };
}

/** Label the pod, then deny all its traffic with a NetworkPolicy selecting that label (enforced only where the cluster runs a network policy engine). */
export function isolatePod(workload: Workload | null, incidentLabel: string): KubectlPlan {
  if (!workload) return { commands: [], refused: ['the finding names no pod: nothing to label or isolate'] };
  if (!isNamespace(workload.namespace) || !isKubernetesName(workload.pod)) {
    return { commands: [], refused: ['the pod or namespace name in the finding is not a valid Kubernetes name: label and isolate the pod by hand'] };
  }
  if (!isKubernetesName(incidentLabel) || incidentLabel.length > 63) throw new Error(`incident label ${incidentLabel} is not a valid label value`);
  const ns = shellQuote(workload.namespace);
  const policy = JSON.stringify({
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: `${QUARANTINE_LABEL}-${incidentLabel}`, namespace: workload.namespace },
    spec: { podSelector: { matchLabels: { [QUARANTINE_LABEL]: incidentLabel } }, policyTypes: ['Ingress', 'Egress'] },
  });
  return {
    commands: [
      `kubectl label pod --namespace ${ns} ${shellQuote(workload.pod)} ${shellQuote(`${QUARANTINE_LABEL}=${incidentLabel}`)} --overwrite`,
      `printf '%s' ${shellQuote(policy)} | kubectl apply --namespace ${ns} -f -`,
    ],
    refused: [],
  };
}
