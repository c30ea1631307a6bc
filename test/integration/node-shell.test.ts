import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { api, clock, createSandbox, ORIGIN } from "./helpers";

async function shell(id: string, node: string, command: string): Promise<{ status: number; stdout: string; stderr: string; exitCode: number; error?: string }> {
  const res = await SELF.fetch(`${ORIGIN}/api/sandboxes/${id}/shell`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ node, command }) });
  return { status: res.status, ...((await res.json()) as { stdout: string; stderr: string; exitCode: number }) };
}

const condition = (node: any, type: string) => node.status.conditions.find((c: any) => c.type === type);

describe("node shell", () => {
  it("shows the node's files as kubeadm left them", async () => {
    const sb = await createSandbox();
    const ls = await shell(sb.id, "k8s-master", "ls /etc/kubernetes/manifests/");
    expect(ls).toMatchObject({ status: 200, exitCode: 0, stderr: "" });
    expect(ls.stdout).toBe("etcd.yaml\nkube-apiserver.yaml\nkube-controller-manager.yaml\nkube-scheduler.yaml\n");
    const grep = await shell(sb.id, "k8s-master", "grep static /var/lib/kubelet/config.yaml");
    expect(grep.stdout).toBe("staticPodPath: /etc/kubernetes/manifests\n");
    expect((await shell(sb.id, "k8s-node1", "ls /etc/kubernetes/manifests")).stdout).toBe("");
    expect((await shell(sb.id, "k8s-node1", "hostname")).stdout).toBe("k8s-node1\n");
    const missing = await shell(sb.id, "k8s-node1", "cat /nope; echo $?");
    expect(missing.stdout).toBe("1\n");
  });

  it("keeps what a command writes, and the kubelet acts on a moved static pod manifest", async () => {
    const sb = await createSandbox();
    const mirror = "/api/v1/namespaces/kube-system/pods/kube-scheduler-k8s-master";
    expect((await api(sb.id, "GET", mirror)).status).toBe(200);
    const out = await shell(sb.id, "k8s-master", "mv /etc/kubernetes/manifests/kube-scheduler.yaml /tmp/ && ls /tmp");
    expect(out).toMatchObject({ exitCode: 0, stdout: "kube-scheduler.yaml\n" });
    // The kubelet stops the static pod and takes its mirror pod away.
    await clock(sb.id, { advanceSeconds: 60 });
    expect((await api(sb.id, "GET", mirror)).status).toBe(404);
    expect((await shell(sb.id, "k8s-master", "ls /etc/kubernetes/manifests")).stdout).not.toContain("kube-scheduler.yaml");
    // Moving it back brings the pod back.
    expect((await shell(sb.id, "k8s-master", "mv /tmp/kube-scheduler.yaml /etc/kubernetes/manifests/")).exitCode).toBe(0);
    await clock(sb.id, { advanceSeconds: 60 });
    expect((await api(sb.id, "GET", mirror)).status).toBe(200);
    // A new manifest written on a worker runs there as a static pod.
    const manifest = "apiVersion: v1\\nkind: Pod\\nmetadata:\\n  name: static-web\\nspec:\\n  containers:\\n  - name: web\\n    image: nginx:1.25\\n";
    expect((await shell(sb.id, "k8s-node1", `printf '${manifest}' > /etc/kubernetes/manifests/static-web.yaml`)).exitCode).toBe(0);
    await clock(sb.id, { advanceSeconds: 60 });
    const staticPod = await api(sb.id, "GET", "/api/v1/namespaces/default/pods/static-web-k8s-node1");
    expect(staticPod.status).toBe(200);
    expect(staticPod.json.spec.nodeName).toBe("k8s-node1");
    // Written files persist across calls, and removal hides them.
    expect((await shell(sb.id, "k8s-node1", "echo one > /root/notes; echo two >> /root/notes")).exitCode).toBe(0);
    expect((await shell(sb.id, "k8s-node1", "cat /root/notes")).stdout).toBe("one\ntwo\n");
    expect((await shell(sb.id, "k8s-node1", "rm /root/notes; cat /root/notes")).stderr).toContain("No such file or directory");
    // tee cannot open a directory: it says so, writes the other files, and changes nothing else.
    const rv = async () => (await api(sb.id, "GET", "/api/v1/namespaces")).json.metadata.resourceVersion;
    const before = await rv();
    expect(await shell(sb.id, "k8s-node1", "echo hi | tee / /root")).toMatchObject({ stdout: "hi\n", stderr: "tee: /: Is a directory\ntee: /root: Is a directory\n", exitCode: 1 });
    expect(await rv()).toBe(before);
    expect(await shell(sb.id, "k8s-node1", "echo hi | tee / /root/t; cat /root/t; test -d /root && echo dir")).toMatchObject({ stdout: "hi\nhi\ndir\n" });
  });

  it("stops and starts the kubelet with systemctl: the node goes NotReady and heals", async () => {
    const sb = await createSandbox();
    const status = await shell(sb.id, "k8s-node1", "systemctl status kubelet");
    expect(status.exitCode).toBe(0);
    expect(status.stdout).toMatch(/^● kubelet\.service - kubelet: The Kubernetes Node Agent\n/);
    expect(status.stdout).toContain("Active: active (running) since");
    expect((await shell(sb.id, "k8s-node1", "systemctl stop kubelet")).exitCode).toBe(0);
    const stopped = await shell(sb.id, "k8s-node1", "systemctl is-active kubelet; systemctl status kubelet");
    expect(stopped.stdout).toMatch(/^inactive\n○ kubelet\.service/);
    expect(stopped.stdout).toContain("Active: inactive (dead) since");
    expect(stopped.exitCode).toBe(3);
    // The node controller marks it after the grace period (40 s) and taints it.
    await clock(sb.id, { advanceSeconds: 60 });
    let node = (await api(sb.id, "GET", "/api/v1/nodes/k8s-node1")).json;
    expect(condition(node, "Ready").status).toBe("Unknown");
    expect(node.spec.taints.map((t: any) => `${t.key}:${t.effect}`)).toContain("node.kubernetes.io/unreachable:NoSchedule");
    expect((await shell(sb.id, "k8s-node1", "systemctl start kubelet")).exitCode).toBe(0);
    await clock(sb.id, { advanceSeconds: 30 });
    node = (await api(sb.id, "GET", "/api/v1/nodes/k8s-node1")).json;
    expect(condition(node, "Ready").status).toBe("True");
    expect(node.spec.taints ?? []).toEqual([]);
    const unknown = await shell(sb.id, "k8s-node1", "systemctl stop nosuch");
    expect(unknown).toMatchObject({ exitCode: 5, stderr: "Failed to stop nosuch.service: Unit nosuch.service not found.\n" });
  });

  it("runs a command given to sudo as it is, the shell being root's", async () => {
    const sb = await createSandbox();
    const save = await shell(sb.id, "k8s-node1", "sudo iptables-save | grep -c KUBE-SERVICES");
    expect(save).toMatchObject({ exitCode: 0, stderr: "" });
    expect(Number(save.stdout)).toBeGreaterThan(0);
    expect((await shell(sb.id, "k8s-node1", "sudo -E systemctl is-active kubelet")).stdout).toBe("active\n");
    expect(await shell(sb.id, "k8s-node1", "sudo nope")).toMatchObject({ exitCode: 1, stderr: "sudo: nope: command not found\n" });
    expect((await shell(sb.id, "k8s-node1", "sudo")).stderr).toMatch(/^usage: sudo -h/);
  });

  it("lists the node's containers with crictl", async () => {
    const sb = await createSandbox();
    const ps = await shell(sb.id, "k8s-master", "crictl ps");
    expect(ps.stdout.split("\n")[0]).toMatch(/^CONTAINER\s+IMAGE\s+CREATED\s+STATE\s+NAME\s+ATTEMPT\s+POD ID\s+POD$/);
    expect(ps.stdout).toMatch(/Running\s+kube-apiserver\s+0\s+\w+\s+kube-apiserver-k8s-master/);
  });

  it("refuses bad requests, unknown nodes and read-only links", async () => {
    const sb = await createSandbox();
    expect((await shell(sb.id, "nope", "ls")).status).toBe(404);
    const bad = await SELF.fetch(`${ORIGIN}/api/sandboxes/${sb.id}/shell`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ node: "k8s-node1", command: 3 }) });
    expect(bad.status).toBe(400);
    expect((await shell(sb.readOnlyId, "k8s-node1", "ls")).status).toBe(403);
    // A command that never ends is stopped; nothing is left running.
    const forever = await shell(sb.id, "k8s-node1", "tail -f /etc/hostname");
    expect(forever.exitCode).toBe(130);
  });

  it("answers hostile patterns and literals in the text tools' own words", async () => {
    const sb = await createSandbox();
    // JavaScript's messages ("Invalid regular expression: /(/: Unterminated group") used to leak out.
    expect(await shell(sb.id, "k8s-node1", "grep -E '(' /etc/hosts")).toMatchObject({ exitCode: 2, stderr: "grep: Unmatched ( or \\(\n" });
    expect(await shell(sb.id, "k8s-node1", "sed -E 's/(/x/' /etc/hosts")).toMatchObject({ exitCode: 1, stderr: "sed: -e expression #1, char 6: Unmatched ( or \\(\n" });
    expect(await shell(sb.id, "k8s-node1", "awk '/(/' /etc/hosts")).toMatchObject({ exitCode: 2, stderr: "awk: cmd. line:1: fatal: Unmatched ( or \\(: /(/\n" });
    // awk's escapes, not JSON's (`\q` threw in JSON.parse).
    expect((await shell(sb.id, "k8s-node1", "echo | awk '{print \"a\\qb\\t\\101\"}'")).stdout).toBe("aqb\tA\n");
    // A pattern that backtracks exponentially in JavaScript, on a line long enough to hang the sandbox.
    const long = `printf '${"a".repeat(60)}!\\n'`;
    for (const [tool, command] of [["grep", "grep -E '(a+)+b'"], ["sed", "sed -E 's/(a|aa)+$/x/'"], ["awk", "awk '/(a*)*b/'"]]) {
      expect(await shell(sb.id, "k8s-node1", `${long} | ${command}`), tool).toMatchObject({ exitCode: 2, stderr: `${tool}: memory exhausted\n` });
    }
  });

  it("lists the sockets a kubeadm node listens on with ss; a NodePort holds none", async () => {
    const sb = await createSandbox();
    const master = await shell(sb.id, "k8s-master", "ss -ntl");
    expect(master).toMatchObject({ exitCode: 0, stderr: "" });
    const local = (out: string) => out.trim().split("\n").slice(1).map((l) => l.trim().split(/\s+/)[3]);
    expect(master.stdout.split("\n")[0]).toMatch(/^State +Recv-Q +Send-Q +Local Address:Port +Peer Address:Port$/);
    expect(local(master.stdout)).toEqual(expect.arrayContaining(["*:6443", "127.0.0.1:2379", "*:10250", "127.0.0.1:10248", "*:10256", "0.0.0.0:22"]));
    const worker = await shell(sb.id, "k8s-node1", "ss -tlnp");
    expect(local(worker.stdout)).not.toContain("*:6443");
    expect(worker.stdout).toMatch(/\*:10250 +0\.0\.0\.0:\* +users:\(\("kubelet",pid=\d+,fd=\d+\)\)/);
    const svc = await api(sb.id, "POST", "/api/v1/namespaces/default/services", { metadata: { name: "web" }, spec: { type: "NodePort", selector: { app: "web" }, ports: [{ port: 80 }] } });
    const nodePort = svc.json.spec.ports[0].nodePort;
    // As seed 001 shows: kube-proxy forwards NodePorts with rules, so nothing listens on them.
    expect(await shell(sb.id, "k8s-node1", `ss -ntl | grep ${nodePort}`)).toMatchObject({ exitCode: 1, stdout: "" });
    // A stopped kubelet takes its ports with it.
    expect((await shell(sb.id, "k8s-node1", "systemctl stop kubelet && ss -ntlp | grep -c kubelet")).stdout).toBe("0\n");
    expect((await shell(sb.id, "k8s-node1", "ss -u")).stderr).toContain("listening TCP sockets");
  });

  it("lists a node's NFS exports with showmount -e, from this node or another", async () => {
    const sb = await createSandbox();
    const serve = await shell(sb.id, "k8s-node1", "mkdir /nfs-share && echo '/nfs-share      192.168.1.0/24(rw,sync,no_root_squash)' > /etc/exports && systemctl start nfs-server && showmount -e localhost");
    expect(serve).toMatchObject({ exitCode: 0, stdout: "Export list for localhost:\n/nfs-share 192.168.1.0/24\n" });
    expect((await shell(sb.id, "k8s-master", "showmount -e k8s-node1")).stdout).toBe("Export list for k8s-node1:\n/nfs-share 192.168.1.0/24\n");
    expect((await shell(sb.id, "k8s-master", "showmount -e 192.168.1.11")).stdout).toBe("Export list for 192.168.1.11:\n/nfs-share 192.168.1.0/24\n");
    expect((await shell(sb.id, "k8s-node2", "showmount -e k8s-master")).stdout).toBe("Export list for k8s-master:\n");
    expect(await shell(sb.id, "k8s-node2", "showmount -e nowhere")).toMatchObject({ exitCode: 1, stderr: "clnt_create: RPC: Unknown host\n" });
  });
});
