// The kubernetes.io rolling-update tutorial's failed update, with the real kubectl on a paused
// virtual clock: `kubectl set image … kubernetes-bootcamp:v10` names a tag that does not exist, so
// the new pods go ErrImagePull then ImagePullBackOff, `kubectl describe pod` shows the kubelet's
// "Failed to pull image …" and "Back-off pulling image …" events (seed 004's troubleshooting), and
// `kubectl rollout undo` brings the deployment back.
import { beforeAll, describe, expect, it } from "vitest";
import { createSandbox, kubectlOk, type Sandbox, sandboxPost, squash, table } from "./harness";

let sb: Sandbox;

const advance = (seconds: number) => sandboxPost(sb, "clock", { advanceSeconds: seconds });
const V10 = "gcr.io/google-samples/kubernetes-bootcamp:v10";

/** `kubectl get pods` rows as "STATUS READY", sorted. */
function statuses(): string[] {
  return table(kubectlOk(sb, ["get", "pods", "-l", "app=kubernetes-bootcamp", "--no-headers"]))
    .split("\n")
    .filter(Boolean)
    .map((l) => {
      const [, ready, status] = l.split(" ");
      return `${status} ${ready}`;
    })
    .sort();
}

function v10Pods(): string[] {
  const out = kubectlOk(sb, ["get", "pods", "-l", "app=kubernetes-bootcamp", "-o", "jsonpath={range .items[*]}{.metadata.name} {.spec.containers[0].image}{\"\\n\"}{end}"]);
  return out
    .split("\n")
    .filter((l) => l.endsWith(V10))
    .map((l) => l.split(" ")[0]);
}

describe("rolling-update tutorial: an image tag that does not exist", () => {
  beforeAll(async () => {
    sb = await createSandbox();
    await sandboxPost(sb, "clock", { paused: true });
    kubectlOk(sb, ["create", "deployment", "kubernetes-bootcamp", "--image=gcr.io/google-samples/kubernetes-bootcamp:v1"]);
    kubectlOk(sb, ["scale", "deployments/kubernetes-bootcamp", "--replicas=4"]);
    await advance(10);
    kubectlOk(sb, ["set", "image", "deployments/kubernetes-bootcamp", "kubernetes-bootcamp=docker.io/jocatalin/kubernetes-bootcamp:v2"]);
    // node as PID 1 ignores SIGTERM: the old pods go after their 30 s grace period.
    for (let i = 0; i < 14; i++) await advance(5);
    expect(statuses()).toEqual(["Running 1/1", "Running 1/1", "Running 1/1", "Running 1/1"]);
  });

  it("set image to v10: ErrImagePull, then ImagePullBackOff", async () => {
    expect(kubectlOk(sb, ["set", "image", "deployments/kubernetes-bootcamp", `kubernetes-bootcamp=${V10}`])).toBe("deployment.apps/kubernetes-bootcamp image updated\n");
    await advance(0.5);
    const pods = v10Pods();
    // maxSurge 25% of 4 = 1 new pod, maxUnavailable 1 old pod gone: 2 new pods, 3 old ones kept.
    expect(pods).toHaveLength(2);
    const status = (pod: string) => table(kubectlOk(sb, ["get", "pod", pod, "--no-headers"])).split(" ")[2];
    // What `kubectl get pods` shows, step by step, without repeats.
    const seen: string[] = [];
    for (let i = 0; i < 10; i++) {
      const now = pods.map(status).join(",");
      if (seen.at(-1) !== now) seen.push(now);
      await advance(0.5);
    }
    expect(seen).toEqual(["ContainerCreating,ContainerCreating", "ErrImagePull,ErrImagePull", "ImagePullBackOff,ImagePullBackOff"]);
    // The old pod scaled down is still in its 30 s grace period (node ignores SIGTERM).
    expect(statuses()).toEqual(["ImagePullBackOff 0/1", "ImagePullBackOff 0/1", "Running 1/1", "Running 1/1", "Running 1/1", "Terminating 1/1"]);
    expect(table(kubectlOk(sb, ["get", "deployments", "--no-headers"]))).toBe("kubernetes-bootcamp 3/4 2 3 AGE");
  });

  it("describe pod shows the failed pull and the back-off in the kubelet's words", async () => {
    await advance(30);
    const pod = v10Pods()[0];
    const out = squash(kubectlOk(sb, ["describe", "pod", pod])).replace(/\n/g, " ");
    expect(out).toContain(`Image: ${V10}`);
    expect(out).toContain("State: Waiting Reason: ImagePullBackOff");
    expect(out).toContain(`Normal Pulling`);
    expect(out).toMatch(new RegExp(`kubelet Pulling image "${V10}"`));
    expect(out).toContain(
      `kubelet Failed to pull image "${V10}": rpc error: code = NotFound desc = failed to pull and unpack image "${V10}": failed to resolve reference "${V10}": ${V10}: not found`,
    );
    expect(out).toMatch(/Warning Failed \S+ \(x\d+ over \S+\) kubelet Error: ErrImagePull|Warning Failed \S+ kubelet Error: ErrImagePull/);
    expect(out).toMatch(new RegExp(`Normal BackOff \\S+ (\\(x\\d+ over \\S+\\) )?kubelet Back-off pulling image "${V10}"`));
    expect(out).toMatch(/Warning Failed \S+ (\(x\d+ over \S+\) )?kubelet Error: ImagePullBackOff/);
  });

  it("rollout undo goes back to v2", async () => {
    expect(kubectlOk(sb, ["rollout", "undo", "deployments/kubernetes-bootcamp"])).toBe("deployment.apps/kubernetes-bootcamp rolled back\n");
    for (let i = 0; i < 14; i++) await advance(5);
    expect(statuses()).toEqual(["Running 1/1", "Running 1/1", "Running 1/1", "Running 1/1"]);
    expect(v10Pods()).toEqual([]);
    const images = kubectlOk(sb, ["get", "pods", "-l", "app=kubernetes-bootcamp", "-o", "jsonpath={.items[*].spec.containers[0].image}"]);
    expect(new Set(images.split(" "))).toEqual(new Set(["docker.io/jocatalin/kubernetes-bootcamp:v2"]));
    expect(table(kubectlOk(sb, ["get", "deployments", "--no-headers"]))).toBe("kubernetes-bootcamp 4/4 4 4 AGE");
  });
});
