// kubernetes.io's "Assign Memory Resources" exceeding-the-limit example with the real kubectl on a
// paused virtual clock: memory-demo-2 (polinux/stress allocating 250M under a 100Mi limit) ends
// OOMKilled, is restarted, and goes into CrashLoopBackOff; `kubectl get` and `describe` print it
// as the tutorial shows.
import { beforeAll, describe, expect, it } from "vitest";
import { createSandbox, kubectlOk, type Sandbox, sandboxPost, squash, table, writeFile } from "./harness";

let sb: Sandbox;

const advance = (seconds: number) => sandboxPost(sb, "clock", { advanceSeconds: seconds });
const row = () => table(kubectlOk(sb, ["get", "pod", "memory-demo-2", "--namespace=mem-example", "--no-headers"])).replace(/\(\S+ ago\)/, "(AGE ago)");

const MANIFEST = `apiVersion: v1
kind: Pod
metadata:
  name: memory-demo-2
  namespace: mem-example
spec:
  containers:
  - name: memory-demo-2-ctr
    image: polinux/stress
    resources:
      requests:
        memory: "50Mi"
      limits:
        memory: "100Mi"
    command: ["stress"]
    args: ["--vm", "1", "--vm-bytes", "250M", "--vm-hang", "1"]
`;

describe("memory-demo-2: a container over its memory limit", () => {
  beforeAll(async () => {
    sb = await createSandbox();
    await sandboxPost(sb, "clock", { paused: true });
    kubectlOk(sb, ["create", "namespace", "mem-example"]);
    expect(kubectlOk(sb, ["apply", "-f", writeFile(sb, "memory-request-limit-2.yaml", MANIFEST), "--namespace=mem-example"])).toBe("pod/memory-demo-2 created\n");
  });

  it("is OOMKilled, then restarted, then in CrashLoopBackOff", async () => {
    // Pulled (polinux/stress, 4.1 MB) and started within a few seconds; killed once it passes 100Mi.
    const seen: string[] = [];
    for (let i = 0; i < 40; i++) {
      const r = row();
      if (seen.at(-1) !== r) seen.push(r);
      await advance(1);
    }
    expect(seen).toContain("memory-demo-2 0/1 OOMKilled 0 AGE");
    expect(seen).toContain("memory-demo-2 0/1 OOMKilled 1 (AGE ago) AGE");
    expect(seen).toContain("memory-demo-2 0/1 CrashLoopBackOff 1 (AGE ago) AGE");
    expect(seen.at(-1)).toMatch(/^memory-demo-2 0\/1 (CrashLoopBackOff|OOMKilled) [23] \(AGE ago\) AGE$/);
  });

  it("describe shows the last state: Terminated, OOMKilled, exit code 137", () => {
    const out = squash(kubectlOk(sb, ["describe", "pod", "memory-demo-2", "--namespace=mem-example"]));
    expect(out).toMatch(/\nLast State: Terminated\nReason: OOMKilled\nExit Code: 137\nStarted: .+\nFinished: .+\n/);
    expect(out).toContain("\nLimits:\nmemory: 100Mi\nRequests:\nmemory: 50Mi\n");
    expect(out).toMatch(/Warning BackOff \S+ (\(x\d+ over \S+\) )?kubelet Back-off restarting failed container memory-demo-2-ctr in pod memory-demo-2_mem-example\(/);
    const yaml = kubectlOk(sb, ["get", "pod", "memory-demo-2", "--output=jsonpath={.status.containerStatuses[0].lastState.terminated.reason} {.status.containerStatuses[0].lastState.terminated.exitCode}", "--namespace=mem-example"]);
    expect(yaml).toBe("OOMKilled 137");
  });
});
