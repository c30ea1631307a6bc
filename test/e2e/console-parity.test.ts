// The console's kubectl against the real one. A sandbox (paused clock) is forked, so two copies
// start identical — same objects, clock and random generator — and each tutorial command runs twice:
// through the console (`POST /s/<id>/console/run`) on one copy and through the real kubectl 1.32 (in
// bash, with the same pipes and here-documents) on the other. Both copies then let their controllers
// settle and advance their clocks alike, so they stay identical as long as both clients send the same
// requests. stdout, stderr and the exit code must match byte for byte, after replacing the sandbox
// ids (server URL, context name) and — only where kubectl computes them itself from its own clock —
// AGE cells. The read-only commands are also run with kubectl 1.33, whose output matches except for
// its version.
import { spawnSync } from "node:child_process";
import { mkdirSync, symlinkSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { baseUrl, createSandbox, fetchRetry, kubectlBinary, type Sandbox, sandboxPost } from "./harness";

interface Out {
  stdout: string;
  stderr: string;
  code: number;
}

let console_: Sandbox;
let real: Sandbox;

const clock = async (id: string, body: unknown): Promise<void> => void (await sandboxPost({ id }, "clock", body));

async function fork(sb: Sandbox): Promise<Sandbox> {
  const res = await fetchRetry(`${baseUrl()}/api/sandboxes/${sb.id}/fork`, { method: "POST" });
  if (res.status !== 201) throw new Error(`fork: ${res.status} ${await res.text()}`);
  const f = (await res.json()) as { id: string; url: string; readOnlyUrl: string; ownerToken: string; kubeconfigUrl: string };
  const dir = `${sb.dir}-fork`;
  mkdirSync(dir, { recursive: true });
  const kubeconfig = path.join(dir, "kubeconfig");
  const { writeFileSync } = await import("node:fs");
  writeFileSync(kubeconfig, await (await fetchRetry(f.kubeconfigUrl)).text());
  return { ...f, kubeconfig, dir };
}

async function viaConsole(line: string): Promise<Out> {
  const res = await fetchRetry(`${baseUrl()}/s/${console_.id}/console/run`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ command: line }) });
  if (!res.ok) throw new Error(`console run: ${res.status} ${await res.text()}`);
  const r = (await res.json()) as { stdout: string; stderr: string; exitCode: number };
  return { stdout: r.stdout, stderr: r.stderr, code: r.exitCode };
}

/** The same line in bash, where `kubectl` is the real binary of `version`, against the fork. */
function viaReal(line: string, version = "1.32"): Out {
  const bin = path.join(real.dir, `bin-${version}`);
  mkdirSync(bin, { recursive: true });
  try {
    symlinkSync(kubectlBinary(version), path.join(bin, "kubectl"));
  } catch {
    // Already linked.
  }
  const r = spawnSync("bash", ["-c", line], {
    encoding: "utf8",
    cwd: real.dir,
    timeout: 60_000,
    env: { PATH: `${bin}:${process.env.PATH ?? ""}`, HOME: real.dir, KUBECONFIG: real.kubeconfig, KUBECACHEDIR: path.join(real.dir, "cache"), TZ: "UTC" },
  });
  return { stdout: r.stdout ?? "", stderr: r.stderr ?? "", code: r.status ?? -1 };
}

/** Lets both copies' controllers react, and moves both clocks alike. */
async function settle(advanceSeconds = 0): Promise<void> {
  await clock(console_.id, { advanceSeconds });
  await clock(real.id, { advanceSeconds });
}

function sandboxNeutral(s: string): string {
  for (const id of [console_.id, real.id]) s = s.replaceAll(`kubeplay-${id.slice(0, 8)}`, "kubeplay-CONTEXT").replaceAll(id, "SANDBOX");
  // kubectl drain's wait for a pod ends either way when its --timeout passes: its poll sees the
  // deadline ("global timeout reached: 2s") or the pod GET in flight is cut ("context deadline
  // exceeded"), depending on timing alone.
  return s.replace(/to terminate: (global timeout reached: \d+s|context deadline exceeded)/g, "to terminate: TIMEOUT");
}

/** Ages kubectl computes from its own clock (describe's events and pod lists) differ from the sandbox's paused one. */
function clientAges(s: string): string {
  return s.replace(/(?<![\w.:/-])((\d+[smhdy])+|<invalid>)(?![\w.:/%-])/g, "AGE").replace(/ {2,}/g, "  ");
}

interface Step {
  line: string;
  /** Output holds ages kubectl computes itself. */
  ages?: boolean;
  /** Virtual seconds both copies move on after the step. */
  advance?: number;
}

async function compare(step: Step): Promise<Out> {
  const c = await viaConsole(step.line);
  const r = viaReal(step.line);
  await settle(step.advance ?? 0);
  const norm = (s: string) => (step.ages ? clientAges(sandboxNeutral(s)) : sandboxNeutral(s));
  expect({ stdout: norm(c.stdout), stderr: norm(c.stderr), code: c.code }, step.line).toEqual({ stdout: norm(r.stdout), stderr: norm(r.stderr), code: r.code });
  return c;
}

async function steps(list: (Step | string)[]): Promise<void> {
  for (const s of list) await compare(typeof s === "string" ? { line: s } : s);
}

const MY_NGINX = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: my-nginx
spec:
  selector:
    matchLabels:
      run: my-nginx
  replicas: 3
  template:
    metadata:
      labels:
        run: my-nginx
    spec:
      containers:
      - name: my-nginx
        image: nginx
        ports:
        - containerPort: 80
---
apiVersion: v1
kind: Service
metadata:
  name: my-nginx
  labels:
    run: my-nginx
spec:
  type: NodePort
  ports:
  - port: 8080
    targetPort: 80
    protocol: TCP
    name: http
  selector:
    run: my-nginx`;

const READ_ONLY = [
  "kubectl get nodes",
  "kubectl get nodes -o wide",
  "kubectl get pods -A",
  "kubectl get pods -A -o wide",
  "kubectl -n kube-system get pods --show-labels",
  "kubectl get pods,svc -A",
  "kubectl get all -A",
  "kubectl get ns -o name",
  "kubectl get nodes -o jsonpath='{.items[*].metadata.name}'",
  "kubectl get nodes -o custom-columns=NAME:.metadata.name,IP:.status.addresses[0].address",
  "kubectl get ns default -o yaml",
  "kubectl get svc kubernetes -o json",
  "kubectl api-resources",
  "kubectl api-resources --namespaced=false -o wide",
  "kubectl api-versions",
  "kubectl config view",
  "kubectl config current-context",
  "kubectl config get-contexts",
  "kubectl cluster-info",
  "kubectl explain pods",
  "kubectl explain deploy.spec.replicas",
  "kubectl explain pods.spec.containers.ports",
  "kubectl -n kube-system get pods | grep kube-proxy | wc -l",
];

const ERRORS = [
  "kubectl get foo",
  "kubectl get pods nope",
  "kubectl get pods nope -o yaml",
  "kubectl get",
  "kubectl get pods --foo",
  "kubectl get pods -z",
  "kubectl foo",
  "kubectl describe pod nope",
  "kubectl delete pod nope",
  "kubectl delete pod",
  "kubectl create deployment x",
  "kubectl scale deploy nope --replicas=2",
  "kubectl logs nope",
  "kubectl get pods -o bogus",
  "kubectl get pods x -A",
  "kubectl explain pods.spec.nope",
  "kubectl rollout foo",
  // In backquotes bash unescapes `\$` first, so awk prints whole lines and kubectl refuses them.
  "kubectl -n kube-system delete pod `kubectl -n kube-system get pods | grep kube-proxy | awk \"{print \\$1}\"`",
];

describe("console kubectl against kubectl 1.32", () => {
  beforeAll(async () => {
    console_ = await createSandbox();
    await clock(console_.id, { paused: true });
    real = await fork(console_);
  });

  it("reads the cluster as kubectl does", async () => {
    await steps(READ_ONLY);
    await steps([{ line: "kubectl describe node k8s-master", ages: true }, { line: "kubectl describe ns kube-system" }, { line: "kubectl describe sa -n kube-system" }]);
  });

  it("fails as kubectl fails", async () => {
    await steps(ERRORS);
  });

  it("runs the tutorials' create, expose, scale and describe", async () => {
    await steps([
      { line: "kubectl create deployment web --image=nginx:1.25 --replicas=2", advance: 60 },
      "kubectl get deploy,rs,pods -o wide",
      "kubectl get pods --show-labels",
      "kubectl get deploy web -o yaml",
      "kubectl create deployment web2 --image=nginx --dry-run=client -o yaml",
      "kubectl create deployment web2 --image=nginx --port=80 --dry-run=client -o json",
      { line: `kubectl apply -f - <<EOF\n${MY_NGINX}\nEOF`, advance: 60 },
      `kubectl apply -f - <<'EOF'\n${MY_NGINX}\nEOF`,
      "kubectl get deploy my-nginx -o jsonpath='{.metadata.annotations}'",
      { line: "kubectl expose deployment web --port=80 --target-port=80", advance: 5 },
      "kubectl get svc -o wide",
      "kubectl get endpoints web",
      { line: "kubectl describe deploy web", ages: true },
      { line: "kubectl describe svc my-nginx", ages: true },
      { line: "kubectl describe pods -l app=web", ages: true },
      { line: "kubectl describe rs", ages: true },
      { line: "kubectl describe node k8s-node1", ages: true },
      { line: "kubectl scale deploy web --replicas=3", advance: 60 },
      "kubectl get pods -o wide",
      "kubectl get pods -l app=web -o name | wc -l",
      "kubectl create namespace linux",
      "kubectl -n linux create configmap game --from-literal=level=3",
      "kubectl -n linux get cm,po",
      "kubectl get events -n linux",
    ]);
  });

  it("rolls out, labels, annotates, shows logs and metrics", async () => {
    await steps([
      { line: "kubectl set image deploy/web nginx=nginx:1.26", advance: 120 },
      "kubectl rollout status deploy/web",
      "kubectl rollout history deploy/web",
      { line: "kubectl rollout undo deploy/web", advance: 120 },
      "kubectl rollout history deployment web",
      { line: "kubectl rollout history deploy/web --revision=3", ages: true },
      "kubectl rollout restart deploy web --dry-run=server",
      "kubectl rollout undo deploy web --dry-run=server",
      "kubectl rollout pause deploy/web",
      "kubectl rollout pause deploy/web",
      "kubectl rollout resume deploy/web",
      "kubectl label deploy web tier=frontend",
      "kubectl label deploy web tier=backend",
      "kubectl label deploy web tier=backend --overwrite",
      "kubectl annotate deploy web team=blue",
      "kubectl get deploy web --show-labels",
      "kubectl label deploy web tier-",
      "kubectl label pods -l app=web stage=test",
      "kubectl get pods -L stage",
      { line: "kubectl logs deploy/web --tail=3", advance: 30 },
      "kubectl logs -l run=my-nginx --tail=1",
      "kubectl top node",
      "kubectl top pod",
      "kubectl top pod -A",
      "kubectl exec deploy/my-nginx -- hostname",
      "kubectl exec deploy/my-nginx -- sh -c 'echo out; echo err >&2; exit 3'",
      "kubectl get events --field-selector reason=ScalingReplicaSet",
    ]);
  });

  it("edits with a KUBE_EDITOR command, as the tutorials' kube-proxy change", async () => {
    // Temporary file names are random and node files the console writes move resourceVersions on.
    const tidy = ` 2>&1 | sed -E 's/edit-[0-9]+/edit-N/; s/"resourceVersion":"[0-9]+"/RV/'`;
    await steps([
      "KUBE_EDITOR=cat kubectl -n kube-system edit cm kube-proxy",
      `KUBE_EDITOR="sed -i 's/mode: .*/mode: ipvs/'" kubectl -n kube-system edit cm kube-proxy`,
      "kubectl -n kube-system get cm kube-proxy -o jsonpath='{.data.config\\.conf}' | grep mode:",
      `KUBE_EDITOR="sed -i s/replicas:\\ 3/replicas:\\ 2/" kubectl edit deploy web --output-patch`,
      `EDITOR="sed -i s/replicas:\\ 2/replicas:\\ -1/" kubectl edit deploy/web${tidy}`,
      `KUBE_EDITOR="sed -i s/name:\\ web/name:\\ web2/" kubectl edit deploy web${tidy}`,
      `KUBE_EDITOR="sed -i /./d" kubectl edit deploy web${tidy}`,
      "KUBE_EDITOR=nosuch kubectl edit deploy web",
      "KUBE_EDITOR=true kubectl edit cm nope",
      "kubectl edit",
      "kubectl edit deploy web -o wide",
    ]);
  });

  it("replaces from files, stale and forced", async () => {
    await steps([
      "kubectl replace",
      "cat > rp.yaml <<EOF\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: rp\ndata:\n  a: b\nEOF\nkubectl replace -f rp.yaml",
      "kubectl create -f rp.yaml && kubectl replace -f rp.yaml -o name && kubectl replace -f rp.yaml --dry-run=server",
      "kubectl replace --force -f rp.yaml",
      "kubectl get deploy web -o yaml > web.yaml && sed -i 's/replicas: 2/replicas: 1/' web.yaml && kubectl replace -f web.yaml",
      { line: "kubectl replace -f web.yaml", advance: 30 },
      "kubectl get deploy web",
    ]);
  });

  it("waits for conditions, and says when they are not met", async () => {
    await steps([
      "kubectl wait --for=condition=Available deploy/web",
      "kubectl wait --for=jsonpath='{.spec.replicas}'=1 deploy/web -o name",
      "kubectl wait --for=jsonpath='{.spec}'=1 deploy/web",
      "kubectl wait --for=condition=Ready pod -l app=nope",
      "kubectl wait --for=delete cm/rp --timeout=0",
      "kubectl wait --for=delete cm/nope",
      "kubectl wait --for=create cm/rp",
      "kubectl wait --for=condition=Ready cm/rp pod/nope --timeout=1s",
      "kubectl wait --for=foo pod/x",
      "kubectl wait --for=jsonpath='{.a}'= cm/rp",
      "kubectl wait pods --for=condition=Ready",
    ]);
  });

  it("autoscales as kubectl autoscale does", async () => {
    await steps([
      "kubectl autoscale deploy web --min=2 --max=5 --cpu-percent=80 --dry-run=client -o yaml",
      "kubectl autoscale deploy web --max=5 --dry-run=client -o json",
      "kubectl autoscale deploy web",
      "kubectl autoscale deploy web --max=3 --min=5",
      "kubectl autoscale deploy web --max=0",
      "kubectl autoscale deploy web --max=4 --cpu-percent=50",
      "kubectl autoscale deploy web --max=4",
      "kubectl autoscale cm rp --max=3",
      "kubectl autoscale deploy nope --max=3",
      "kubectl get hpa",
      { line: "kubectl describe hpa web", ages: true },
    ]);
  });

  it("drains nodes: kubectl's filters, evictions and their wait", async () => {
    await steps([
      "kubectl drain",
      "kubectl drain nope",
      "kubectl drain k8s-node2",
      "kubectl drain k8s-node2 --ignore-daemonsets --dry-run=client",
      // One pod, so the order of kubectl's concurrent evictions cannot differ; the paused clock keeps it terminating.
      "kubectl drain k8s-node1 k8s-node2 --ignore-daemonsets --pod-selector=app=web --timeout=2s",
      "kubectl get nodes",
      { line: "kubectl uncordon k8s-node1 k8s-node2", advance: 60 },
      "kubectl get deploy web",
    ]);
  });

  it("deletes, and reports the invalid as kubectl does", async () => {
    await steps([
      `kubectl apply -f - <<EOF\napiVersion: v1\nkind: Service\nmetadata:\n  name: bad\nspec:\n  type: NodePort\n  selector:\n    app: x\n  ports:\n  - port: 80\n    nodePort: 8080\nEOF`,
      `kubectl create -f - <<EOF\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: twice\nEOF`,
      `kubectl create -f - <<EOF\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: twice\nEOF`,
      "kubectl delete cm twice",
      "kubectl delete svc my-nginx web",
      { line: "kubectl delete deployment my-nginx", advance: 60 },
      "kubectl delete pods -l app=nope",
      "kubectl delete namespace linux --wait=false",
      "kubectl get ns linux",
      "kubectl get deploy",
    ]);
  });

  it("reads the same with kubectl 1.33, except its own version", async () => {
    for (const line of [...READ_ONLY, ...ERRORS, "kubectl get deploy,rs,pods -o wide", "kubectl rollout history deploy/web"]) {
      const c = await viaConsole(line);
      const r = viaReal(line, "1.33");
      expect({ stdout: sandboxNeutral(c.stdout), stderr: sandboxNeutral(c.stderr), code: c.code }, line).toEqual({ stdout: sandboxNeutral(r.stdout), stderr: sandboxNeutral(r.stderr), code: r.code });
    }
    const v32 = viaReal("kubectl version --client");
    const v33 = viaReal("kubectl version --client", "1.33");
    expect((await viaConsole("kubectl version --client")).stdout).toBe(v32.stdout);
    expect(v33.stdout).not.toBe(v32.stdout);
  });
});
