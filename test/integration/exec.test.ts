// pods/exec and pods/attach through the Worker: the WebSocket upgrade passes through to the sandbox,
// the v5.channel.k8s.io protocol frames stdin, output and the final Status, errors come as upstream
// words them (before the upgrade or on channel 3 after it), and what exec writes reaches the kubelet.
import { SELF } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { SPDY_UNSUPPORTED } from "../../worker/api/exec";
import { api, clock, createSandbox, ORIGIN, type Created } from "./helpers";

const PODS = "/api/v1/namespaces/default/pods";
const decoder = new TextDecoder();
const encoder = new TextEncoder();

function execPath(pod: string, command: string[], params: Record<string, string> = {}): string {
  const q = new URLSearchParams();
  for (const c of command) q.append("command", c);
  for (const [k, v] of Object.entries({ stdout: "true", stderr: "true", ...params })) q.append(k, v);
  return `${PODS}/${pod}/exec?${q}`;
}

function upgrade(id: string, path: string, protocols = ["v5.channel.k8s.io"], extra: Record<string, string> = {}) {
  return SELF.fetch(`${ORIGIN}/s/${id}${path}`, { headers: { upgrade: "websocket", connection: "Upgrade", "sec-websocket-protocol": protocols.join(", "), ...extra } });
}

/** A client end of the channel protocol: what arrived per channel, and how the server closed. */
function channels(res: Response) {
  const ws = res.webSocket;
  if (!ws) throw new Error(`no WebSocket: ${res.status}`);
  ws.binaryType = "arraybuffer";
  ws.accept();
  const got: Record<number, string> = { 1: "", 2: "", 3: "" };
  let closeCode: number | undefined;
  const closed = new Promise<number>((resolve) =>
    ws.addEventListener("close", (ev) => {
      closeCode = ev.code;
      resolve(ev.code);
    }),
  );
  ws.addEventListener("message", (ev) => {
    const d = new Uint8Array(ev.data as ArrayBuffer);
    got[d[0]] = (got[d[0]] ?? "") + decoder.decode(d.subarray(1));
  });
  const send = (channel: number, text: string) => {
    const body = encoder.encode(text);
    const f = new Uint8Array(body.length + 1);
    f[0] = channel;
    f.set(body, 1);
    ws.send(f);
  };
  return {
    got,
    closed,
    send,
    closeStdin: () => ws.send(new Uint8Array([255, 0])),
    status: () => (got[3] ? JSON.parse(got[3]) : undefined),
    get closeCode() {
      return closeCode;
    },
    async waitFor(pred: () => boolean, ms = 5000) {
      const deadline = Date.now() + ms;
      while (!pred()) {
        if (Date.now() > deadline) throw new Error(`timed out; got ${JSON.stringify(got)}`);
        await new Promise((r) => setTimeout(r, 10));
      }
    },
    close: () => ws.close(1000, ""),
  };
}

async function runningPod(sb: Created, name: string, spec: Record<string, unknown>) {
  const res = await api(sb.id, "POST", PODS, { apiVersion: "v1", kind: "Pod", metadata: { name }, spec });
  expect(res.status, res.text).toBe(201);
  await clock(sb.id, { advanceSeconds: 10 });
  expect((await api(sb.id, "GET", `${PODS}/${name}`)).json.status.phase).toBe("Running");
}

let sb: Created;

beforeAll(async () => {
  sb = await createSandbox();
  await clock(sb.id, { paused: true });
  await runningPod(sb, "web", { containers: [{ name: "web", image: "nginx:1.27" }] });
  await runningPod(sb, "pair", { containers: [{ name: "a", image: "busybox:1.36", command: ["sleep", "3600"] }, { name: "b", image: "nginx:1.27" }] });
});

describe("pods/exec over WebSocket", () => {
  it("upgrades with v5.channel.k8s.io, streams stdout and ends with the exit code's Status", async () => {
    const res = await upgrade(sb.id, execPath("web", ["sh", "-c", "echo hi; echo oops >&2; exit 3"]));
    expect(res.status).toBe(101);
    expect(res.headers.get("sec-websocket-protocol")).toBe("v5.channel.k8s.io");
    const c = channels(res);
    expect(await c.closed).toBe(1000);
    expect(c.got[1]).toBe("hi\n");
    expect(c.got[2]).toBe("oops\n");
    expect(c.status()).toEqual({
      metadata: {},
      status: "Failure",
      message: "command terminated with non-zero exit code: error executing command [sh -c echo hi; echo oops >&2; exit 3], exit code 3",
      reason: "NonZeroExitCode",
      details: { causes: [{ reason: "ExitCode", message: "3" }] },
    });
  });

  it("ends a successful command with Success; v4.channel.k8s.io works too", async () => {
    const res = await upgrade(sb.id, execPath("web", ["cat", "/etc/hostname"]), ["v4.channel.k8s.io"]);
    expect(res.headers.get("sec-websocket-protocol")).toBe("v4.channel.k8s.io");
    const c = channels(res);
    await c.closed;
    expect(c.got[1]).toBe("web\n");
    expect(c.status()).toEqual({ metadata: {}, status: "Success" });
  });

  it("takes stdin until the client closes it", async () => {
    const c = channels(await upgrade(sb.id, execPath("web", ["sh", "-c", "cat > /tmp/in; cat /tmp/in | wc -l"], { stdin: "true" })));
    c.send(0, "one\ntwo\n");
    c.send(0, "three\n");
    await new Promise((r) => setTimeout(r, 50));
    expect(c.closeCode).toBeUndefined();
    c.closeStdin();
    await c.closed;
    expect(c.got[1]).toBe("3\n");
  });

  it("answers errors the API server finds before upgrading as HTTP Statuses", async () => {
    const status = async (res: Response) => ({ code: res.status, body: (await res.json()) as { message: string; reason: string } });
    expect(await status(await upgrade(sb.id, execPath("nope", ["ls"])))).toMatchObject({ code: 404, body: { reason: "NotFound", message: 'pods "nope" not found' } });
    expect(await status(await upgrade(sb.id, execPath("web", ["ls"], { container: "sidecar" })))).toMatchObject({ code: 400, body: { reason: "BadRequest", message: "container sidecar is not valid for pod web" } });
    expect(await status(await upgrade(sb.id, execPath("pair", ["ls"])))).toMatchObject({ code: 400, body: { message: "a container name must be specified for pod pair, choose one of: [a b]" } });
    await api(sb.id, "POST", PODS, { apiVersion: "v1", kind: "Pod", metadata: { name: "nowhere" }, spec: { nodeSelector: { none: "x" }, containers: [{ name: "c", image: "nginx" }] } });
    expect(await status(await upgrade(sb.id, execPath("nowhere", ["ls"])))).toMatchObject({ code: 400, body: { message: "pod nowhere does not have a host assigned" } });
    expect(await status(await SELF.fetch(`${ORIGIN}/s/${sb.id}${execPath("web", ["ls"])}`))).toMatchObject({ code: 400, body: { message: "Upgrade request required" } });
    expect(await status(await upgrade(sb.id, execPath("web", ["ls"]), ["base64.channel.k8s.io"]))).toMatchObject({ code: 400, body: { message: "requested protocol(s) are not supported: [base64.channel.k8s.io]; supports [v5.channel.k8s.io v4.channel.k8s.io]" } });
    const spdy = await SELF.fetch(`${ORIGIN}/s/${sb.id}${execPath("web", ["ls"])}`, { method: "POST", headers: { upgrade: "SPDY/3.1", connection: "Upgrade", "x-stream-protocol-version": "v4.channel.k8s.io" } });
    expect(await status(spdy)).toMatchObject({ code: 400, body: { reason: "BadRequest", message: SPDY_UNSUPPORTED } });
  });

  it("refuses exec and attach on a read-only link", async () => {
    for (const path of [execPath("web", ["ls"]), `${PODS}/web/attach?stdout=true`]) {
      const res = await upgrade(sb.readOnlyId, path);
      expect(res.status).toBe(403);
      expect(await res.json()).toMatchObject({ reason: "Forbidden", message: 'pods "web" is forbidden: this is a read-only link to the sandbox; it cannot make changes' });
    }
  });

  it("reports what the kubelet refuses on channel 3 after the upgrade", async () => {
    await api(sb.id, "POST", PODS, { apiVersion: "v1", kind: "Pod", metadata: { name: "pulling" }, spec: { containers: [{ name: "c", image: "nginx:1.26" }] } });
    const c = channels(await upgrade(sb.id, execPath("pulling", ["ls"])));
    await c.closed;
    expect(c.status()).toEqual({
      metadata: {},
      status: "Failure",
      message: 'Internal error occurred: unable to upgrade connection: container not found ("c")',
      reason: "InternalError",
      details: { causes: [{ message: 'unable to upgrade connection: container not found ("c")' }] },
      code: 500,
    });
    const missing = channels(await upgrade(sb.id, execPath("web", ["foo"])));
    await missing.closed;
    expect(missing.status().message).toMatch(/^Internal error occurred: error executing command in container: failed to exec in container: failed to start exec "[0-9a-f]{64}": OCI runtime exec failed: exec failed: unable to start container process: exec: "foo": executable file not found in \$PATH: unknown$/);
  });

  it("a file written by exec makes a failing readiness probe pass", async () => {
    const probe = { httpGet: { path: "/healthz", port: 80 }, periodSeconds: 2, failureThreshold: 1 };
    await api(sb.id, "POST", PODS, { apiVersion: "v1", kind: "Pod", metadata: { name: "probed" }, spec: { containers: [{ name: "web", image: "nginx:1.27", readinessProbe: probe }] } });
    await clock(sb.id, { advanceSeconds: 10 });
    const ready = async () => (await api(sb.id, "GET", `${PODS}/probed`)).json.status.conditions.find((x: { type: string }) => x.type === "Ready").status;
    expect(await ready()).toBe("False");
    const c = channels(await upgrade(sb.id, execPath("probed", ["sh", "-c", "echo ok > /usr/share/nginx/html/healthz"])));
    await c.closed;
    expect(c.status().status).toBe("Success");
    await clock(sb.id, { advanceSeconds: 3 });
    expect(await ready()).toBe("True");
  });

  it("runs an interactive shell on a terminal: prompt, echo, state across lines, exit code", async () => {
    const c = channels(await upgrade(sb.id, execPath("pair", ["sh"], { container: "a", stdin: "true", tty: "true", stderr: "false" })));
    await c.waitFor(() => c.got[1] === "/ # ");
    c.send(4, JSON.stringify({ Width: 120, Height: 40 }));
    c.send(0, "cd /tmp\r");
    c.send(0, "echo $(pwd) > here; cat here; nope\r");
    await c.waitFor(() => c.got[1].endsWith("/tmp # "));
    c.send(0, "exit 7\r");
    expect(await c.closed).toBe(1000);
    expect(c.got[1]).toBe("/ # cd /tmp\r\n/tmp # echo $(pwd) > here; cat here; nope\r\n/tmp\r\nsh: nope: not found\r\n/tmp # exit 7\r\n");
    expect(c.got[2]).toBe("");
    expect(c.status().details.causes).toEqual([{ reason: "ExitCode", message: "7" }]);
  });

  it("ends an idle shell with 137 when its container is killed (a failing liveness probe), as the runtime does", async () => {
    await runningPod(sb, "doomed", {
      containers: [{ name: "web", image: "nginx:1.27", livenessProbe: { httpGet: { path: "/missing.html", port: 80 }, periodSeconds: 5, failureThreshold: 2 } }],
    });
    const c = channels(await upgrade(sb.id, execPath("doomed", ["sh"], { stdin: "true", tty: "true", stderr: "false" })));
    await c.waitFor(() => c.got[1] === "# ");
    // Nothing typed: the probe fails twice and the kubelet kills the container.
    await clock(sb.id, { advanceSeconds: 40 });
    expect(await c.closed).toBe(1000);
    expect(c.status().details.causes).toEqual([{ reason: "ExitCode", message: "137" }]);
  });

  it("keeps a command that never ends open until the client leaves", async () => {
    const c = channels(await upgrade(sb.id, execPath("web", ["sleep", "infinity"])));
    await new Promise((r) => setTimeout(r, 100));
    expect(c.closeCode).toBeUndefined();
    c.close();
    expect(await c.closed).toBe(1000);
    expect(c.got[3]).toBe("");
  });
});

describe("pods/attach over WebSocket", () => {
  it("streams the container's output as virtual time brings it, then Success", async () => {
    await api(sb.id, "POST", PODS, {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "ticker" },
      spec: { restartPolicy: "Never", containers: [{ name: "c", image: "busybox:1.36", command: ["sh", "-c", "for i in 1 2 3 4 5 6; do echo tick $i; sleep 5; done"] }] },
    });
    await clock(sb.id, { advanceSeconds: 5 });
    const res = await upgrade(sb.id, `${PODS}/ticker/attach?stdout=true&stderr=true`);
    expect(res.status).toBe(101);
    const c = channels(res);
    await new Promise((r) => setTimeout(r, 300));
    expect(c.got[1]).toBe("");
    await clock(sb.id, { advanceSeconds: 10 });
    await c.waitFor(() => c.got[1].split("\n").length === 3);
    await clock(sb.id, { advanceSeconds: 30 });
    expect(await c.closed).toBe(1000);
    expect(c.got[1]).toMatch(/^tick \d\ntick \d\n(tick \d\n)*tick 6\n$/);
    expect(c.status()).toEqual({ metadata: {}, status: "Success" });
  });
});
