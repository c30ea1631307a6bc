// Pods that run, with the real kubectl and the sandbox's virtual clock: nginx becomes Running,
// a crashing busybox goes into CrashLoopBackOff with RESTARTS growing as time passes, and
// `kubectl delete pod` returns once the kubelet has stopped the pod.
import { beforeAll, describe, expect, it } from "vitest";
import { createSandbox, kubectlBackground, kubectlOk, type Sandbox, sandboxPost, table } from "./harness";

let sb: Sandbox;

const clock = async (body: unknown): Promise<void> => void (await sandboxPost(sb, "clock", body));

const advance = (seconds: number) => clock({ advanceSeconds: seconds });
const row = (pod: string) => table(kubectlOk(sb, ["get", "pod", pod, "--no-headers"]));

describe("kubelet with the real kubectl", () => {
  beforeAll(async () => {
    sb = await createSandbox();
    await clock({ paused: true });
  });

  it("kubectl run web --image=nginx is Running 1/1 a few seconds later", async () => {
    expect(kubectlOk(sb, ["run", "web", "--image=nginx"])).toBe("pod/web created\n");
    await advance(1);
    expect(row("web")).toBe("web 0/1 ContainerCreating 0 AGE");
    await advance(4);
    expect(row("web")).toBe("web 1/1 Running 0 AGE");
    const describe = kubectlOk(sb, ["describe", "pod", "web"]);
    expect(describe).toMatch(/Normal\s+Pulled\s+\S+\s+kubelet\s+Successfully pulled image "nginx" in 2\.202s \(2\.202s including waiting\)\. Image size: 72099501 bytes\./);
    expect(describe).toMatch(/Normal\s+Started\s+\S+\s+kubelet\s+Started container web/);
  });

  it("a container exiting 3 goes into CrashLoopBackOff, restarting as the clock advances", async () => {
    kubectlOk(sb, ["run", "crash", "--image=busybox", "--", "sh", "-c", "exit 3"]);
    await advance(5);
    expect(row("crash")).toMatch(/^crash 0\/1 CrashLoopBackOff 1 \(\S+ ago\) AGE$/);
    await advance(15);
    expect(row("crash")).toMatch(/^crash 0\/1 CrashLoopBackOff 2 \(\S+ ago\) AGE$/);
    await advance(25);
    expect(row("crash")).toMatch(/^crash 0\/1 CrashLoopBackOff 3 \(\S+ ago\) AGE$/);
    const state = kubectlOk(sb, ["get", "pod", "crash", "-o", "jsonpath={.status.containerStatuses[0].lastState.terminated.exitCode} {.status.containerStatuses[0].lastState.terminated.reason}"]);
    expect(state).toBe("3 Error");
  });

  it("kubectl delete pod web completes once the kubelet stopped it", async () => {
    const del = kubectlBackground(sb, ["delete", "pod", "web"]);
    await del.waitFor((out) => out.includes('pod "web" deleted'), 5_000).catch(() => undefined);
    await advance(2);
    expect(await del.exited).toBe(0);
    expect(del.output()).toBe('pod "web" deleted\n');
    expect(kubectlOk(sb, ["get", "pods", "-o", "name"])).toBe("pod/crash\n");
  });
});
