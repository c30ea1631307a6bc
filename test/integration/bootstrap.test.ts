// A new sandbox is a fresh kubeadm cluster: what `kubectl get … -n kube-system` shows right after
// `kubeadm init`, the workers' `kubeadm join` and the addons coming up.
import { describe, expect, it } from "vitest";
import { api, clock, createSandbox, ORIGIN } from "./helpers";
import { SELF } from "cloudflare:test";

const TABLE = { accept: "application/json;as=Table;v=v1;g=meta.k8s.io,application/json" };
const SUFFIX = "[bcdfghjklmnpqrstvwxz2456789]";

async function names(id: string, path: string): Promise<string[]> {
  const res = await api(id, "GET", path);
  expect(res.status).toBe(200);
  return res.json.items.map((o: { metadata: { namespace?: string; name: string } }) => (o.metadata.namespace ? `${o.metadata.namespace}/${o.metadata.name}` : o.metadata.name));
}

/** Table rows as {column name: cell}. */
async function table(id: string, path: string): Promise<Record<string, unknown>[]> {
  const res = await api(id, "GET", path, undefined, TABLE);
  const cols: string[] = res.json.columnDefinitions.map((c: { name: string }) => c.name);
  return res.json.rows.map((r: { cells: unknown[] }) => Object.fromEntries(cols.map((c, i) => [c, r.cells[i]])));
}

function expectNames(actual: string[], expected: (string | RegExp)[]): void {
  expect(actual).toHaveLength(expected.length);
  expected.forEach((e, i) => (typeof e === "string" ? expect(actual[i]).toBe(e) : expect(actual[i]).toMatch(e)));
}

describe("a new sandbox", () => {
  it("runs the kubeadm control plane, kube-proxy on every node and two CoreDNS replicas", async () => {
    const sb = await createSandbox();
    const rows = await table(sb.id, "/api/v1/namespaces/kube-system/pods");
    const rs = (await names(sb.id, "/apis/apps/v1/namespaces/kube-system/replicasets"))[0].replace("kube-system/", "");
    expect(rs).toMatch(new RegExp(`^coredns-${SUFFIX}{6,10}$`));
    expectNames(
      rows.map((r) => r.Name as string),
      [
        new RegExp(`^${rs}-${SUFFIX}{5}$`),
        new RegExp(`^${rs}-${SUFFIX}{5}$`),
        "etcd-k8s-master",
        "kube-apiserver-k8s-master",
        "kube-controller-manager-k8s-master",
        new RegExp(`^kube-proxy-${SUFFIX}{5}$`),
        new RegExp(`^kube-proxy-${SUFFIX}{5}$`),
        new RegExp(`^kube-proxy-${SUFFIX}{5}$`),
        "kube-scheduler-k8s-master",
      ],
    );
    for (const r of rows) expect(r).toMatchObject({ Ready: "1/1", Status: "Running", Restarts: "0" });
    expect(rows.filter((r) => String(r.Name).startsWith("kube-proxy-")).map((r) => [r.Node, r.IP])).toEqual(
      expect.arrayContaining([
        ["k8s-master", "192.168.1.10"],
        ["k8s-node1", "192.168.1.11"],
        ["k8s-node2", "192.168.1.12"],
      ]),
    );
    const dns = rows.filter((r) => String(r.Name).startsWith("coredns-"));
    expect(dns.map((r) => r.Node)).toEqual(["k8s-master", "k8s-master"]);
    expect(dns.map((r) => r.IP).sort()).toEqual(["10.244.0.2", "10.244.0.3"]);

    const apiserver = (await api(sb.id, "GET", "/api/v1/namespaces/kube-system/pods/kube-apiserver-k8s-master")).json;
    expect(apiserver.metadata.labels).toEqual({ component: "kube-apiserver", tier: "control-plane" });
    expect(apiserver.metadata.annotations).toMatchObject({
      "kubernetes.io/config.source": "file",
      "kubeadm.kubernetes.io/kube-apiserver.advertise-address.endpoint": "192.168.1.10:6443",
    });
    expect(apiserver.metadata.annotations["kubernetes.io/config.mirror"]).toBe(apiserver.metadata.annotations["kubernetes.io/config.hash"]);
    expect(apiserver.metadata.ownerReferences).toEqual([expect.objectContaining({ apiVersion: "v1", kind: "Node", name: "k8s-master", controller: true })]);
    expect(apiserver.spec).toMatchObject({ nodeName: "k8s-master", hostNetwork: true, priorityClassName: "system-node-critical", priority: 2000001000 });
    expect(apiserver.spec.containers[0].image).toBe("registry.k8s.io/kube-apiserver:v1.32.3");
    expect(apiserver.spec.containers[0].command).toContain("--service-cluster-ip-range=10.96.0.0/12");
    const etcd = (await api(sb.id, "GET", "/api/v1/namespaces/kube-system/pods/etcd-k8s-master")).json;
    expect(etcd.spec.containers[0].image).toBe("registry.k8s.io/etcd:3.5.16-0");
    expect(etcd.status.podIP).toBe("192.168.1.10");
  });

  it("has the workloads behind those pods, consistent with their controllers", async () => {
    const sb = await createSandbox();
    const ks = "/apis/apps/v1/namespaces/kube-system";
    const [deploy] = (await table(sb.id, `${ks}/deployments`)) as Record<string, unknown>[];
    expect(deploy).toMatchObject({ Name: "coredns", Ready: "2/2", "Up-to-date": 2, Available: 2 });
    const [ds] = await table(sb.id, `${ks}/daemonsets`);
    expect(ds).toMatchObject({ Name: "kube-proxy", Desired: 3, Current: 3, Ready: 3, "Up-to-date": 3, Available: 3, "Node Selector": "kubernetes.io/os=linux" });
    const rs = (await api(sb.id, "GET", `${ks}/replicasets`)).json.items[0];
    const hash = rs.metadata.labels["pod-template-hash"];
    expect(rs.metadata.name).toBe(`coredns-${hash}`);
    expect(rs.metadata.ownerReferences[0]).toMatchObject({ kind: "Deployment", name: "coredns", controller: true });
    const revisions = (await api(sb.id, "GET", `${ks}/controllerrevisions`)).json.items;
    expect(revisions).toHaveLength(1);
    const proxyHash = revisions[0].metadata.labels["controller-revision-hash"];
    expect(revisions[0].metadata.name).toBe(`kube-proxy-${proxyHash}`);
    const pods = (await api(sb.id, "GET", "/api/v1/namespaces/kube-system/pods")).json.items as { metadata: { name: string; labels: Record<string, string>; ownerReferences: { kind: string; uid: string }[] } }[];
    for (const p of pods.filter((p) => p.metadata.name.startsWith("kube-proxy-"))) {
      expect(p.metadata.labels).toEqual({ "k8s-app": "kube-proxy", "controller-revision-hash": proxyHash, "pod-template-generation": "1" });
      expect(p.metadata.ownerReferences[0]).toMatchObject({ kind: "DaemonSet" });
    }
    for (const p of pods.filter((p) => p.metadata.name.startsWith("coredns-"))) {
      expect(p.metadata.labels).toEqual({ "k8s-app": "kube-dns", "pod-template-hash": hash });
      expect(p.metadata.ownerReferences[0]).toMatchObject({ kind: "ReplicaSet", uid: rs.metadata.uid });
    }
  });

  it("serves the kubernetes and kube-dns Services, and the ingress controller's", async () => {
    const sb = await createSandbox();
    const rows = await table(sb.id, "/api/v1/services");
    expect(rows.map((r) => [r.Name, r.Type, r["Cluster-IP"], r["External-IP"], r["Port(s)"]])).toEqual([
      ["kubernetes", "ClusterIP", "10.96.0.1", "<none>", "443/TCP"],
      ["ingress-nginx-controller", "LoadBalancer", expect.stringMatching(/^10\.(9[6-9]|10[0-9]|11[01])\.\d+\.\d+$/), "172.18.255.200", "80:32080/TCP,443:32443/TCP"],
      ["kube-dns", "ClusterIP", "10.96.0.10", "<none>", "53/UDP,53/TCP,9153/TCP"],
    ]);
    const dns = (await api(sb.id, "GET", "/api/v1/namespaces/kube-system/services/kube-dns")).json;
    expect(dns.spec.ports.map((p: { name: string }) => p.name)).toEqual(["dns", "dns-tcp", "metrics"]);
    expect(dns.spec.selector).toEqual({ "k8s-app": "kube-dns" });
  });

  it("comes with ingress-nginx's namespace, IngressClass and LoadBalancer Service, no pod", async () => {
    const sb = await createSandbox();
    expect(await names(sb.id, "/api/v1/namespaces")).toEqual(["default", "ingress-nginx", "kube-node-lease", "kube-public", "kube-system"]);
    const ns = (await api(sb.id, "GET", "/api/v1/namespaces/ingress-nginx")).json;
    expect(ns.metadata.labels).toEqual({ "app.kubernetes.io/instance": "ingress-nginx", "app.kubernetes.io/name": "ingress-nginx", "kubernetes.io/metadata.name": "ingress-nginx" });
    expect(ns.status.phase).toBe("Active");
    expect(await names(sb.id, "/api/v1/namespaces/ingress-nginx/serviceaccounts")).toEqual(["ingress-nginx/default"]);
    expect(await names(sb.id, "/api/v1/namespaces/ingress-nginx/configmaps")).toEqual(["ingress-nginx/kube-root-ca.crt"]);
    expect(await names(sb.id, "/api/v1/namespaces/ingress-nginx/pods")).toEqual([]);
    const classes = await table(sb.id, "/apis/networking.k8s.io/v1/ingressclasses");
    expect(classes.map((r) => [r.Name, r.Controller, r.Parameters])).toEqual([["nginx", "k8s.io/ingress-nginx", "<none>"]]);
    const ic = (await api(sb.id, "GET", "/apis/networking.k8s.io/v1/ingressclasses/nginx")).json;
    expect(ic.metadata.annotations?.["ingressclass.kubernetes.io/is-default-class"]).toBeUndefined();
    const svc = (await api(sb.id, "GET", "/api/v1/namespaces/ingress-nginx/services/ingress-nginx-controller")).json;
    expect(svc.metadata.finalizers).toEqual(["service.kubernetes.io/load-balancer-cleanup"]);
    expect(svc.spec.ports.map((p: any) => [p.name, p.port, p.targetPort, p.nodePort])).toEqual([
      ["http", 80, "http", 32080],
      ["https", 443, "https", 32443],
    ]);
    expect(svc.spec.selector).toBeUndefined();
    expect(svc.status.loadBalancer.ingress).toEqual([{ ip: "172.18.255.200", ipMode: "VIP" }]);
  });

  it("has exactly the kube-system configuration, accounts and leases of a fresh kubeadm cluster", async () => {
    const sb = await createSandbox();
    expect(await names(sb.id, "/api/v1/namespaces/kube-system/configmaps")).toEqual(
      ["coredns", "extension-apiserver-authentication", "kube-apiserver-legacy-service-account-token-tracking", "kube-proxy", "kube-root-ca.crt", "kubeadm-config", "kubelet-config"].map(
        (n) => `kube-system/${n}`,
      ),
    );
    expect(await names(sb.id, "/api/v1/namespaces/kube-system/serviceaccounts")).toEqual(["kube-system/coredns", "kube-system/default", "kube-system/kube-proxy"]);
    expect(await names(sb.id, "/api/v1/namespaces/kube-public/configmaps")).toEqual(["kube-public/cluster-info", "kube-public/kube-root-ca.crt"]);
    const proxy = (await api(sb.id, "GET", "/api/v1/namespaces/kube-system/configmaps/kube-proxy")).json;
    expect(proxy.data["config.conf"]).toContain('mode: "iptables"');
    expect(proxy.data["kubeconfig.conf"]).toContain("server: https://192.168.1.10:6443");
    const coredns = (await api(sb.id, "GET", "/api/v1/namespaces/kube-system/configmaps/coredns")).json;
    expect(coredns.data.Corefile).toContain("kubernetes cluster.local in-addr.arpa ip6.arpa");

    const leases = await api(sb.id, "GET", "/apis/coordination.k8s.io/v1/leases");
    const byName = Object.fromEntries(leases.json.items.map((l: { metadata: { namespace: string; name: string } }) => [`${l.metadata.namespace}/${l.metadata.name}`, l]));
    expectNames(Object.keys(byName), [
      "kube-node-lease/k8s-master",
      "kube-node-lease/k8s-node1",
      "kube-node-lease/k8s-node2",
      /^kube-system\/apiserver-[a-z2-7]{26}$/,
      "kube-system/kube-controller-manager",
      "kube-system/kube-scheduler",
    ]);
    expect(byName["kube-node-lease/k8s-node1"].spec).toMatchObject({ holderIdentity: "k8s-node1", leaseDurationSeconds: 40 });
    expect(byName["kube-system/kube-scheduler"].spec.holderIdentity).toMatch(/^k8s-master_[0-9a-f-]{36}$/);
  });

  it("has the system PriorityClasses", async () => {
    const sb = await createSandbox();
    const rows = await table(sb.id, "/apis/scheduling.k8s.io/v1/priorityclasses");
    expect(rows.map((r) => [r.Name, r.Value, r["Global-Default"]])).toEqual([
      ["system-cluster-critical", 2000000000, false],
      ["system-node-critical", 2000001000, false],
    ]);
  });

  it("does no work while nobody uses it: an hour later nothing was written and pods are 60m old", async () => {
    const sb = await createSandbox();
    await clock(sb.id, { paused: true });
    const before = (await (await SELF.fetch(`${ORIGIN}/api/sandboxes/${sb.id}`)).json()) as { resourceVersion: string };
    await clock(sb.id, { advanceSeconds: 3600 });
    const after = (await (await SELF.fetch(`${ORIGIN}/api/sandboxes/${sb.id}`)).json()) as { resourceVersion: string };
    expect(after.resourceVersion).toBe(before.resourceVersion);
    const rows = await table(sb.id, "/api/v1/namespaces/kube-system/pods");
    for (const r of rows) expect(r).toMatchObject({ Status: "Running", Age: "60m" });
  });

  it("follows the requested nodes: static pods on each control-plane node, kube-proxy everywhere", async () => {
    const sb = await createSandbox({ nodes: [{ name: "cp1", controlPlane: true }, { name: "w1" }] });
    const pods = await names(sb.id, "/api/v1/namespaces/kube-system/pods");
    expect(pods.filter((n) => /-cp1$/.test(n))).toEqual(["etcd-cp1", "kube-apiserver-cp1", "kube-controller-manager-cp1", "kube-scheduler-cp1"].map((n) => `kube-system/${n}`));
    expect(pods.filter((n) => n.includes("kube-proxy-"))).toHaveLength(2);
    const solo = await createSandbox({ nodes: [{ name: "solo" }] });
    const soloPods = await table(solo.id, "/api/v1/namespaces/kube-system/pods");
    expect(soloPods.map((r) => String(r.Name).replace(/-[a-z0-9]+$/, ""))).toEqual([expect.stringMatching(/^coredns-/), expect.stringMatching(/^coredns-/), "kube-proxy"]);
    expect(soloPods.every((r) => r.Node === "solo")).toBe(true);
  });
});
