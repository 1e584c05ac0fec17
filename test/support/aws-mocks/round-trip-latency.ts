import { performance } from 'node:perf_hooks';
import type { RecordedCall } from '../../../bench/latency-proxy';
import { EVERY_CLIENT } from '../../../lambda/aws/every-client';

/*
 * Every AWS call made to wait a round trip, as the benchmark's proxy does
 * (bench/latency-proxy.ts), and recorded in its shape, so that the
 * benchmark's own round-trip counting (bench/round-trips.ts) runs on a
 * mocked response. It goes behind each client class's send, that is behind
 * aws-sdk-client-mock's stub: install it after the mocks are reset (a reset
 * replaces the stub) and remove it before the next reset.
 */

interface Sendable {
  send(this: unknown, command: { constructor: { name: string }; input?: unknown }, ...rest: unknown[]): Promise<unknown>;
}

const CLASSES = Object.values(EVERY_CLIENT) as unknown as { prototype: Sendable }[];

/**
 * The EC2 query parameters of a group move, as the proxy records them (the groups moved to, and the interface moved),
 * and the interfaces a DescribeNetworkInterfaces reads; none for other calls.
 */
function paramsOf(command: { constructor: { name: string }; input?: unknown }): Record<string, string> {
  const input = (command.input ?? {}) as { Groups?: string[]; NetworkInterfaceId?: string; NetworkInterfaceIds?: string[] };
  const key = command.constructor.name === 'ModifyInstanceAttributeCommand' ? 'GroupId' : 'SecurityGroupId';
  return {
    ...Object.fromEntries((input.Groups ?? []).map((g, i) => [`${key}.${i + 1}`, g])),
    ...(typeof input.NetworkInterfaceId === 'string' ? { NetworkInterfaceId: input.NetworkInterfaceId } : {}),
    ...Object.fromEntries((input.NetworkInterfaceIds ?? []).map((id, i) => [`NetworkInterfaceId.${i + 1}`, id])),
  };
}

export class RoundTripLatency {
  /** Every call answered since the last clear, in the order answered. */
  readonly calls: RecordedCall[] = [];
  private readonly stubs = new Map<{ prototype: Sendable }, Sendable['send']>();

  constructor(private readonly latencyMs: number) {}

  install(): void {
    const { calls, latencyMs } = this;
    for (const Client of CLASSES) {
      const stub = Client.prototype.send;
      this.stubs.set(Client, stub);
      Client.prototype.send = async function (this: unknown, command, ...rest) {
        const sentAt = performance.now();
        await new Promise((resolve) => setTimeout(resolve, latencyMs));
        let status = 200;
        try {
          return await stub.call(this, command, ...rest);
        } catch (error) {
          status = 400;
          throw error;
        } finally {
          const operation = command.constructor.name.replace(/Command$/, '');
          calls.push({ seq: calls.length, operation, action: operation, params: paramsOf(command), accessKeyId: '', sentAt, answeredAt: performance.now(), upstreamMs: 0, throttled: false, faulted: false, fault: undefined, status });
        }
      };
    }
  }

  remove(): void {
    for (const [Client, stub] of this.stubs) Client.prototype.send = stub;
    this.stubs.clear();
  }

  clear(): void {
    this.calls.length = 0;
  }
}
