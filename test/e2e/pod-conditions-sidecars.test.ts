// With the real kubectl on a paused virtual clock: a readiness gate holds a running pod out of
// Ready until `kubectl patch --subresource=status` sets its condition True (the kubelet keeps that
// condition through its own writes), and a sidecar (an init container with restartPolicy Always)
// runs beside the container and counts in READY.
import { beforeAll, describe, expect, it } from "vitest";
import { createSandbox, kubectlOk, type Sandbox, sandboxPost, squash, table, writeFile } from "./harness";

let sb: Sandbox;

const advance = (seconds: number) => sandboxPost(sb, "clock", { advanceSeconds: seconds });
const row = (pod: string, wide = false) => table(kubectlOk(sb, ["get", "pod", pod, "--no-headers", ...(wide ? ["-o", "wide"] : [])]));

const GATED = `apiVersion: v1
kind: Pod
metadata:
  name: gated
spec:
  readinessGates:
  - conditionType: "www.example.com/feature-1"
  containers:
  - name: web
    image: nginx:1.25
`;

const SIDECAR = `apiVersion: v1
kind: Pod
metadata:
  name: with-sidecar
spec:
  initContainers:
  - name: logshipper
    image: busybox:1.36
    restartPolicy: Always
    command: ["sh", "-c", "while true; do echo shipping; sleep 5; done"]
  containers:
  - name: web
    image: nginx:1.25
`;

describe("readiness gates and sidecars with kubectl", () => {
  beforeAll(async () => {
    sb = await createSandbox();
    await sandboxPost(sb, "clock", { paused: true });
  });

  it("a readiness gate keeps the pod not Ready until its condition is patched True", async () => {
    kubectlOk(sb, ["apply", "-f", writeFile(sb, "gated.yaml", GATED)]);
    await advance(6);
    // READY counts containers; READINESS GATES (wide) counts the gates whose condition is True.
    expect(row("gated", true)).toMatch(/^gated 1\/1 Running 0 AGE \S+ k8s-node\d <none> 0\/1$/);
    expect(kubectlOk(sb, ["get", "pod", "gated", "-o", "jsonpath={.status.conditions[?(@.type==\"Ready\")].reason}: {.status.conditions[?(@.type==\"Ready\")].message}"])).toBe(
      'ReadinessGatesNotReady: corresponding condition of pod readiness gate "www.example.com/feature-1" does not exist.',
    );
    const patch = JSON.stringify([{ op: "add", path: "/status/conditions/-", value: { type: "www.example.com/feature-1", status: "True", lastProbeTime: null } }]);
    kubectlOk(sb, ["patch", "pod", "gated", "--subresource=status", "--type=json", `-p=${patch}`]);
    await advance(1);
    expect(row("gated", true)).toMatch(/ 1\/1$/);
    expect(kubectlOk(sb, ["get", "pod", "gated", "-o", "jsonpath={.status.conditions[?(@.type==\"Ready\")].status}"])).toBe("True");
    await advance(60);
    expect(kubectlOk(sb, ["get", "pod", "gated", "-o", "jsonpath={.status.conditions[?(@.type==\"www.example.com/feature-1\")].status}"])).toBe("True");
    const conditions = squash(kubectlOk(sb, ["describe", "pod", "gated"]));
    expect(conditions).toContain("Readiness Gates:\nType Status\nwww.example.com/feature-1 True");
  });

  it("a sidecar runs beside the container and counts in READY", async () => {
    kubectlOk(sb, ["apply", "-f", writeFile(sb, "sidecar.yaml", SIDECAR)]);
    await advance(10);
    expect(row("with-sidecar")).toBe("with-sidecar 2/2 Running 0 AGE");
    expect(kubectlOk(sb, ["logs", "with-sidecar", "-c", "logshipper"])).toMatch(/^(shipping\n)+$/);
    const out = squash(kubectlOk(sb, ["describe", "pod", "with-sidecar"]));
    expect(out).toMatch(/Init Containers:\nlogshipper:\n[\s\S]*?State: Running\n[\s\S]*?Ready: True\n/);
  });
});
