// What a container sees of its pod's configuration: secret, downwardAPI and projected volume files,
// env from Secrets, ConfigMaps (envFrom with a prefix) and the downward API (fields and resources
// with a divisor), and $(VAR) references expanded in command and args.
import { describe, expect, it } from "vitest";
import { formatEntries, logContainerID, openContainerLog, readLog, readOnlyContext } from "../../../worker/kubelet/logs";
import { TestCluster } from "../../cluster";
import { container, get, pod, row } from "./helpers";

/** What `kubectl logs` prints for the pod's first container now. */
function logs(cluster: TestCluster, name: string): string {
  const p = get(cluster, name)!;
  const c = p.spec!.containers[0].name;
  const target = logContainerID(p, c, false);
  if ("error" in target) return `error: ${target.error}`;
  const node = cluster.store.get("/nodes", "", p.spec!.nodeName!)!;
  const log = openContainerLog(readOnlyContext(cluster.store, cluster.clock.now()), p as never, node, c, target.id)!;
  return formatEntries(readLog(log, cluster.clock.now(), {}).entries, false);
}

const b64 = (s: string) => btoa(s);
const sh = (script: string) => ({ command: ["sh", "-c", script] });

async function fixtures(cluster: TestCluster) {
  await cluster.apply({ apiVersion: "v1", kind: "Secret", metadata: { name: "db", namespace: "default" }, data: { username: b64("admin"), password: b64("s3cr3t") } } as never);
  await cluster.apply({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "app", namespace: "default" }, data: { MODE: "prod", LEVEL: "debug" } } as never);
}

async function run(cluster: TestCluster, name: string, spec: Record<string, unknown>, labels?: Record<string, string>) {
  const p = pod(name, spec);
  if (labels) (p.metadata as Record<string, unknown>).labels = labels;
  (p.metadata as Record<string, unknown>).annotations = { build: "42" };
  await cluster.apply(p);
  await cluster.advance(10);
  return logs(cluster, name);
}

describe("volumes made from the pod's configuration", () => {
  it("secret: one file per key, decoded; items pick and rename keys", async () => {
    const cluster = await TestCluster.create();
    await fixtures(cluster);
    const out = await run(cluster, "sec", {
      restartPolicy: "Never",
      containers: [container("c", "busybox", { ...sh("ls /etc/db; cat /etc/db/username; echo; cat /etc/db/password; echo; ls /etc/pick; cat /etc/pick/user.txt"), volumeMounts: [{ name: "db", mountPath: "/etc/db" }, { name: "pick", mountPath: "/etc/pick" }] })],
      volumes: [{ name: "db", secret: { secretName: "db" } }, { name: "pick", secret: { secretName: "db", items: [{ key: "username", path: "user.txt" }] } }],
    });
    expect(out).toBe("password\nusername\nadmin\ns3cr3t\nuser.txt\nadmin\n");
    expect(row(cluster, "sec").status).toBe("Completed");
  });

  it("downwardAPI: labels and annotations as key=\"value\" lines, fields and resources", async () => {
    const cluster = await TestCluster.create();
    const out = await run(
      cluster,
      "dapi",
      {
        restartPolicy: "Never",
        containers: [container("c", "busybox", { ...sh("cat /etc/podinfo/labels; echo; cat /etc/podinfo/annotations; echo; cat /etc/podinfo/name; echo; cat /etc/podinfo/mem"), resources: { limits: { memory: "64Mi" } }, volumeMounts: [{ name: "podinfo", mountPath: "/etc/podinfo" }] })],
        volumes: [
          {
            name: "podinfo",
            downwardAPI: {
              items: [
                { path: "labels", fieldRef: { fieldPath: "metadata.labels" } },
                { path: "annotations", fieldRef: { fieldPath: "metadata.annotations" } },
                { path: "name", fieldRef: { fieldPath: "metadata.name" } },
                { path: "mem", resourceFieldRef: { containerName: "c", resource: "limits.memory", divisor: "1Mi" } },
              ],
            },
          },
        ],
      },
      { zone: "us-est-coast", cluster: "test-cluster1" },
    );
    expect(out).toBe('cluster="test-cluster1"\nzone="us-est-coast"\nbuild="42"\ndapi\n64\n');
  });

  it("projected: a secret, a ConfigMap and the downward API in one directory", async () => {
    const cluster = await TestCluster.create();
    await fixtures(cluster);
    const out = await run(cluster, "proj", {
      restartPolicy: "Never",
      containers: [container("c", "busybox", { ...sh("ls /projected; cat /projected/username /projected/MODE /projected/podname"), volumeMounts: [{ name: "all", mountPath: "/projected", readOnly: true }] })],
      volumes: [
        {
          name: "all",
          projected: {
            sources: [
              { secret: { name: "db", items: [{ key: "username", path: "username" }] } },
              { configMap: { name: "app", items: [{ key: "MODE", path: "MODE" }] } },
              { downwardAPI: { items: [{ path: "podname", fieldRef: { fieldPath: "metadata.name" } }] } },
            ],
          },
        },
      ],
    });
    expect(out).toBe("MODE\npodname\nusername\nadminprodproj\n");
  });
});

describe("environment", () => {
  it("secretKeyRef, envFrom with a prefix, fieldRef and resourceFieldRef with a divisor", async () => {
    const cluster = await TestCluster.create();
    await fixtures(cluster);
    const out = await run(cluster, "env", {
      restartPolicy: "Never",
      containers: [
        container("c", "busybox", {
          ...sh("echo $DB_USER $CFG_MODE $CFG_LEVEL $POD_IP $NODE $NAME $CPU_M $MEM_MI"),
          resources: { requests: { cpu: "250m", memory: "32Mi" }, limits: { cpu: "500m", memory: "128Mi" } },
          envFrom: [{ prefix: "CFG_", configMapRef: { name: "app" } }],
          env: [
            { name: "DB_USER", valueFrom: { secretKeyRef: { name: "db", key: "username" } } },
            { name: "POD_IP", valueFrom: { fieldRef: { fieldPath: "status.podIP" } } },
            { name: "NODE", valueFrom: { fieldRef: { fieldPath: "spec.nodeName" } } },
            { name: "NAME", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
            { name: "CPU_M", valueFrom: { resourceFieldRef: { resource: "limits.cpu", divisor: "1m" } } },
            { name: "MEM_MI", valueFrom: { resourceFieldRef: { resource: "requests.memory", divisor: "1Mi" } } },
          ],
        }),
      ],
    });
    expect(out).toBe(`admin prod debug ${get(cluster, "env")!.status!.podIP} k8s-node1 env 500 32\n`);
  });

  it("$(VAR) in command and args expands from the container's env; $$( escapes; unknown stays", async () => {
    const cluster = await TestCluster.create();
    const out = await run(cluster, "expand", {
      restartPolicy: "Never",
      containers: [
        container("c", "busybox", {
          command: ["echo", "$(GREETING)"],
          args: ["$(NAME)", "$$(NAME)", "$(MISSING)"],
          env: [
            { name: "GREETING", value: "Warm greetings to" },
            { name: "NAME", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
          ],
        }),
      ],
    });
    expect(out).toBe("Warm greetings to expand $(NAME) $(MISSING)\n");
  });
});
