// How much CPU the simulated programs use: an idle baseline per image, the CPU time one served
// request costs, what a shell loop's commands cost the client, CPU burners (`stress`), and the
// node's own processes (kubelet, containerd, the OS). Timings as data; the arithmetic is in usage.ts.
import type { Container } from "kubernetes-types/core/v1";
import { resolveImage } from "../runtime/images";
import { containerArgv } from "../runtime/process";

export interface CpuProfile {
  /** Millicores the process uses doing nothing. */
  idleMilli: number;
  /** CPU milliseconds one request costs it (at one core's speed). */
  requestMs: number;
  /** Cores it keeps busy by itself (CPU burners), before limits. */
  burnCores?: number;
}

/** Network round trip of one in-cluster request, ms (connect, send, receive). */
export const ROUND_TRIP_MS = 1;
/** CPU one command of a shell loop costs (fork and exec of wget, sleep…), ms. */
export const COMMAND_MS = 0.5;

const DEFAULT: CpuProfile = { idleMilli: 0, requestMs: 0.2 };

// php-apache's index.php runs a million-step sqrt loop: about 25 ms of CPU per request, so ten
// requests a second keep a pod near 250m, as in the HPA walkthrough.
const BY_IMAGE: Record<string, Partial<CpuProfile>> = {
  "hpa-example": { idleMilli: 1, requestMs: 25 },
  nginx: { idleMilli: 0, requestMs: 0.15 },
  httpd: { idleMilli: 1, requestMs: 0.2 },
  echoserver: { idleMilli: 1, requestMs: 0.3 },
  "hello-app": { idleMilli: 0, requestMs: 0.1 },
  agnhost: { idleMilli: 1, requestMs: 0.1 },
  "kubernetes-bootcamp": { idleMilli: 1, requestMs: 0.5 },
  redis: { idleMilli: 2 },
  mysql: { idleMilli: 6 },
  mariadb: { idleMilli: 4 },
  postgres: { idleMilli: 3 },
  mongo: { idleMilli: 6 },
  node: { idleMilli: 1 },
  python: { idleMilli: 1 },
  "kube-apiserver": { idleMilli: 45 },
  etcd: { idleMilli: 22 },
  "kube-controller-manager": { idleMilli: 14 },
  "kube-scheduler": { idleMilli: 3 },
  coredns: { idleMilli: 2 },
  "kube-proxy": { idleMilli: 1 },
  pause: { idleMilli: 0 },
};

function flagValue(argv: string[], names: string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    for (const n of names) {
      if (argv[i] === n) return argv[i + 1];
      if (argv[i].startsWith(`${n}=`)) return argv[i].slice(n.length + 1);
    }
  }
  return undefined;
}

/** Cores a CPU stress program keeps busy (`stress --cpu 2`, vish/stress `-cpus 2`), from its argv. */
function burnCores(imageId: string, argv: string[]): number | undefined {
  const names = imageId === "vish-stress" ? ["-cpus", "--cpus"] : imageId === "stress" ? ["--cpu", "-c"] : [];
  if (!names.length) return undefined;
  const n = Number(flagValue(argv, names));
  return Number.isFinite(n) && n > 0 ? n : undefined;
}

/** The CPU profile of a container's process. */
export function cpuProfile(container: Container): CpuProfile {
  const resolved = resolveImage(container.image ?? "");
  if (!resolved.ok) return DEFAULT;
  const id = resolved.image.id;
  const burn = burnCores(id, containerArgv(resolved.image, container.command, container.args));
  return { ...DEFAULT, ...BY_IMAGE[id], ...(burn ? { burnCores: burn } : {}) };
}

/** What a node's own processes use besides its pods. */
export function nodeSystemUsage(controlPlane: boolean): { milli: number; bytes: number } {
  return controlPlane ? { milli: 60, bytes: 560 * 2 ** 20 } : { milli: 30, bytes: 410 * 2 ** 20 };
}
