// The console's terminal over WebSocket, through the Worker: the JSON frame protocol the web page
// speaks, the prompt and echo, here-documents continued with "> ", pasted lines run in turn, history,
// Ctrl-C interrupting a watch, tab completion, `kubectl exec -it` taking the terminal over, and exit.
import { SELF } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { api, clock, createSandbox, ORIGIN, type Created } from "./helpers";

const PROMPT = "[root@k8s-master ~]# ";

interface Terminal {
  /** Everything received as output so far. */
  readonly text: string;
  exit?: number;
  type(data: string): void;
  send(msg: unknown): void;
  /** Waits until the output (from `from` on) satisfies `pred`; returns that part. */
  waitFor(pred: (s: string) => boolean, from?: number, ms?: number): Promise<string>;
  closed: Promise<void>;
}

async function connect(id: string, query = ""): Promise<Terminal> {
  const res = await SELF.fetch(`${ORIGIN}/s/${id}/console/terminal${query}`, { headers: { upgrade: "websocket" } });
  expect(res.status).toBe(101);
  const ws = res.webSocket!;
  ws.accept();
  let text = "";
  const t: Terminal = {
    get text() {
      return text;
    },
    type: (data) => ws.send(JSON.stringify({ type: "input", data })),
    send: (msg) => ws.send(JSON.stringify(msg)),
    async waitFor(pred, from = 0, ms = 2500) {
      const deadline = Date.now() + ms;
      while (!pred(text.slice(from))) {
        if (Date.now() > deadline) throw new Error(`timed out; terminal shows:\n${JSON.stringify(text.slice(from))}`);
        await new Promise((r) => setTimeout(r, 5));
      }
      return text.slice(from);
    },
    closed: new Promise((resolve) => ws.addEventListener("close", () => resolve())),
  };
  ws.addEventListener("message", (ev) => {
    const msg = JSON.parse(ev.data as string) as { type: string; data?: string; code?: number };
    if (msg.type === "output") text += msg.data;
    if (msg.type === "exit") t.exit = msg.code;
  });
  return t;
}

/** Types a line and waits for the next prompt after it; returns what the terminal showed. */
async function enter(t: Terminal, line: string, prompt = PROMPT): Promise<string> {
  const from = t.text.length;
  t.type(`${line}\r`);
  return t.waitFor((s) => s.endsWith(prompt) && s.length > line.length, from);
}

let sb: Created;

beforeAll(async () => {
  sb = await createSandbox();
  await clock(sb.id, { paused: true });
});

describe("console terminal", () => {
  it("shows a prompt, echoes input and prints output with CRLF line ends", async () => {
    const t = await connect(sb.id);
    await t.waitFor((s) => s === PROMPT);
    const out = await enter(t, "kubectl get ns default -o name");
    expect(out).toBe(`kubectl get ns default -o name\r\nnamespace/default\r\n${PROMPT}`);
    t.send({ type: "resize", cols: 120, rows: 40 });
    // Other nodes get their own prompt, and ssh switches between them.
    expect(await enter(t, "ssh k8s-node1", "[root@k8s-node1 ~]# ")).toMatch(/^ssh k8s-node1\r\nLast login: .* from 192\.168\.\d+\.\d+\r\n\[root@k8s-node1 ~\]# $/);
    expect(await enter(t, "exit")).toBe(`exit\r\nlogout\r\nConnection to k8s-node1 closed.\r\n${PROMPT}`);
    expect(await enter(t, "cd /etc/kubernetes", "[root@k8s-master kubernetes]# ")).toBe("cd /etc/kubernetes\r\n[root@k8s-master kubernetes]# ");
  });

  it("continues a here-document with > until its delimiter, then runs it", async () => {
    const t = await connect(sb.id);
    await t.waitFor((s) => s === PROMPT);
    let from = t.text.length;
    t.type("kubectl apply -f - <<EOF\r");
    await t.waitFor((s) => s.endsWith("> "), from);
    for (const l of ["apiVersion: v1", "kind: ConfigMap", "metadata:", "  name: typed"]) {
      from = t.text.length;
      t.type(`${l}\r`);
      await t.waitFor((s) => s === `${l}\r\n> `, from);
    }
    const out = await enter(t, "EOF");
    expect(out).toBe(`EOF\r\nconfigmap/typed created\r\n${PROMPT}`);
  });

  it("kubectl apply -f - reads the pasted manifest until Ctrl-D", async () => {
    const t = await connect(sb.id);
    await t.waitFor((s) => s === PROMPT);
    let from = t.text.length;
    t.type("kubectl apply -f -\r");
    await t.waitFor((s) => s === "kubectl apply -f -\r\n", from);
    // A paste arrives as one chunk, its line ends as CR (xterm.js).
    const manifest = ["apiVersion: apps/v1", "kind: Deployment", "metadata:", "  name: pasted", "spec:", "  selector:", "    matchLabels: {app: pasted}", "  template:", "    metadata:", "      labels: {app: pasted}", "    spec:", "      containers:", "      - name: web", "        image: nginx:1.27"];
    from = t.text.length;
    t.type(`${manifest.join("\r")}\r`);
    // Echoed as typed, nothing run yet.
    await t.waitFor((s) => s === `${manifest.join("\r\n")}\r\n`, from);
    from = t.text.length;
    t.type("\x04");
    expect(await t.waitFor((s) => s.endsWith(PROMPT), from)).toBe(`deployment.apps/pasted created\r\n${PROMPT}`);
    expect((await api(sb.id, "GET", "/apis/apps/v1/namespaces/default/deployments/pasted")).status).toBe(200);
  });

  it("kubectl create -f - typed in the same chunk as its input, and what follows Ctrl-D runs next", async () => {
    const t = await connect(sb.id);
    await t.waitFor((s) => s === PROMPT);
    const from = t.text.length;
    t.type("kubectl create -f -\rapiVersion: v1\rkind: ConfigMap\rmetadata:\r  name: chunked\r\x04echo next\r");
    const out = await t.waitFor((s) => s.split(PROMPT).length === 3, from);
    expect(out).toBe(`kubectl create -f -\r\napiVersion: v1\r\nkind: ConfigMap\r\nmetadata:\r\n  name: chunked\r\nconfigmap/chunked created\r\n${PROMPT}echo next\r\nnext\r\n${PROMPT}`);
  });

  it("cat > file and plain cat read the typed lines (edited as a terminal edits them) until Ctrl-D", async () => {
    const t = await connect(sb.id);
    await t.waitFor((s) => s === PROMPT);
    let from = t.text.length;
    t.type("cat > /root/typed.yaml\rkind: Namespace\rmetadata: {name: typo\x7f\x7f\x7f\x7fcat}\r\x04");
    expect(await t.waitFor((s) => s.endsWith(PROMPT), from)).toBe(`cat > /root/typed.yaml\r\nkind: Namespace\r\nmetadata: {name: typo\b \b\b \b\b \b\b \bcat}\r\n${PROMPT}`);
    expect(await enter(t, "cat /root/typed.yaml")).toBe(`cat /root/typed.yaml\r\nkind: Namespace\r\nmetadata: {name: cat}\r\n${PROMPT}`);
    // A line ended by Ctrl-D (no newline) is passed on as it is; the next Ctrl-D ends the input.
    from = t.text.length;
    t.type("echo before; cat\r");
    await t.waitFor((s) => s === "echo before; cat\r\nbefore\r\n", from);
    t.type("one\rtwo\x04\x04");
    expect(await t.waitFor((s) => s.endsWith(PROMPT), from)).toBe(`echo before; cat\r\nbefore\r\none\r\ntwoone\r\ntwo${PROMPT}`);
    // A group run whole on the node: what it printed before cat read is printed once.
    from = t.text.length;
    t.type("{ echo once; cat; }\rthree\r\x04");
    expect(await t.waitFor((s) => s.endsWith(PROMPT), from)).toBe(`{ echo once; cat; }\r\nthree\r\nonce\r\nthree\r\n${PROMPT}`);
    // Commands that do not read stdin never wait for it.
    expect(await enter(t, "echo piped | cat")).toBe(`echo piped | cat\r\npiped\r\n${PROMPT}`);
  });

  it("Ctrl-C while a command reads its input aborts it: nothing is applied", async () => {
    const t = await connect(sb.id);
    await t.waitFor((s) => s === PROMPT);
    const from = t.text.length;
    t.type("kubectl apply -f - && echo applied\rapiVersion: v1\rkind: ConfigMap\rmetadata:\r  name: aborted\r\x03");
    expect(await t.waitFor((s) => s.endsWith(PROMPT), from)).toBe(`kubectl apply -f - && echo applied\r\napiVersion: v1\r\nkind: ConfigMap\r\nmetadata:\r\n  name: aborted\r\n^C\r\n${PROMPT}`);
    expect((await api(sb.id, "GET", "/api/v1/namespaces/default/configmaps/aborted")).status).toBe(404);
    expect(await enter(t, "echo $?")).toBe(`echo $?\r\n130\r\n${PROMPT}`);
  });

  it("runs pasted lines one after another", async () => {
    const t = await connect(sb.id);
    await t.waitFor((s) => s === PROMPT);
    const from = t.text.length;
    t.type("echo one\recho two\rcat <<EOF\rpasted\rEOF\r");
    const out = await t.waitFor((s) => s.split(PROMPT).length === 4, from);
    expect(out).toBe(`echo one\r\none\r\n${PROMPT}echo two\r\ntwo\r\n${PROMPT}cat <<EOF\r\n> pasted\r\n> EOF\r\npasted\r\n${PROMPT}`);
  });

  it("recalls history with the up arrow and lists it with history", async () => {
    const t = await connect(sb.id);
    await t.waitFor((s) => s === PROMPT);
    await enter(t, "echo first");
    await enter(t, "echo second");
    const from = t.text.length;
    t.type("\x1b[A\x1b[A");
    await t.waitFor((s) => s.endsWith("echo first"), from);
    expect(await enter(t, "")).toContain("first\r\n");
    expect(await enter(t, "history")).toBe(`history\r\n    1  echo first\r\n    2  echo second\r\n    3  echo first\r\n    4  history\r\n${PROMPT}`);
  });

  it("interrupts a watch with Ctrl-C and clears a half-typed line", async () => {
    const t = await connect(sb.id);
    await t.waitFor((s) => s === PROMPT);
    let from = t.text.length;
    t.type("kubectl get nodes -w\r");
    await t.waitFor((s) => s.includes("k8s-node2"), from);
    t.type("\x03");
    const out = await t.waitFor((s) => s.endsWith(`^C\r\n${PROMPT}`), from);
    expect(out.split("\r\n")[1]).toMatch(/^NAME +STATUS +ROLES +AGE +VERSION$/);
    from = t.text.length;
    t.type("kubectl get po\x03");
    expect(await t.waitFor((s) => s.endsWith(PROMPT), from)).toBe(`kubectl get po^C\r\n${PROMPT}`);
  });

  it("completes verbs, resource types and object names with Tab", async () => {
    const t = await connect(sb.id);
    await t.waitFor((s) => s === PROMPT);
    let from = t.text.length;
    t.type("kubectl desc\t");
    await t.waitFor((s) => s === "kubectl describe ", from);
    from = t.text.length;
    t.type("nodes k8s-m\t");
    await t.waitFor((s) => s === "nodes k8s-master ", from);
    from = t.text.length;
    // Several names: the common part first, then (Tab again) the list, and the line comes back.
    t.type("\x15kubectl get nodes k8s-n\t");
    await t.waitFor((s) => s.endsWith("kubectl get nodes k8s-node"), from);
    from = t.text.length;
    t.type("\t");
    const listed = await t.waitFor((s) => s.includes("k8s-node1") && s.endsWith("kubectl get nodes k8s-node"), from);
    expect(listed).toContain(`\r\nk8s-node1  k8s-node2\r\n${PROMPT}kubectl get nodes k8s-node`);
  });

  it("hands the terminal to kubectl exec -it until the remote shell exits", async () => {
    const pod = { apiVersion: "v1", kind: "Pod", metadata: { name: "box" }, spec: { containers: [{ name: "box", image: "busybox:1.36", command: ["sleep", "3600"] }] } };
    expect((await api(sb.id, "POST", "/api/v1/namespaces/default/pods", pod)).status).toBe(201);
    await clock(sb.id, { advanceSeconds: 30 });
    const t = await connect(sb.id);
    await t.waitFor((s) => s === PROMPT);
    let from = t.text.length;
    t.type("kubectl exec -it box -- sh\r");
    await t.waitFor((s) => s.endsWith("/ # "), from);
    from = t.text.length;
    t.type("hostname\r");
    expect(await t.waitFor((s) => s.endsWith("/ # "), from)).toBe("hostname\r\nbox\r\n/ # ");
    from = t.text.length;
    t.type("exit\r");
    expect(await t.waitFor((s) => s.endsWith(PROMPT), from)).toBe(`exit\r\n${PROMPT}`);
  });

  it("follows logs until Ctrl-C", async () => {
    const pod = { apiVersion: "v1", kind: "Pod", metadata: { name: "ticker" }, spec: { containers: [{ name: "t", image: "busybox:1.36", command: ["sh", "-c", "while true; do echo tick; sleep 10; done"] }] } };
    expect((await api(sb.id, "POST", "/api/v1/namespaces/default/pods", pod)).status).toBe(201);
    await clock(sb.id, { advanceSeconds: 40 });
    const t = await connect(sb.id);
    await t.waitFor((s) => s === PROMPT);
    const from = t.text.length;
    t.type("kubectl logs -f ticker\r");
    await t.waitFor((s) => s.includes("tick\r\n"), from);
    t.type("\x03");
    const out = await t.waitFor((s) => s.endsWith(`^C\r\n${PROMPT}`), from);
    expect(out.startsWith("kubectl logs -f ticker\r\ntick\r\n")).toBe(true);
  });

  it("waits for a condition while the sandbox's clock moves on", async () => {
    const t = await connect(sb.id);
    await t.waitFor((s) => s === PROMPT);
    let from = t.text.length;
    t.type("kubectl create deployment waiter --image=nginx:1.25 && kubectl wait --for=condition=Available deploy/waiter --timeout=0\r");
    expect(await t.waitFor((s) => s.endsWith(PROMPT), from)).toContain("deployment.apps/waiter created\r\nerror: condition not met for deployments/waiter\r\n");
    from = t.text.length;
    t.type("kubectl wait --for=condition=Available deploy/waiter --timeout=60s\r");
    await t.waitFor((s) => s.startsWith("kubectl wait"), from);
    await clock(sb.id, { advanceSeconds: 60 });
    expect(await t.waitFor((s) => s.endsWith(PROMPT), from)).toBe(`kubectl wait --for=condition=Available deploy/waiter --timeout=60s\r\ndeployment.apps/waiter condition met\r\n${PROMPT}`);
  });

  it("runs kubectl run -it --rm in the terminal and deletes the pod after the shell exits", async () => {
    const t = await connect(sb.id);
    await t.waitFor((s) => s === PROMPT);
    let from = t.text.length;
    t.type("kubectl run -it --rm debug --image=busybox:1.36 --restart=Never -- sh\r");
    // The pod waits for its image and start: time moves on while kubectl waits for it.
    await t.waitFor((s) => s.startsWith("kubectl run"), from);
    await clock(sb.id, { advanceSeconds: 30 });
    await t.waitFor((s) => s.endsWith("/ # "), from);
    expect(t.text.slice(from)).toContain("If you don't see a command prompt, try pressing enter.\r\n");
    from = t.text.length;
    t.type("echo $((6*7))\r");
    expect(await t.waitFor((s) => s.endsWith("/ # "), from)).toBe("echo $((6*7))\r\n42\r\n/ # ");
    from = t.text.length;
    t.type("exit\r");
    expect(await t.waitFor((s) => s.endsWith(PROMPT), from)).toBe(`exit\r\npod "debug" deleted\r\n${PROMPT}`);
  });

  it("ends the session on exit or Ctrl-D with an exit frame", async () => {
    const t = await connect(sb.id);
    await t.waitFor((s) => s === PROMPT);
    t.type("kubectl get nope\r");
    await t.waitFor((s) => s.endsWith(PROMPT), PROMPT.length);
    t.type("exit\r");
    await t.closed;
    expect(t.exit).toBe(1);
    const d = await connect(sb.id, "?node=k8s-node2");
    await d.waitFor((s) => s === "[root@k8s-node2 ~]# ");
    d.type("\x04");
    await d.closed;
    expect(d.exit).toBe(0);
    expect(d.text.endsWith("exit\r\n")).toBe(true);
  });

  it("refuses what is not a WebSocket or names no node of the sandbox", async () => {
    expect((await SELF.fetch(`${ORIGIN}/s/${sb.id}/console/terminal`)).status).toBe(426);
    expect((await SELF.fetch(`${ORIGIN}/s/${sb.id}/console/terminal?node=nope`, { headers: { upgrade: "websocket" } })).status).toBe(404);
  });
});
