// The console's run endpoint through the Worker: a shell on the first control-plane node where
// kubectl talks to the sandbox's API, pipelines and redirections into the node's files,
// here-documents, command substitution, ssh to another node, and a read-only link that reads but
// cannot change anything.
import { SELF } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { clock, createSandbox, ORIGIN, type Created } from "./helpers";

interface RunResult {
  status: number;
  stdout: string;
  stderr: string;
  exitCode: number;
  error?: string;
}

async function run(id: string, command: string, extra: Record<string, unknown> = {}): Promise<RunResult> {
  const res = await SELF.fetch(`${ORIGIN}/s/${id}/console/run`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ command, ...extra }) });
  return { status: res.status, ...((await res.json()) as Omit<RunResult, "status">) };
}

/** Replaces AGE cells (`0s`, `5m3s`) so table rows are stable. */
const ages = (s: string) => s.replace(/(?<= )(\d+[smhd])+(?= |$)/gm, "AGE");

let sb: Created;

beforeAll(async () => {
  sb = await createSandbox();
  await clock(sb.id, { paused: true });
});

describe("console run endpoint", () => {
  it("runs kubectl against the sandbox and prints kubectl's table", async () => {
    const r = await run(sb.id, "kubectl get nodes");
    expect(r).toMatchObject({ status: 200, exitCode: 0, stderr: "" });
    expect(ages(r.stdout)).toBe(
      "NAME         STATUS   ROLES           AGE   VERSION\nk8s-master   Ready    control-plane   AGE    v1.32.3\nk8s-node1    Ready    <none>          AGE    v1.32.3\nk8s-node2    Ready    <none>          AGE    v1.32.3\n",
    );
    // The `k` alias, and kubectl's own error wording and exit code.
    expect((await run(sb.id, "k get ns default -o name")).stdout).toBe("namespace/default\n");
    expect(await run(sb.id, "kubectl get foo")).toMatchObject({ stdout: "", stderr: 'error: the server doesn\'t have a resource type "foo"\n', exitCode: 1 });
    expect(await run(sb.id, "kubectl get pods")).toMatchObject({ stdout: "", stderr: "No resources found in default namespace.\n", exitCode: 0 });
  });

  it("pipes kubectl into the node's tools and back", async () => {
    expect((await run(sb.id, "kubectl get pods -n kube-system | grep kube-proxy | wc -l")).stdout.trim()).toBe("3");
    expect((await run(sb.id, "kubectl -n kube-system get pods | grep apiserver | awk '{print $1, $3}'")).stdout).toBe("kube-apiserver-k8s-master Running\n");
    expect((await run(sb.id, "kubectl get nodes -o name | sort -r | head -1")).stdout).toBe("node/k8s-node2\n");
    // kubectl reading a pipeline's output as its stdin.
    const manifest = "apiVersion: v1\\nkind: ConfigMap\\nmetadata:\\n  name: piped\\ndata:\\n  a: b\\n";
    expect((await run(sb.id, `printf '${manifest}' | kubectl apply -f -`)).stdout).toBe("configmap/piped created\n");
  });

  it("applies a here-document and keeps files written with redirections on the node", async () => {
    const apply = await run(sb.id, "kubectl apply -f - <<EOF\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web-config\ndata:\n  greeting: hello\nEOF");
    expect(apply).toMatchObject({ exitCode: 0, stdout: "configmap/web-config created\n", stderr: "" });
    expect((await run(sb.id, "kubectl apply -f - <<'EOF'\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web-config\ndata:\n  greeting: hello\nEOF")).stdout).toBe("configmap/web-config unchanged\n");

    const written = await run(sb.id, "cat > cm.yaml <<EOF\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: from-file\ndata:\n  host: $(hostname)\nEOF\nkubectl apply -f cm.yaml && kubectl get cm from-file -o jsonpath='{.data.host}'");
    expect(written).toMatchObject({ exitCode: 0, stdout: "configmap/from-file created\nk8s-master" });
    // A later command (a fresh shell) finds the files on the node.
    await run(sb.id, "kubectl get cm web-config -o yaml > web.yaml");
    expect((await run(sb.id, "grep '^  greeting' web.yaml; ls /root")).stdout).toBe("  greeting: hello\ncm.yaml\nweb.yaml\n");
    expect((await run(sb.id, "kubectl get cm nope 2>/dev/null; echo status=$?")).stdout).toBe("status=1\n");
    expect((await run(sb.id, "kubectl get cm nope > out.txt 2>&1; cat out.txt")).stdout).toBe('Error from server (NotFound): configmaps "nope" not found\n');
  });

  it("expands command substitutions that run kubectl, and xargs kubectl", async () => {
    await run(sb.id, "kubectl create configmap sub-a --from-literal=k=v && kubectl create configmap sub-b --from-literal=k=v");
    const del = await run(sb.id, "kubectl delete cm `kubectl get cm -o name | grep sub-a | cut -d/ -f2`");
    expect(del).toMatchObject({ exitCode: 0, stdout: 'configmap "sub-a" deleted\n' });
    expect((await run(sb.id, "echo found: $(kubectl get cm sub-b -o jsonpath='{.metadata.name}')")).stdout).toBe("found: sub-b\n");
    expect((await run(sb.id, "kubectl get cm -o name | grep sub-b | xargs kubectl delete")).stdout).toBe('configmap "sub-b" deleted\n');
  });

  it("runs node commands, builtins and ssh, with bash's wording for mistakes", async () => {
    expect((await run(sb.id, "ls /etc/kubernetes/manifests | head -2")).stdout).toBe("etcd.yaml\nkube-apiserver.yaml\n");
    expect((await run(sb.id, "cd /etc/kubernetes && pwd; cd /nope")).stdout).toBe("/etc/kubernetes\n");
    expect((await run(sb.id, "cd /nope")).stderr).toBe("bash: cd: /nope: No such file or directory\n");
    expect(await run(sb.id, "nosuchprogram")).toMatchObject({ stderr: "bash: nosuchprogram: command not found\n", exitCode: 127 });
    expect((await run(sb.id, "X=hello; export Y=world; echo $X $Y")).stdout).toBe("hello world\n");
    expect((await run(sb.id, "ssh k8s-node1 hostname")).stdout).toBe("k8s-node1\n");
    expect((await run(sb.id, "hostname", { node: "k8s-node2" })).stdout).toBe("k8s-node2\n");
    // A worker node has no kubeconfig, as after kubeadm join.
    expect((await run(sb.id, "ssh k8s-node1 kubectl get pods")).stderr).toBe("The connection to the server localhost:8080 was refused - did you specify the right host or port?\n");
    expect((await run(sb.id, "ssh nowhere")).stderr).toBe("ssh: Could not resolve hostname nowhere: Name or service not known\n");
    expect((await run(sb.id, "for i in 1 2; do kubectl get ns default -o name; done")).stdout).toBe("namespace/default\nnamespace/default\n");
    expect((await run(sb.id, "kubectl get ns default >/dev/null && echo yes || echo no")).stdout).toBe("yes\n");
  });

  it("edits an object with the editor KUBE_EDITOR names, run on the node, and tidies its file", async () => {
    const edit = await run(sb.id, `KUBE_EDITOR="sed -i 's/mode: .*/mode: ipvs/'" kubectl -n kube-system edit cm kube-proxy`);
    expect(edit).toMatchObject({ exitCode: 0, stdout: "configmap/kube-proxy edited\n", stderr: "" });
    expect((await run(sb.id, "kubectl -n kube-system get cm kube-proxy -o yaml | grep -c 'mode: ipvs'")).stdout).toBe("1\n");
    expect((await run(sb.id, "ls /tmp | grep -c kubectl-edit")).stdout).toBe("0\n");
    // The same again changes nothing; the default editor (vi) is not there.
    expect(await run(sb.id, `KUBE_EDITOR="sed -i 's/mode: .*/mode: ipvs/'" kubectl -n kube-system edit cm kube-proxy`)).toMatchObject({ exitCode: 0, stdout: "", stderr: "Edit cancelled, no changes made.\n" });
    const vi = await run(sb.id, "kubectl -n kube-system edit cm kube-proxy");
    expect(vi.exitCode).toBe(1);
    expect(vi.stderr).toMatch(/^vi: the console's terminal has no full-screen editor.*\nerror: there was a problem with the editor "vi"\n$/);
  });

  it("answers bad requests plainly", async () => {
    expect((await run(sb.id, "hostname", { node: "k8s-node9" })).status).toBe(404);
    const res = await SELF.fetch(`${ORIGIN}/s/${sb.id}/console/run`, { method: "POST", body: "not json" });
    expect(res.status).toBe(400);
    expect((await run(sb.id, "true", { timeoutSeconds: -1 })).status).toBe(400);
  });

  it("stops a streaming command at the timeout, with what it printed so far", async () => {
    const r = await run(sb.id, "kubectl get nodes -w", { timeoutSeconds: 0.5 });
    expect(r.status).toBe(200);
    expect(r.stdout.split("\n")[0]).toMatch(/^NAME +STATUS +ROLES +AGE +VERSION$/);
  });
});

describe("console on a read-only link", () => {
  it("prints what the API accepted, and takes any name it is given", async () => {
    // A claim template without metadata once made describe throw.
    const sts = { apiVersion: "apps/v1", kind: "StatefulSet", metadata: { name: "bare" }, spec: { serviceName: "bare", selector: { matchLabels: { app: "bare" } }, template: { metadata: { labels: { app: "bare" } }, spec: { containers: [{ name: "c", image: "nginx" }] } }, volumeClaimTemplates: [{ spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } } }] } };
    const created = await SELF.fetch(`${ORIGIN}/s/${sb.id}/apis/apps/v1/namespaces/default/statefulsets`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(sts) });
    expect(created.status).toBe(201);
    const described = await run(sb.id, "kubectl describe sts bare");
    expect(described).toMatchObject({ exitCode: 0, stderr: "" });
    expect(described.stdout).toContain("Volume Claims:\n  Name:          \n");
    // An unpaired surrogate (only JSON can carry one) once made encodeURIComponent throw.
    expect(await run(sb.id, "kubectl get pod \ud800x")).toMatchObject({ exitCode: 1, stderr: 'Error from server (NotFound): pods "\ufffdx" not found\n' });
  });

  it("stops loops of kubectl at their turn limit and at the timeout", async () => {
    // A `for` loop once ran every turn it was given (5000 kubectl calls for one request).
    const counted = await run(sb.id, "for i in $(seq 1 1500); do kubectl get ns default -o name; done | wc -l");
    expect(counted).toMatchObject({ stdout: "1000\n", stderr: "bash: loop stopped after 1000 turns (virtual time does not pass inside one command line)\n" });
    // The loop never waited on anything, so the timeout's timer never got to run before its last turn.
    const started = Date.now();
    const timed = await run(sb.id, "while true; do kubectl get ns default -o name; done", { timeoutSeconds: 0.2 });
    expect(timed.exitCode).toBe(130);
    expect(Date.now() - started).toBeLessThan(1500);
  });

  it("reads, and refuses changes to the cluster and to the node", async () => {
    expect((await run(sb.readOnlyId, "kubectl get ns default -o name")).stdout).toBe("namespace/default\n");
    const create = await run(sb.readOnlyId, "kubectl create namespace nope");
    expect(create.exitCode).toBe(1);
    expect(create.stderr).toMatch(/^Error from server \(Forbidden\): .*read-only link/);
    const touch = await run(sb.readOnlyId, "touch /root/x; echo $?");
    expect(touch.stderr).toContain("read-only link");
    expect((await run(sb.id, "ls /root/x")).exitCode).not.toBe(0);
  });
});
