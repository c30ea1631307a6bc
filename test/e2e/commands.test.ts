// kubectl commands checked with the default kubectl version only: cluster views, describe, generators,
// paging, bulk deletion, wait, replace and the three patch types.
import { beforeAll, describe, expect, it } from "vitest";
import { createSandbox, kubectl, kubectlBackground, kubectlOk, nodeShell, sandboxPost, table, writeFile, type Sandbox } from "./harness";

// Pods no node can take stay Pending whatever the scheduler does, so they are deleted at once.
const UNSCHEDULABLE = '--overrides={"apiVersion":"v1","spec":{"nodeSelector":{"e2e.kubeplay.dev/nowhere":"true"}}}';

describe("kubectl (default version)", () => {
  let sb: Sandbox;
  const ok = (args: string[], env?: Record<string, string>) => kubectlOk(sb, args, { env });
  const run = (args: string[]) => kubectl(sb, args);
  const jsonpath = (target: string[], path: string) => ok(["get", ...target, "-o", `jsonpath=${path}`]);

  beforeAll(async () => {
    sb = await createSandbox();
  });

  it("shows the cluster: get nodes, describe node, get all", async () => {
    expect(table(ok(["get", "nodes"]))).toBe(
      [
        "NAME STATUS ROLES AGE VERSION",
        "k8s-master Ready control-plane AGE v1.32.3",
        "k8s-node1 Ready <none> AGE v1.32.3",
        "k8s-node2 Ready <none> AGE v1.32.3",
      ].join("\n"),
    );
    expect(table(ok(["get", "nodes", "-o", "wide"])).split("\n")[1]).toMatch(
      /^k8s-master Ready control-plane AGE v1\.32\.3 192\.168\.\d+\.\d+ <none> \S.* containerd:\/\/\S+$/,
    );

    // The kubelet's node events: a restart, a cordon and an uncordon.
    await sandboxPost(sb, "clock", { advanceSeconds: 1 });
    expect(await nodeShell(sb, "k8s-master", "systemctl restart kubelet")).toMatchObject({ exitCode: 0 });
    ok(["cordon", "k8s-master"]);
    ok(["uncordon", "k8s-master"]);
    const node = ok(["describe", "node", "k8s-master"]);
    for (const line of [
      "Name:               k8s-master",
      "Roles:              control-plane",
      "                    node-role.kubernetes.io/control-plane=",
      "Taints:             node-role.kubernetes.io/control-plane:NoSchedule",
      "Unschedulable:      false",
      "  HolderIdentity:  k8s-master",
      "  Ready            True    ",
      "  Hostname:    k8s-master",
      "  Kubelet Version:            v1.32.3",
    ]) {
      expect(node.split("\n").some((l) => l.startsWith(line)), line).toBe(true);
    }
    expect(node).not.toContain("Failed to get lease");
    expect(node).toMatch(/^Non-terminated Pods: +\(\d+ in total\)$/m);
    expect(node).toMatch(/^Allocated resources:\n/m);
    expect(node).toMatch(/^Capacity:\n  cpu: +2\n  ephemeral-storage: +61202244Ki\n(.*\n){2}  memory: +4015852Ki\n  pods: +110\n/m);
    expect(node).toMatch(/^Allocatable:\n  cpu: +2\n  ephemeral-storage: +56403987978\n(.*\n){2}  memory: +3913452Ki\n  pods: +110\n/m);
    expect(node).toMatch(/^PodCIDR: +10\.244\.0\.0\/24$/m);
    expect(node).toMatch(/^ {2}Machine ID: +[0-9a-f]{32}\n {2}System UUID: +[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}\n {2}Boot ID: +[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}$/m);
    expect(node).toMatch(/^ {2}Namespace +Name +CPU Requests +CPU Limits +Memory Requests +Memory Limits +Age$/m);
    expect(node).toMatch(/^ {2}kube-system +kube-apiserver-k8s-master +250m \(12%\) +0 \(0%\) +0 \(0%\) +0 \(0%\) +\d+s$/m);
    expect(node).toMatch(/^ {2}kube-system +etcd-k8s-master +100m \(5%\) +0 \(0%\) +100Mi \(2%\) +0 \(0%\) +\d+s$/m);
    expect(node).toMatch(/^ {2}Resource +Requests +Limits\n {2}-+ +-+ +-+\n {2}cpu +\d+m \(\d+%\) +0 \(0%\)\n {2}memory +\d+Mi \(\d+%\) +\d+Mi \(\d+%\)\n/m);
    for (const [reason, message] of [
      ["Starting", "Starting kubelet."],
      ["NodeHasSufficientMemory", "Node k8s-master status is now: NodeHasSufficientMemory"],
      ["NodeHasNoDiskPressure", "Node k8s-master status is now: NodeHasNoDiskPressure"],
      ["NodeHasSufficientPID", "Node k8s-master status is now: NodeHasSufficientPID"],
      ["NodeAllocatableEnforced", "Updated Node Allocatable limit across pods"],
      ["NodeNotSchedulable", "Node k8s-master status is now: NodeNotSchedulable"],
      ["NodeSchedulable", "Node k8s-master status is now: NodeSchedulable"],
    ]) {
      expect(node.split("\n").some((l) => new RegExp(`^  Normal  ${reason} +\\S+ +kubelet +${message.replace(/\./g, "\\.")}$`).test(l)), reason).toBe(true);
    }

    expect(ok(["create", "deployment", "web", "--image=nginx:1.27", "--replicas=2"])).toBe("deployment.apps/web created\n");
    const all = table(ok(["get", "all"])).split("\n");
    expect(all).toContain("service/kubernetes ClusterIP 10.96.0.1 <none> 443/TCP AGE");
    expect(all).toContain("NAME READY UP-TO-DATE AVAILABLE AGE");
    expect(all.some((l) => /^deployment\.apps\/web \d+\/2 \d+ \d+ AGE$/.test(l))).toBe(true);
  });

  it("describes a deployment", () => {
    const out = ok(["describe", "deploy", "web"]);
    for (const line of [
      "Name:                   web",
      "Namespace:              default",
      "Labels:                 app=web",
      "Selector:               app=web",
      "StrategyType:           RollingUpdate",
      "MinReadySeconds:        0",
      "RollingUpdateStrategy:  25% max unavailable, 25% max surge",
      "  Labels:  app=web",
      "   nginx:",
      "    Image:         nginx:1.27",
    ]) {
      expect(out.split("\n"), line).toContain(line);
    }
    expect(out).toMatch(/^Replicas: +2 desired \| \d+ updated \| \d+ total \| \d+ available \| \d+ unavailable$/m);
  });

  it("lists events", () => {
    const now = new Date().toISOString().replace(/\.\d+Z$/, "Z");
    // describe finds an object's events by involvedObject.uid.
    const uid = jsonpath(["deploy", "web"], "{.metadata.uid}");
    const event = writeFile(
      sb,
      "event.yaml",
      `apiVersion: v1
kind: Event
metadata:
  name: web.e2e
involvedObject:
  apiVersion: apps/v1
  kind: Deployment
  name: web
  namespace: default
  uid: ${uid}
reason: Testing
message: checked by the end-to-end suite
type: Warning
count: 3
firstTimestamp: "${now}"
lastTimestamp: "${now}"
source:
  component: e2e
`,
    );
    expect(ok(["create", "-f", event])).toBe("event/web.e2e created\n");
    expect(table(ok(["get", "events", "--field-selector=reason=Testing"]))).toBe(
      ["LAST SEEN TYPE REASON OBJECT MESSAGE", "AGE Warning Testing deployment/web checked by the end-to-end suite"].join("\n"),
    );
    expect(table(ok(["get", "events", "-A", "--field-selector=type=Warning,reason=Testing"]))).toBe(
      ["NAMESPACE LAST SEEN TYPE REASON OBJECT MESSAGE", "default AGE Warning Testing deployment/web checked by the end-to-end suite"].join("\n"),
    );
    expect(ok(["describe", "deploy", "web"])).toMatch(/^ {2}Warning +Testing +\S+ \(x3 over \S+\) +e2e +checked by the end-to-end suite$/m);
  });

  it("creates jobs, cronjobs and services with the generators", () => {
    expect(ok(["create", "job", "once", "--image=busybox", "--", "echo", "hi"])).toBe("job.batch/once created\n");
    expect(jsonpath(["job", "once"], "{.spec.template.spec.containers[0].command} {.spec.template.spec.restartPolicy} {.spec.completions} {.spec.backoffLimit}")).toBe(
      '["echo","hi"] Never 1 6',
    );
    expect(ok(["create", "cronjob", "tick", "--image=busybox", "--schedule=*/5 * * * *", "--", "date"])).toBe("cronjob.batch/tick created\n");
    expect(table(ok(["get", "cronjob", "tick"]))).toBe(
      ["NAME SCHEDULE TIMEZONE SUSPEND ACTIVE LAST SCHEDULE AGE", "tick */5 * * * * <none> False 0 <none> AGE"].join("\n"),
    );
    expect(ok(["create", "job", "manual", "--from=cronjob/tick"])).toBe("job.batch/manual created\n");
    expect(jsonpath(["job", "manual"], "{.metadata.annotations.cronjob\\.kubernetes\\.io/instantiate} {.metadata.ownerReferences[0].kind}")).toBe(
      "manual CronJob",
    );

    expect(ok(["create", "service", "nodeport", "np", "--tcp=80:8080"])).toBe("service/np created\n");
    expect(table(ok(["get", "service", "np"]))).toMatch(/^NAME TYPE CLUSTER-IP EXTERNAL-IP PORT\(S\) AGE\nnp NodePort 10\.\d+\.\d+\.\d+ <none> 80:3\d{4}\/TCP AGE$/);
    const nodePort = Number(jsonpath(["service", "np"], "{.spec.ports[0].nodePort}"));
    expect(nodePort).toBeGreaterThanOrEqual(30000);
    expect(nodePort).toBeLessThanOrEqual(32767);

    expect(ok(["expose", "deployment", "web", "--port=80", "--target-port=8080"])).toBe("service/web exposed\n");
    expect(jsonpath(["service", "web"], "{.spec.type} {.spec.ports[0].port} {.spec.ports[0].targetPort} {.spec.ports[0].protocol} {.spec.selector}")).toBe(
      'ClusterIP 80 8080 TCP {"app":"web"}',
    );
    expect(jsonpath(["service", "web"], "{.spec.clusterIP}")).toMatch(/^10\.(9[6-9]|1[01]\d)\.\d+\.\d+$/);
    const dup = run(["expose", "deployment", "web", "--port=80"]);
    expect(dup).toMatchObject({ code: 1, stderr: 'Error from server (AlreadyExists): services "web" already exists\n' });
  });

  it("pages a list with limit and continue", async () => {
    for (const n of ["page-a", "page-b", "page-c"]) ok(["create", "configmap", n, "--from-literal=k=v"]);
    ok(["label", "configmap", "page-a", "page-b", "page-c", "paged=yes"]);
    // kubectl get --raw drops the server URL's path, so the sandbox prefix goes into the raw path.
    const prefix = new URL(sb.url).pathname;
    const names: string[] = [];
    let cont = "";
    const remaining: (number | undefined)[] = [];
    do {
      const page = JSON.parse(ok(["get", "--raw", `${prefix}/api/v1/namespaces/default/configmaps?labelSelector=paged%3Dyes&limit=1${cont ? `&continue=${encodeURIComponent(cont)}` : ""}`]));
      expect(page.kind).toBe("ConfigMapList");
      expect(page.items).toHaveLength(1);
      names.push(page.items[0].metadata.name);
      remaining.push(page.metadata.remainingItemCount);
      cont = page.metadata.continue ?? "";
    } while (cont);
    expect(names).toEqual(["page-a", "page-b", "page-c"]);
    expect(remaining).toEqual([2, 1, undefined]);
    expect(table(ok(["get", "configmaps", "-l", "paged=yes", "--chunk-size=1"]))).toBe(
      ["NAME DATA AGE", "page-a 1 AGE", "page-b 1 AGE", "page-c 1 AGE"].join("\n"),
    );
  });

  it("deletes everything of a type with --all, and waits for a deletion", async () => {
    expect(ok(["create", "namespace", "scratch"])).toBe("namespace/scratch created\n");
    for (const n of ["p1", "p2", "p3"]) ok(["run", n, "--image=nginx", "-n", "scratch", UNSCHEDULABLE]);
    expect(ok(["delete", "pods", "--all", "-n", "scratch"])).toBe('pod "p1" deleted\npod "p2" deleted\npod "p3" deleted\n');
    expect(run(["get", "pods", "-n", "scratch"])).toMatchObject({ code: 0, stdout: "", stderr: "No resources found in scratch namespace.\n" });

    ok(["run", "waited", "--image=nginx", UNSCHEDULABLE]);
    const wait = kubectlBackground(sb, ["wait", "--for=delete", "pod/waited", "--timeout=60s", "-v=6"]);
    // Delete only once kubectl's watch is open, so the deletion reaches it through the watch.
    await wait.waitFor((e) => /watch=true.* 200 OK/.test(e), 20_000, "stderr");
    expect(ok(["delete", "pod", "waited", "--wait=false"])).toBe('pod "waited" deleted\n');
    expect(await wait.exited).toBe(0);
    expect(wait.output()).toBe("pod/waited condition met\n");
  });

  it("replaces and patches objects", () => {
    ok(["create", "configmap", "conf", "--from-literal=mode=a"]);
    const file = writeFile(sb, "conf.yaml", ok(["get", "configmap", "conf", "-o", "yaml"]).replace("mode: a", "mode: b"));
    expect(ok(["replace", "-f", file])).toBe("configmap/conf replaced\n");
    expect(jsonpath(["configmap", "conf"], "{.data.mode}")).toBe("b");
    const uid = jsonpath(["configmap", "conf"], "{.metadata.uid}");
    expect(ok(["replace", "--force", "-f", writeFile(sb, "conf-c.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: conf\ndata:\n  mode: c\n")])).toBe(
      'configmap "conf" deleted\nconfigmap/conf replaced\n',
    );
    expect(jsonpath(["configmap", "conf"], "{.data.mode}")).toBe("c");
    expect(jsonpath(["configmap", "conf"], "{.metadata.uid}")).not.toBe(uid);

    ok(["create", "deployment", "patched", "--image=nginx:1.27"]);
    expect(ok(["patch", "deploy", "patched", "--type=json", "-p", '[{"op":"replace","path":"/spec/replicas","value":3},{"op":"add","path":"/metadata/labels/via","value":"json"}]'])).toBe(
      "deployment.apps/patched patched\n",
    );
    expect(jsonpath(["deploy", "patched"], "{.spec.replicas} {.metadata.labels.via}")).toBe("3 json");
    // A strategic merge patch merges containers by name.
    expect(ok(["patch", "deploy", "patched", "--type=strategic", "-p", '{"spec":{"template":{"spec":{"containers":[{"name":"sidecar","image":"busybox"}]}}}}'])).toBe(
      "deployment.apps/patched patched\n",
    );
    // New elements go first, as upstream's mergeSortedSlice orders them.
    expect(jsonpath(["deploy", "patched"], "{.spec.template.spec.containers[*].name}")).toBe("sidecar nginx");
    // A JSON merge patch replaces the whole list.
    expect(ok(["patch", "deploy", "patched", "--type=merge", "-p", '{"spec":{"template":{"spec":{"containers":[{"name":"only","image":"nginx:1.28"}]}}}}'])).toBe(
      "deployment.apps/patched patched\n",
    );
    expect(jsonpath(["deploy", "patched"], "{.spec.template.spec.containers[*].name} {.spec.template.spec.containers[0].imagePullPolicy}")).toBe("only IfNotPresent");
    expect(ok(["patch", "deploy", "patched", "--type=merge", "-p", '{"spec":{"replicas":3}}'])).toBe("deployment.apps/patched patched (no change)\n");

    const bad = run(["patch", "deploy", "patched", "--type=json", "-p", '[{"op":"replace","path":"/spec/nope/x","value":1}]']);
    // Upstream answers a failed JSON patch operation with a bare 422 (NewGenericServerResponse drops the cause).
    expect(bad).toMatchObject({ code: 1, stderr: "The request is invalid: the server rejected our request due to an error in our request\n" });
  });

  it("shows the rollout history of a deployment", () => {
    expect(ok(["rollout", "history", "deployment/web"])).toBe("deployment.apps/web \nREVISION  CHANGE-CAUSE\n1         <none>\n\n");
  });

  it.todo("kubectl auth can-i / auth whoami: authorization.k8s.io and SelfSubjectReview are not served yet");
});
