// nslookup and ping in their three flavours: BusyBox up to 1.28 (libc's resolver, with the search
// path), BusyBox 1.29+ (its own resolver: a name without a dot is tried in each search domain from
// 1.33 on, a name with one is asked as given — the reason `nslookup kubernetes.default` fails there),
// and the node's BIND nslookup and iputils ping.
// Models busybox networking/nslookup.c (both implementations) and networking/ping.c, bind9
// bin/dig/nslookup.c printing, iputils ping.
import type { Io, Proc, Program } from "../runtime/shell/proc";
import { busyboxVersion, clientEnv, versionNumber, waitFor } from "./client-env";
import { parseResolvConf, reverseName } from "./dns";
import { unitHash } from "./proxy";
import type { DnsAnswer, NetworkAccess } from "./types";

type Flavour = "busybox-old" | "busybox" | "bind";

function flavourOf(p: Proc): Flavour {
  if (p.image.id === "kubeplay-node" || p.image.shell === "bash" || p.image.shell === "dash") return "bind";
  return versionNumber(busyboxVersion(p)) <= 1.28 ? "busybox-old" : "busybox";
}

function ask(net: NetworkAccess | undefined, servers: string[], name: string, type: "A" | "AAAA" | "PTR", at: number): { server: string; answer: DnsAnswer } | undefined {
  if (!net) return undefined;
  for (const s of servers) {
    const answer = net.dns(s, name, type, at);
    if (answer) return { server: s, answer };
  }
  return undefined;
}

function ptrName(net: NetworkAccess | undefined, server: string, ip: string, at: number): string | undefined {
  const r = net?.dns(server, reverseName(ip), "PTR", at);
  const rec = r?.records.find((x) => x.type === "PTR");
  return rec?.type === "PTR" ? rec.target : undefined;
}

export const nslookup: Program = (p: Proc, argv: string[], io: Io) => {
  const args = argv.slice(1).filter((a) => !a.startsWith("-"));
  const flavour = flavourOf(p);
  const name = args[0];
  if (!name) {
    if (flavour === "bind") {
      io.err("nslookup: interactive mode is not available here; give a name\n");
      return 1;
    }
    io.err("BusyBox v1.37.0 (2024-09-26 21:31:42 UTC) multi-call binary.\n\nUsage: nslookup [-type=QUERY_TYPE] [-debug] HOST [DNS_SERVER]\n\nQuery DNS about HOST\n");
    return 1;
  }
  const net = p.opts.network;
  const conf = parseResolvConf(p.readFile("/etc/resolv.conf"));
  const servers = args[1] ? [args[1]] : conf.nameservers.length ? conf.nameservers : ["127.0.0.1"];
  if (flavour === "busybox-old") return oldBusybox(p, io, name, servers);
  const isIP = /^\d{1,3}(\.\d{1,3}){3}$/.test(name);
  // BusyBox and BIND build their list of questions, then print each answer in turn.
  const questions: { name: string; type: "A" | "AAAA" | "PTR" }[] = [];
  if (isIP) questions.push({ name: reverseName(name), type: "PTR" });
  else {
    const withSearch = flavour === "bind" ? searchNames(name, conf) : !name.includes(".") && versionNumber(busyboxVersion(p)) >= 1.33 && conf.search.length ? conf.search.map((d) => `${name}.${d}`) : [name.replace(/\.$/, "")];
    for (const type of ["A", "AAAA"] as const) for (const n of withSearch) questions.push({ name: n, type });
  }
  const first = ask(net, servers, questions[0].name, questions[0].type, p.now());
  if (!first) {
    io.out(";; connection timed out; no servers could be reached\n\n");
    waitFor(p, 10_000);
    return 1;
  }
  const server = first.server;
  io.out(flavour === "bind" ? `Server:\t\t${server}\nAddress:\t${server}#53\n\n` : `Server:\t\t${server}\nAddress:\t${server}:53\n\n`);
  if (flavour === "bind") return bindAnswers(io, net!, server, name, questions, p.now());
  let status = 0;
  for (const q of questions) {
    const a = net!.dns(server, q.name, q.type, p.now());
    if (!a) continue;
    if (a.rcode !== "NOERROR") {
      io.out(`** server can't find ${q.name}: ${a.rcode}\n\n`);
      status = 1;
      continue;
    }
    if (!a.authoritative) io.out("Non-authoritative answer:\n");
    for (const r of a.records) {
      if (r.type === "A") io.out(`Name:\t${r.name}\nAddress: ${r.address}\n`);
      else if (r.type === "CNAME") io.out(`${r.name}\tcanonical name = ${r.target}\n`);
      else io.out(`${r.name}\tname = ${r.target}\n`);
    }
    io.out("\n");
  }
  return status;
};

/** BIND's search: the name with each search domain while it has fewer dots than ndots, then as given. */
function searchNames(name: string, conf: ReturnType<typeof parseResolvConf>): string[] {
  if (name.endsWith(".")) return [name.slice(0, -1)];
  const dots = name.split(".").length - 1;
  const searched = conf.search.map((d) => `${name}.${d}`);
  return dots >= conf.ndots ? [name, ...searched] : [...searched, name];
}

/** BIND answers the first candidate that exists; NXDOMAIN only when none does. */
function bindAnswers(io: Io, net: NetworkAccess, server: string, name: string, questions: { name: string; type: "A" | "AAAA" | "PTR" }[], at: number): number {
  const ptr = questions[0].type === "PTR";
  const a = questions.filter((q) => q.type === (ptr ? "PTR" : "A"));
  for (const q of a) {
    const answer = net.dns(server, q.name, q.type, at);
    if (!answer || answer.rcode !== "NOERROR") continue;
    if (!answer.authoritative) io.out("Non-authoritative answer:\n");
    for (const r of answer.records) {
      if (r.type === "A") io.out(`Name:\t${r.name}\nAddress: ${r.address}\n`);
      else if (r.type === "CNAME") io.out(`${r.name}\tcanonical name = ${r.target}.\n`);
      else io.out(`${r.name}\tname = ${r.target}.\n`);
    }
    io.out("\n");
    return 0;
  }
  io.out(`** server can't find ${ptr ? questions[0].name : name}: NXDOMAIN\n\n`);
  return 1;
}

/** BusyBox ≤ 1.28: libc's getaddrinfo with the search path, and a reverse lookup of every address. */
function oldBusybox(p: Proc, io: Io, name: string, servers: string[]): number {
  const net = p.opts.network;
  const server = servers[0];
  const serverName = ptrName(net, server, server, p.now());
  io.out(`Server:    ${server}\nAddress 1: ${server}${serverName ? ` ${serverName}` : ""}\n\n`);
  const env = clientEnv(p);
  const r = env.lookup(name);
  if (!r.ok) {
    io.err(`nslookup: can't resolve '${name}'\n`);
    return 1;
  }
  const reverse = ptrName(net, server, r.address, p.now());
  io.out(`Name:      ${name}\nAddress 1: ${r.address}${reverse ? ` ${reverse}` : ""}\n`);
  return 0;
}

// ---- ping ------------------------------------------------------------------------------------------

function rtt(ip: string, seq: number, base: number, at: number): number {
  return base * (0.8 + 0.4 * unitHash(`${ip}|${seq}|${at}`));
}

export const ping: Program = (p: Proc, argv: string[], io: Io) => {
  const iputils = p.image.id === "kubeplay-node" || p.image.shell === "bash";
  let count = Infinity;
  let host: string | undefined;
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i];
    if (a === "-c") count = Number(argv[++i]);
    else if (/^-c\d+$/.test(a)) count = Number(a.slice(2));
    else if (["-W", "-w", "-i", "-s", "-t", "-I"].includes(a)) i++;
    else if (!a.startsWith("-")) host ??= a;
  }
  if (!host) {
    io.err(iputils ? "ping: usage error: Destination address required\n" : "BusyBox v1.37.0 (2024-09-26 21:31:42 UTC) multi-call binary.\n\nUsage: ping [OPTIONS] HOST\n");
    return iputils ? 2 : 1;
  }
  const env = clientEnv(p);
  const r = env.lookup(host);
  if (!r.ok) {
    io.err(iputils ? `ping: ${host}: ${r.reason === "timeout" ? "Temporary failure in name resolution" : "Name or service not known"}\n` : `ping: bad address '${host}'\n`);
    return iputils ? 2 : 1;
  }
  const ip = r.address;
  io.out(iputils ? `PING ${host} (${ip}) 56(84) bytes of data.\n` : `PING ${host} (${ip}): 56 data bytes\n`);
  const times: number[] = [];
  let sent = 0;
  let errors = 0;
  const start = p.t;
  // An endless ping shows its first replies, then runs until interrupted.
  const shown = Number.isFinite(count) ? count : 4;
  for (let seq = 0; seq < shown; seq++) {
    if (seq > 0) p.sleep(1000);
    sent++;
    const out = p.opts.network?.ping(ip, p.now()) ?? { kind: "timeout" as const };
    if (out.kind === "reply") {
      const ms = rtt(ip, seq, out.ms, p.now());
      times.push(ms);
      io.out(iputils ? `64 bytes from ${ip}: icmp_seq=${seq + 1} ttl=${out.ttl} time=${ms.toFixed(3)} ms\n` : `64 bytes from ${ip}: seq=${seq} ttl=${out.ttl} time=${ms.toFixed(3)} ms\n`);
    } else if (out.kind === "unreachable" && iputils) {
      errors++;
      io.out(`From ${p.opts.network?.localIP ?? ip} icmp_seq=${seq + 1} Destination Host Unreachable\n`);
    }
  }
  if (!Number.isFinite(count)) p.block();
  const received = times.length;
  const loss = Math.round(((sent - received) / sent) * 100);
  if (iputils) {
    const elapsed = Math.max(0, p.t - start);
    io.out(`\n--- ${host} ping statistics ---\n${sent} packets transmitted, ${received} received, ${errors ? `+${errors} errors, ` : ""}${loss}% packet loss, time ${elapsed}ms\n`);
    if (received) {
      const avg = times.reduce((a, b) => a + b, 0) / received;
      const mdev = Math.sqrt(times.reduce((a, b) => a + (b - avg) ** 2, 0) / received);
      io.out(`rtt min/avg/max/mdev = ${Math.min(...times).toFixed(3)}/${avg.toFixed(3)}/${Math.max(...times).toFixed(3)}/${mdev.toFixed(3)} ms\n`);
    }
  } else {
    io.out(`\n--- ${host} ping statistics ---\n${sent} packets transmitted, ${received} packets received, ${loss}% packet loss\n`);
    if (received) {
      const avg = times.reduce((a, b) => a + b, 0) / received;
      io.out(`round-trip min/avg/max = ${Math.min(...times).toFixed(3)}/${avg.toFixed(3)}/${Math.max(...times).toFixed(3)} ms\n`);
    }
  }
  return received ? 0 : 1;
};
