// Base images whose default command is a shell: busybox, alpine, ubuntu, debian, centos, and the
// small tool images tutorials use (curl, busyboxplus). With no terminal attached that shell reads
// an empty stdin and exits 0 — the reason `kubectl run b --image=busybox` ends in CrashLoopBackOff.
import type { CatalogImage } from "../images";

function osRelease(pretty: string, id: string, version: string): string {
  return `PRETTY_NAME="${pretty}"\nNAME="${pretty.replace(/ \d.*$/, "")}"\nVERSION_ID="${version}"\nID=${id}\n`;
}

const range = (from: number, to: number, patch: number): Record<string, number> => {
  const out: Record<string, number> = {};
  for (let m = from; m <= to; m++) out[`1.${m}`] = patch;
  return out;
};

export const DISTRO_IMAGES: CatalogImage[] = [
  {
    id: "busybox",
    repositories: ["docker.io/library/busybox", "registry.k8s.io/busybox", "k8s.gcr.io/busybox", "gcr.io/google-containers/busybox", "quay.io/prometheus/busybox"],
    names: ["busybox"],
    tags: { named: ["latest", "stable", "unstable", "musl", "glibc", "uclibc"], lines: range(21, 37, 4), variants: ["musl", "glibc", "uclibc"] },
    size: 2_155_437,
    config: { cmd: ["sh"] },
    shell: "busybox",
    memoryMi: 1,
    programs: ["wget", "nslookup", "ping", "nc", "telnet", "vi", "top", "ps", "kill", "killall"],
    files: { "/etc/os-release": "NAME=busybox\n" },
  },
  {
    id: "alpine",
    repositories: ["docker.io/library/alpine"],
    names: ["alpine"],
    tags: { named: ["latest", "edge"], lines: { "3.1": 4, "3.2": 3, "3.3": 3, "3.4": 6, "3.5": 3, "3.6": 5, "3.7": 3, "3.8": 5, "3.9": 6, "3.10": 9, "3.11": 13, "3.12": 12, "3.13": 12, "3.14": 10, "3.15": 11, "3.16": 9, "3.17": 10, "3.18": 12, "3.19": 7, "3.20": 6, "3.21": 4, "3.22": 1 } },
    size: 3_653_068,
    config: { cmd: ["/bin/sh"] },
    shell: "busybox",
    memoryMi: 1,
    programs: ["wget", "nslookup", "ping", "nc", "apk", "ps", "kill", "killall"],
    files: { "/etc/os-release": osRelease("Alpine Linux v3.21", "alpine", "3.21.2") },
  },
  {
    id: "ubuntu",
    repositories: ["docker.io/library/ubuntu"],
    names: ["ubuntu"],
    tags: { named: ["latest", "rolling", "devel", "trusty", "xenial", "bionic", "focal", "jammy", "noble", "oracular", "plucky", "14.04", "16.04", "18.04", "20.04", "22.04", "24.04", "24.10", "25.04"] },
    size: 29_754_422,
    config: { cmd: ["/bin/bash"] },
    shell: "bash",
    memoryMi: 1,
    programs: ["bash", "apt-get", "apt", "ps", "kill"],
    files: { "/etc/os-release": osRelease("Ubuntu 24.04.1 LTS", "ubuntu", "24.04") },
  },
  {
    id: "debian",
    repositories: ["docker.io/library/debian"],
    names: ["debian"],
    tags: {
      named: ["latest", "stable", "testing", "unstable", "sid", "jessie", "stretch", "buster", "bullseye", "bookworm", "trixie", "stable-slim", "bookworm-slim", "bullseye-slim", "buster-slim", "trixie-slim"],
      lines: { "8": 11, "9": 13, "10": 13, "11": 11, "12": 9, "13": 0 },
      variants: ["slim"],
    },
    size: 48_490_000,
    variantSizes: { slim: 28_230_000 },
    config: { cmd: ["bash"] },
    shell: "bash",
    memoryMi: 1,
    programs: ["bash", "apt-get", "apt"],
    files: { "/etc/os-release": osRelease("Debian GNU/Linux 12 (bookworm)", "debian", "12") },
  },
  {
    id: "centos",
    repositories: ["docker.io/library/centos", "quay.io/centos/centos"],
    names: ["centos"],
    tags: { named: ["latest", "centos7", "centos8", "7", "8", "stream8", "stream9", "7.9.2009", "8.4.2105"] },
    size: 75_800_000,
    config: { cmd: ["/bin/bash"] },
    shell: "bash",
    memoryMi: 1,
    programs: ["bash", "yum", "curl", "ps", "kill"],
    files: { "/etc/os-release": osRelease("CentOS Linux 7 (Core)", "centos", "7") },
  },
  {
    id: "curl",
    repositories: ["docker.io/curlimages/curl"],
    names: ["curl"],
    tags: { named: ["latest"], lines: { "7.85": 0, "7.86": 0, "7.87": 0, "7.88": 1, "8.1": 2, "8.2": 1, "8.4": 0, "8.5": 0, "8.6": 0, "8.7": 1, "8.8": 0, "8.9": 1, "8.10": 1, "8.11": 1, "8.12": 1 } },
    size: 10_700_000,
    config: { entrypoint: ["/entrypoint.sh"], cmd: ["curl"] },
    shell: "busybox",
    memoryMi: 1,
    programs: ["curl", "entrypoint.sh"],
    files: {},
  },
  {
    id: "busyboxplus",
    repositories: ["docker.io/radial/busyboxplus"],
    names: ["busyboxplus"],
    tags: { named: ["latest", "curl", "git", "base"] },
    size: 4_230_000,
    config: { cmd: ["/bin/sh"] },
    shell: "busybox",
    memoryMi: 1,
    programs: ["curl", "wget", "nslookup", "ping"],
    files: {},
  },
];
