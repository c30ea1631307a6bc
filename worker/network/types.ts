// What a simulated process can ask of the cluster network: DNS questions to a server, one HTTP
// exchange over a TCP connection, an ICMP echo. The clients (curl, wget, nslookup, ping) build
// their behaviour and wording on these; the network module answers them from the cluster's objects
// the way kube-proxy, CoreDNS and the pod network would.
import type { AccessRecord } from "../runtime/images/web";

export type DnsType = "A" | "AAAA" | "PTR";

export type DnsRecord = { type: "A"; name: string; address: string } | { type: "CNAME"; name: string; target: string } | { type: "PTR"; name: string; target: string };

export interface DnsAnswer {
  rcode: "NOERROR" | "NXDOMAIN" | "SERVFAIL";
  /** The server is authoritative for the name (CoreDNS for cluster.local). */
  authoritative: boolean;
  records: DnsRecord[];
}

export interface HttpExchange {
  method: string;
  /** Path with its query. */
  path: string;
  headers: Record<string, string>;
  body?: string;
}

export type ConnectOutcome =
  /** The server answered. `server` is where the connection really ended up (after DNAT). */
  | { kind: "response"; status: number; headers: Record<string, string>; body: string; server: { ip: string; port: number }; client?: string }
  /** A TCP listener that speaks no HTTP: the connection closes without an answer. */
  | { kind: "empty" }
  /** RST, or a REJECT rule's ICMP port-unreachable: fails at once. */
  | { kind: "refused" }
  /** ICMP host-unreachable after ARP gave up (a pod IP nobody holds). */
  | { kind: "unreachable"; afterMs: number }
  /** Nothing answers the SYN (a dropped packet, a down node): the client waits for its timeout. */
  | { kind: "timeout" };

/**
 * One request a container answered, as its server would log it: the pod and container instance,
 * the port it came in on, and what its access log line is made of. `client` is the address the
 * server saw (after kube-proxy's SNAT); `at` the request's virtual time.
 */
export interface ServedRequest extends AccessRecord {
  namespace: string;
  pod: string;
  /** The pod's identity (podIdentity): a record of another pod of that name is not this one's. */
  uid: string;
  container: string;
  /** The container instance (its id) that answered. */
  instance: string;
  /** The listener's server (`nginx`): what decides whether and how it logs the request. */
  server?: string;
  port: number;
}

export type PingOutcome = { kind: "reply"; ttl: number; ms: number } | { kind: "unreachable" } | { kind: "timeout" };

/** The network as one process sees it, from its own address. */
export interface NetworkAccess {
  /** The address connections leave from (the pod IP, or the node's). */
  readonly localIP: string;
  /**
   * Failures come back at once instead of after the client's timeout. Process models are made once,
   * at a container's start: a transient outage must not stay baked into a loop's pace, which the
   * metrics load model works out itself.
   */
  readonly timeless?: boolean;
  /**
   * Asks `server` (UDP 53) one question; undefined when no server answers. `at` is the question's
   * virtual time (process models answer from the network as it was then).
   */
  dns(server: string, name: string, type: DnsType, at?: number): DnsAnswer | undefined;
  /** Opens a TCP connection to `ip:port` at virtual time `at` and sends one request. */
  http(ip: string, port: number, req: HttpExchange, at: number): ConnectOutcome;
  /** One ICMP echo request. */
  ping(ip: string, at: number): PingOutcome;
}
