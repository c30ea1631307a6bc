// Image pulls as the kubelet reports them: ErrImagePull then ImagePullBackOff with a doubling
// back-off for references that cannot exist, invalid names, pull policy Never.
import { describe, expect, it } from "vitest";
import { TestCluster } from "../../cluster";
import { container, get, pod, podEvents, row, statusTimeline } from "./helpers";

const NOT_FOUND =
  'rpc error: code = NotFound desc = failed to pull and unpack image "docker.io/library/nginx:1.999": failed to resolve reference "docker.io/library/nginx:1.999": docker.io/library/nginx:1.999: not found';

describe("image pulls", () => {
  it("an unknown tag: ErrImagePull → ImagePullBackOff, retried after 10 s, 20 s, 40 s", async () => {
    const cluster = await TestCluster.create();
    await cluster.apply(pod("web", { containers: [container("web", "nginx:1.999")] }));
    expect(await statusTimeline(cluster, "web", 80)).toEqual([
      "0/1 ContainerCreating 0@0",
      "0/1 ErrImagePull 0@2",
      "0/1 ImagePullBackOff 0@3",
      "0/1 ErrImagePull 0@13",
      "0/1 ImagePullBackOff 0@14",
      "0/1 ErrImagePull 0@34",
      "0/1 ImagePullBackOff 0@35",
      "0/1 ErrImagePull 0@75",
      "0/1 ImagePullBackOff 0@76",
    ]);
    const events = podEvents(cluster, "web");
    expect(events).toContain('Pulling: Pulling image "nginx:1.999" (x4)');
    expect(events).toContain(`Failed: Failed to pull image "nginx:1.999": ${NOT_FOUND} (x4)`);
    expect(events.some((e) => e.startsWith("Failed: Error: ErrImagePull"))).toBe(true);
    expect(events.some((e) => e.startsWith('BackOff: Back-off pulling image "nginx:1.999"'))).toBe(true);
    expect(events.some((e) => e.startsWith("Failed: Error: ImagePullBackOff"))).toBe(true);
    expect(get(cluster, "web")!.status!.containerStatuses![0].state?.waiting).toEqual({ reason: "ImagePullBackOff", message: 'Back-off pulling image "nginx:1.999"' });
  });

  it("reports the registry's refusal for a misspelt repository, with the error as the waiting message", async () => {
    const cluster = await TestCluster.create();
    await cluster.apply(pod("typo", { containers: [container("web", "ngnix")] }));
    await cluster.advance(2);
    const waiting = get(cluster, "typo")!.status!.containerStatuses![0].state?.waiting;
    expect(waiting?.reason).toBe("ErrImagePull");
    expect(waiting?.message).toContain("pull access denied, repository does not exist or may require authorization");
  });

  it("an invalid reference is InvalidImageName and is never pulled", async () => {
    const cluster = await TestCluster.create();
    await cluster.apply(pod("bad", { containers: [container("web", "NGINX")] }));
    await cluster.advance(5);
    expect(row(cluster, "bad").status).toBe("InvalidImageName");
    expect(podEvents(cluster, "bad")).toEqual([
      'InspectFailed: Failed to apply default image tag "NGINX": couldn\'t parse image name "NGINX": invalid reference format: repository name (library/NGINX) must be lowercase',
      "Failed: Error: InvalidImageName",
    ]);
  });

  it("pull policy Never with the image missing is ErrImageNeverPull", async () => {
    const cluster = await TestCluster.create();
    await cluster.apply(pod("never", { containers: [container("web", "nginx:1.25", { imagePullPolicy: "Never" })] }));
    await cluster.advance(3);
    expect(row(cluster, "never").status).toBe("ErrImageNeverPull");
    expect(podEvents(cluster, "never")[0]).toBe('ErrImageNeverPull: Container image "nginx:1.25" is not present with pull policy of Never');
  });

  it("pulls one image at a time per node: the second pull includes waiting", async () => {
    const cluster = await TestCluster.create();
    await cluster.apply(pod("a", { containers: [container("db", "mysql:8.0", { env: [{ name: "MYSQL_ROOT_PASSWORD", value: "x" }] })] }));
    await cluster.apply(pod("b", { containers: [container("web", "httpd:2.4")] }));
    await cluster.advance(15);
    const pulled = podEvents(cluster, "b").find((e) => e.startsWith("Pulled"));
    expect(pulled).toBe('Pulled: Successfully pulled image "httpd:2.4" in 1.855s (6.515s including waiting). Image size: 58200000 bytes.');
  });
});
