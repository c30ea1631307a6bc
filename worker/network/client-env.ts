// What every network client in a simulated process starts from: its network (if any), its
// resolver files, and which release of a tool the image ships (their messages differ by release).
import type { Proc } from "../runtime/shell/proc";
import { lookupHost, parseHosts, parseResolvConf, type HostLookup } from "./dns";
import type { NetworkAccess } from "./types";

export interface ClientEnv {
  net: NetworkAccess | undefined;
  lookup(name: string): HostLookup;
}

export function clientEnv(p: Proc): ClientEnv {
  const net = p.opts.network;
  const conf = parseResolvConf(p.readFile("/etc/resolv.conf"));
  const hosts = parseHosts(p.readFile("/etc/hosts"));
  return {
    net,
    lookup: (name) => {
      if (!net) {
        // No network at all: only literals and the hosts file resolve.
        const literal = /^\d{1,3}(\.\d{1,3}){3}$/.test(name) ? name : hosts.get(name.toLowerCase());
        return literal ? { ok: true, address: literal, name } : { ok: false, reason: "notfound", elapsedMs: 0 };
      }
      return lookupHost(net, name, conf, hosts, p.now());
    },
  };
}

export interface ParsedUrl {
  scheme: string;
  host: string;
  port: number;
  /** Path with its query, `/` at least. */
  path: string;
  /** `host[:port]` as a Host header carries it. */
  authority: string;
}

export function parseUrl(raw: string): ParsedUrl | undefined {
  const m = /^(?:([a-zA-Z][\w+.-]*):\/\/)?(\[[^\]]*\]|[^/:?#\s]+)(?::(\d*))?([/?][^#\s]*)?/.exec(raw.trim());
  if (!m) return undefined;
  const scheme = (m[1] ?? "http").toLowerCase();
  const defaultPort = scheme === "https" ? 443 : 80;
  const port = m[3] ? Number(m[3]) : defaultPort;
  const host = m[2].toLowerCase();
  let path = m[4] ?? "/";
  if (path.startsWith("?")) path = `/${path}`;
  return { scheme, host, port, path, authority: port === defaultPort ? host : `${host}:${port}` };
}

/** `major.minor` of a version string as a number (1.28 → 1.28, 1.36.1 → 1.36). */
export function versionNumber(v: string): number {
  const m = /(\d+)\.(\d+)/.exec(v);
  return m ? Number(m[1]) + Number(m[2]) / 100 : 0;
}

/** The BusyBox release an image carries, from its tag where the tag names one. */
export function busyboxVersion(p: Proc): string {
  const id = p.image.id;
  if (id === "busyboxplus") return "1.21.1";
  if (id === "busybox") {
    const m = /^(\d+\.\d+(?:\.\d+)?)/.exec(p.opts.imageTag ?? "");
    if (m) return m[1];
  }
  return "1.37.0";
}

/** The curl release an image carries. */
export function curlVersion(p: Proc): string {
  switch (p.image.id) {
    case "kubeplay-node":
      return "7.81.0";
    case "centos":
      return "7.29.0";
    case "busyboxplus":
      return "7.30.0";
    case "curl": {
      const m = /^(\d+\.\d+(?:\.\d+)?)/.exec(p.opts.imageTag ?? "");
      return m ? (m[1].split(".").length === 2 ? `${m[1]}.0` : m[1]) : "8.12.1";
    }
  }
  return "8.12.1";
}

/**
 * Waits on the process's clock as a client blocked on the network would (not in process models,
 * whose network is timeless). The wait is bounded by the client or the kernel, so one that starts
 * before the process's horizon runs to its end: a node-shell command is stopped at 60 s because it
 * might never end, and a plain `curl` to a dropped address does end, after the SYN timeout. The
 * next wait past the horizon is where such a command is stopped.
 */
export function waitFor(p: Proc, ms: number): void {
  const net = p.opts.network;
  if (!net || net.timeless || !(ms > 0)) return;
  if (ms !== Infinity && p.t <= p.opts.horizon && p.t + ms > p.opts.horizon) p.t += ms;
  else p.sleep(ms);
}

/** The kernel's wait for a SYN nobody answers (tcp_syn_retries = 6): 1+2+4+8+16+32+64 s. */
export const SYN_TIMEOUT_MS = 127_000;
