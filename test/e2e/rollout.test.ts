// A Deployment's life with the real kubectl: create, readiness, a deleted ReplicaSet coming back,
// a rolling update driven pod by pod, history, undo, scale and a cascading delete.
// The sandbox clock is paused, so pods start, become ready and stop only when the test advances it.
import { beforeAll, describe, expect, it } from "vitest";
import { createSandbox, kubectlBackground, kubectlOk, type Sandbox, sandboxPost, squash, table } from "./harness";

let sb: Sandbox;
const ok = (...args: string[]) => kubectlOk(sb, args);

/** Polls `read` until `want` holds (controllers run just after a write is answered). */
async function until(read: () => string, want: (out: string) => boolean, ms = 15_000): Promise<string> {
  const deadline = Date.now() + ms;
  for (;;) {
    const out = read();
    if (want(out)) return out;
    if (Date.now() > deadline) throw new Error(`gave up waiting; last output:\n${out}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const deployRow = () => table(ok("get", "deploy", "web", "--no-headers"));
const rolloutStatus = () => ok("rollout", "status", "deployment/web", "--watch=false");
const words = (s: string) => s.split(/\s+/).filter(Boolean);
/** ReplicaSets as "name desired" pairs, with their revisions. */
const replicaSets = () =>
  ok("get", "rs", "-o", `jsonpath={range .items[*]}{.metadata.name} {.spec.replicas} {.metadata.annotations.deployment\\.kubernetes\\.io/revision}{"\\n"}{end}`);

const clock = async (body: unknown): Promise<void> => void (await sandboxPost(sb, "clock", body));

/** Lets virtual time pass: enough for pulled images to start and pods to become ready or stop. */
const advance = (seconds = 10) => clock({ advanceSeconds: seconds });

/**
 * What `rollout status` says at each step of a 3-replica rolling update (maxSurge 1, maxUnavailable 0),
 * readying the one new pod each step brings.
 */
async function driveRollingUpdate(): Promise<void> {
  const steps = [
    'Waiting for deployment "web" rollout to finish: 1 out of 3 new replicas have been updated...\n',
    'Waiting for deployment "web" rollout to finish: 2 out of 3 new replicas have been updated...\n',
    'Waiting for deployment "web" rollout to finish: 1 old replicas are pending termination...\n',
    'deployment "web" successfully rolled out\n',
  ];
  // Virtual time moves a second at a time; every message rollout status prints on the way is kept.
  const seen: string[] = [];
  for (let second = 0; second < 60 && seen[seen.length - 1] !== steps[steps.length - 1]; second++) {
    const status = await until(rolloutStatus, (s) => s !== "");
    if (status !== seen[seen.length - 1]) seen.push(status);
    await advance(1);
  }
  expect(seen).toEqual(steps);
}

describe("rollout with kubectl", () => {
  let firstRS = "";

  beforeAll(async () => {
    sb = await createSandbox();
    await clock({ paused: true });
  });

  it("creates a deployment whose pods become ready", async () => {
    expect(ok("create", "deployment", "web", "--image=nginx", "-r", "3")).toBe("deployment.apps/web created\n");
    expect(await until(deployRow, (r) => r === "web 0/3 3 0 AGE")).toBe("web 0/3 3 0 AGE");
    const rs = await until(() => table(ok("get", "rs", "--no-headers")), (r) => r.endsWith(" 3 3 0 AGE"));
    firstRS = words(rs)[0];
    expect(firstRS).toMatch(/^web-[bcdfghjklmnpqrstvwxz2456789]+$/);
    const pods = words(ok("get", "pods", "-o", "jsonpath={.items[*].metadata.name}"));
    expect(pods).toHaveLength(3);
    for (const p of pods) expect(p).toMatch(new RegExp(`^${firstRS}-[a-z0-9]{5}$`));
    const events = ok("get", "events", "--field-selector", "reason=ScalingReplicaSet", "-o", "jsonpath={.items[*].message}");
    expect(events).toBe(`Scaled up replica set ${firstRS} from 0 to 3`);

    await advance();
    expect(await until(deployRow, (r) => r === "web 3/3 3 3 AGE")).toBe("web 3/3 3 3 AGE");
    expect(rolloutStatus()).toBe('deployment "web" successfully rolled out\n');
  });

  it("brings a deleted ReplicaSet back under the same name", async () => {
    const uid = ok("get", "rs", firstRS, "-o", "jsonpath={.metadata.uid}");
    expect(ok("delete", "rs", firstRS)).toBe(`replicaset.apps "${firstRS}" deleted\n`);
    await until(() => ok("get", "rs", firstRS, "-o", "jsonpath={.metadata.uid} {.status.replicas}"), (o) => !o.startsWith(uid) && o.endsWith(" 3"));
    await advance();
    expect(await until(deployRow, (r) => r === "web 3/3 3 3 AGE")).toBe("web 3/3 3 3 AGE");
  });

  it("rolls a new image out one pod at a time, as rollout status reports", async () => {
    const watch = kubectlBackground(sb, ["rollout", "status", "deployment/web", "--timeout=60s"]);
    expect(ok("set", "image", "deployment/web", "nginx=nginx:1.25")).toBe("deployment.apps/web image updated\n");
    await driveRollingUpdate();
    expect(await watch.exited).toBe(0);
    expect(watch.output()).toContain('deployment "web" successfully rolled out\n');
    expect(deployRow()).toBe("web 3/3 3 3 AGE");

    const sets = replicaSets();
    expect(sets).toContain(`${firstRS} 0 1\n`);
    expect(sets.split("\n").filter(Boolean)).toHaveLength(2);
    expect(squash(ok("rollout", "history", "deployment/web"))).toBe("deployment.apps/web\nREVISION CHANGE-CAUSE\n1 <none>\n2 <none>");
  });

  it("undoes to the first template by reusing its ReplicaSet as revision 3", async () => {
    expect(ok("rollout", "undo", "deployment/web")).toBe("deployment.apps/web rolled back\n");
    await until(replicaSets, (s) => s.includes(`${firstRS} 1 3\n`));
    await driveRollingUpdate();
    const sets = replicaSets();
    expect(sets).toContain(`${firstRS} 3 3\n`);
    expect(sets.split("\n").filter(Boolean)).toHaveLength(2);
    expect(squash(ok("rollout", "history", "deployment/web"))).toBe("deployment.apps/web\nREVISION CHANGE-CAUSE\n2 <none>\n3 <none>");
    expect(ok("get", "deploy", "web", "-o", "jsonpath={.spec.template.spec.containers[0].image}")).toBe("nginx");
  });

  it("scales, then deletes everything with the deployment", async () => {
    expect(ok("scale", "deployment", "web", "--replicas=5")).toBe("deployment.apps/web scaled\n");
    expect(await until(deployRow, (r) => r === "web 3/5 5 3 AGE")).toBe("web 3/5 5 3 AGE");
    await advance();
    expect(await until(deployRow, (r) => r === "web 5/5 5 5 AGE")).toBe("web 5/5 5 5 AGE");

    expect(ok("delete", "deployment", "web")).toBe('deployment.apps "web" deleted\n');
    // The pods stop gracefully: their kubelets finish the deletion as virtual time passes.
    await until(() => ok("get", "rs,pods", "-o", "name"), (o) => o.split("\n").every((l) => !l.startsWith("replicaset")));
    await advance(35);
    await until(() => ok("get", "rs,pods", "-o", "name"), (o) => o === "");
  });
});
