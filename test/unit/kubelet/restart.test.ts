// Restart policies, exit codes and reasons, and the crash back-off: 10 s after the second exit,
// doubling to 5 minutes, starting over once a container ran for 10 minutes.
import { describe, expect, it } from "vitest";
import { TestCluster } from "../../cluster";
import { container, get, pod, podEvents, row, statusTimeline } from "./helpers";

describe("restarts and back-off", () => {
  it("a container that exits 1 goes Error → CrashLoopBackOff, restarting 10 s, 20 s, 40 s apart", async () => {
    const cluster = await TestCluster.create();
    await cluster.apply(pod("crash", { containers: [container("crash", "busybox:1.28", { command: ["sh", "-c", "exit 1"] })] }));
    expect(await statusTimeline(cluster, "crash", 80)).toEqual([
      "0/1 ContainerCreating 0@0",
      "0/1 Error 0@2",
      "0/1 Error 1@3",
      "0/1 CrashLoopBackOff 1@4",
      "0/1 Error 2@13",
      "0/1 CrashLoopBackOff 2@14",
      "0/1 Error 3@33",
      "0/1 CrashLoopBackOff 3@34",
      "0/1 Error 4@73",
      "0/1 CrashLoopBackOff 4@74",
    ]);
    const cs = get(cluster, "crash")!.status!.containerStatuses![0];
    expect(cs.state?.waiting).toEqual({ reason: "CrashLoopBackOff", message: `back-off 1m20s restarting failed container=crash pod=crash_default(${get(cluster, "crash")!.metadata!.uid})` });
    expect(cs.lastState?.terminated).toMatchObject({ exitCode: 1, reason: "Error" });
    expect(get(cluster, "crash")!.status!.phase).toBe("Running");
    expect(podEvents(cluster, "crash").find((e) => e.startsWith("BackOff"))).toMatch(/^BackOff: Back-off restarting failed container crash in pod crash_default\(.*\) \(x\d+\)$/);
    expect(row(cluster, "crash").restarts).toBe("4 (8s ago)");
  });

  it("caps the back-off at 5 minutes and forgets it after 10 minutes of running", async () => {
    const cluster = await TestCluster.create();
    await cluster.apply(pod("slow", { containers: [container("c", "busybox:1.28", { command: ["sh", "-c", "sleep 700; exit 1"] })] }));
    await cluster.advance(705);
    expect(row(cluster, "slow")).toMatchObject({ status: "Running", restarts: "1 (4s ago)" });
    // It ran more than 10 minutes each time: every restart comes at once, never from a back-off.
    await cluster.advance(705);
    expect(row(cluster, "slow")).toMatchObject({ status: "Running", restarts: "2 (8s ago)" });
    expect(podEvents(cluster, "slow").some((e) => e.startsWith("BackOff"))).toBe(false);

    const fast = await TestCluster.create();
    await fast.apply(pod("fast", { containers: [container("c", "busybox:1.28", { command: ["sh", "-c", "exit 1"] })] }));
    await fast.advance(1800);
    expect(get(fast, "fast")!.status!.containerStatuses![0].state?.waiting?.message).toMatch(/^back-off 5m0s restarting failed container=c /);
  });

  it("OOMKilled: a process over its memory limit is killed with 137", async () => {
    const cluster = await TestCluster.create();
    const limits = { resources: { limits: { memory: "100Mi" }, requests: { memory: "50Mi" } } };
    await cluster.apply(pod("mem", { containers: [container("mem", "polinux/stress:1.0.4", { command: ["stress"], args: ["--vm", "1", "--vm-bytes", "250M", "--vm-hang", "1"], ...limits })] }));
    await cluster.advance(2);
    expect(row(cluster, "mem").status).toBe("OOMKilled");
    expect(get(cluster, "mem")!.status!.containerStatuses![0].state?.terminated).toMatchObject({ exitCode: 137, reason: "OOMKilled" });
    await cluster.advance(3);
    expect(row(cluster, "mem").status).toBe("CrashLoopBackOff");
    expect(get(cluster, "mem")!.status!.containerStatuses![0].lastState?.terminated).toMatchObject({ exitCode: 137, reason: "OOMKilled" });
    // Within its limit the same stress runs on.
    await cluster.apply(pod("fits", { containers: [container("mem", "polinux/stress:1.0.4", { command: ["stress"], args: ["--vm", "1", "--vm-bytes", "150M", "--vm-hang", "1"], resources: { limits: { memory: "200Mi" } } })] }));
    await cluster.advance(5);
    expect(row(cluster, "fits")).toEqual({ ready: "1/1", status: "Running", restarts: "0" });
  });

  it("OnFailure restarts only failures; Never leaves a failed container alone", async () => {
    const cluster = await TestCluster.create();
    await cluster.apply(pod("retry", { restartPolicy: "OnFailure", containers: [container("c", "busybox:1.28", { command: ["sh", "-c", "exit 3"] })] }));
    await cluster.apply(pod("done", { restartPolicy: "OnFailure", containers: [container("c", "busybox:1.28", { command: ["sh", "-c", "exit 0"] })] }));
    await cluster.advance(20);
    expect(row(cluster, "retry")).toMatchObject({ status: "CrashLoopBackOff" });
    expect(get(cluster, "retry")!.status!.phase).toBe("Running");
    expect(row(cluster, "done")).toEqual({ ready: "0/1", status: "Completed", restarts: "0" });
  });

  it("a command that is not in the image fails to start (StartError, exit 128)", async () => {
    const cluster = await TestCluster.create();
    await cluster.apply(pod("typo", { containers: [container("c", "busybox:1.28", { command: ["slep", "10"] })] }));
    await cluster.advance(2);
    const t = get(cluster, "typo")!.status!.containerStatuses![0].state?.terminated;
    expect(t).toMatchObject({ exitCode: 128, reason: "StartError" });
    expect(t?.message).toBe('failed to create containerd task: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: exec: "slep": executable file not found in $PATH: unknown');
    expect(podEvents(cluster, "typo")).toContain(`Failed: Error: ${t?.message}`);
  });

  it("a bare busybox exits at once (no terminal): Completed, then CrashLoopBackOff", async () => {
    const cluster = await TestCluster.create();
    await cluster.apply(pod("bb", { containers: [container("bb", "busybox:1.28")] }));
    expect(await statusTimeline(cluster, "bb", 5)).toEqual(["0/1 ContainerCreating 0@0", "0/1 Completed 0@2", "0/1 Completed 1@3", "0/1 CrashLoopBackOff 1@4"]);
  });
});
