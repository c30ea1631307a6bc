// `kubectl autoscale`: an autoscaling/v1 HorizontalPodAutoscaler for each scalable object named.
// Models staging/src/k8s.io/kubectl/pkg/cmd/autoscale/autoscale.go.
import type { KubeObject } from "../../resources/types";
import { DRY_RUN_FLAG, FIELD_MANAGER, FILENAME_FLAGS, OUTPUT_FLAGS, type Command } from "../command";
import { resourcePath } from "../discovery";
import { AggregateError, KubectlError } from "../errors";
import { withLastApplied } from "./apply";
import { apiVersionOf, dryRunOf, printResult, writeQuery } from "./common";
import { resolveObjects } from "./modify";

// What the API serves a scale subresource for.
const SCALABLE = new Set(["deployments.apps", "replicasets.apps", "statefulsets.apps", "replicationcontrollers"]);

export const autoscaleCommand: Command = {
  name: "autoscale",
  flags: [
    ...OUTPUT_FLAGS,
    ...FILENAME_FLAGS,
    DRY_RUN_FLAG,
    FIELD_MANAGER("kubectl-autoscale"),
    { name: "min", type: "int", default: -1 },
    { name: "max", type: "int", default: -1 },
    { name: "cpu-percent", type: "int", default: -1 },
    { name: "name", type: "string", default: "" },
    { name: "save-config", type: "bool" },
    { name: "record", type: "bool" },
  ],
  async run(ctx) {
    if (!ctx.flags.changed("max")) throw new KubectlError(`required flag(s) "max" not set`);
    const max = ctx.flags.int("max");
    const min = ctx.flags.int("min");
    if (max < 1) throw new KubectlError(`--max=MAXPODS is required and must be at least 1, max: ${max}`);
    if (max < min) throw new KubectlError(`--max=MAXPODS must be larger or equal to --min=MINPODS, max: ${max}, min: ${min}`);
    if (ctx.args.length === 0 && ctx.flags.list("filename").length === 0) {
      throw new KubectlError("You must provide one or more resources by argument or filename.\nExample resource specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'\n   '<resource> <name>'\n   '<resource>'");
    }
    const dryRun = dryRunOf(ctx);
    const disc = await ctx.discovery();
    const hpaMapping = { ...disc.mustFind("horizontalpodautoscalers.autoscaling"), version: "v1" };
    const { objects, errors } = await resolveObjects(ctx, ctx.args, { command: "kubectl autoscale" });
    const failures: Error[] = [];
    for (const o of objects) {
      const m = o.mapping;
      const gr = m.group ? `${m.resource}.${m.group}` : m.resource;
      if (!SCALABLE.has(gr)) {
        failures.push(new KubectlError(`cannot autoscale a ${m.kind}: could not find scale subresource for ${m.group}/${m.version}, Resource=${m.resource} in discovery information`));
        continue;
      }
      // Field order as the generator's Go structs print in -o json.
      const spec: Record<string, unknown> = { scaleTargetRef: { kind: m.kind, name: o.name, apiVersion: apiVersionOf(m) } };
      if (min > 0) spec.minReplicas = min;
      spec.maxReplicas = max;
      const cpu = ctx.flags.int("cpu-percent");
      if (cpu >= 0) spec.targetCPUUtilizationPercentage = cpu;
      let hpa = {
        kind: "HorizontalPodAutoscaler",
        apiVersion: "autoscaling/v1",
        metadata: { name: ctx.str("name") || o.name, creationTimestamp: null },
        spec,
        status: { currentReplicas: 0, desiredReplicas: 0 },
      } as unknown as KubeObject;
      if (ctx.flags.bool("save-config")) hpa = withLastApplied(hpa);
      try {
        if (dryRun === "client") {
          printResult(ctx, hpaMapping, hpa, "created", dryRun, true);
          continue;
        }
        const created = await ctx.client.json<KubeObject>("POST", resourcePath(hpaMapping, o.namespace), { body: hpa, query: writeQuery(dryRun, ctx.str("field-manager"), { fieldValidation: "Strict" }) });
        printResult(ctx, hpaMapping, created, "autoscaled", dryRun);
      } catch (e) {
        failures.push(e as Error);
      }
    }
    const all = [...failures, ...errors];
    if (all.length) throw all.length === 1 ? all[0] : new AggregateError(all);
  },
};
