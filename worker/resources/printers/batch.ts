// Printers for batch/v1 kinds.
import type { CronJob, Job, JobCondition } from "kubernetes-types/batch/v1";
import type { KubeObject, PrintContext, Printer, TableCell } from "../types";
import {
  age,
  ageColumn,
  as,
  col,
  containersColumn,
  formatLabelSelector,
  imagesColumn,
  layoutContainerCells,
  nameColumn,
  nameOf,
  num,
  printBoolPtr,
} from "./common";
import { humanDuration, parseTimestamp, translateTimestampSince } from "./duration";

function hasJobCondition(conditions: JobCondition[] | undefined, type: string): boolean {
  const c = (conditions ?? []).find((x) => x.type === type);
  return c?.status === "True";
}

// Models pkg/printers/internalversion/printers.go printJob (status column as of 1.32)
export function jobStatus(job: Job): string {
  const conditions = job.status?.conditions;
  if (hasJobCondition(conditions, "Complete")) return "Complete";
  if (hasJobCondition(conditions, "Failed")) return "Failed";
  if (job.metadata?.deletionTimestamp) return "Terminating";
  if (hasJobCondition(conditions, "Suspended")) return "Suspended";
  if (hasJobCondition(conditions, "FailureTarget")) return "FailureTarget";
  return "Running";
}

function jobCompletions(job: Job): string {
  const succeeded = num(job.status?.succeeded);
  if (typeof job.spec?.completions === "number") return `${succeeded}/${job.spec.completions}`;
  const parallelism = num(job.spec?.parallelism);
  return parallelism > 1 ? `${succeeded}/1 of ${parallelism}` : `${succeeded}/1`;
}

function jobDuration(job: Job, now: number): string {
  const start = parseTimestamp(job.status?.startTime);
  if (start === undefined) return "";
  const completion = parseTimestamp(job.status?.completionTime);
  return humanDuration((completion ?? now) - start);
}

export const jobPrinter: Printer = {
  columns: [
    nameColumn,
    col("Status", "string", "Status of the job."),
    col("Completions", "string", "The number of pods which reached phase Succeeded."),
    col("Duration", "string", "Time required to complete the job."),
    ageColumn,
    containersColumn,
    imagesColumn,
    col("Selector", "string", "A label query over pods that should match the pod count.", 1),
  ],
  row(obj: KubeObject, ctx: PrintContext): TableCell[] {
    const job = as<Job>(obj);
    const [names, images] = layoutContainerCells(job.spec?.template?.spec?.containers);
    return [
      nameOf(obj),
      jobStatus(job),
      jobCompletions(job),
      jobDuration(job, ctx.now),
      age(obj, ctx),
      names,
      images,
      formatLabelSelector(job.spec?.selector),
    ];
  },
};

export const cronJobPrinter: Printer = {
  columns: [
    nameColumn,
    col("Schedule", "string", "The schedule in Cron format, see https://en.wikipedia.org/wiki/Cron."),
    col("Timezone", "string", "The time zone name for the given schedule, see https://en.wikipedia.org/wiki/List_of_tz_database_time_zones."),
    col("Suspend", "boolean", "This flag tells the controller to suspend subsequent executions, it does not apply to already started executions."),
    col("Active", "integer", "A list of pointers to currently running jobs."),
    col("Last Schedule", "string", "Information when was the last time the job was successfully scheduled."),
    ageColumn,
    containersColumn,
    imagesColumn,
    col("Selector", "string", "A label query over pods that should match the pod count.", 1),
  ],
  row(obj: KubeObject, ctx: PrintContext): TableCell[] {
    const cj = as<CronJob>(obj);
    const lastSchedule = cj.status?.lastScheduleTime ? translateTimestampSince(cj.status.lastScheduleTime, ctx.now) : "<none>";
    const jobSpec = cj.spec?.jobTemplate?.spec;
    const [names, images] = layoutContainerCells(jobSpec?.template?.spec?.containers);
    return [
      nameOf(obj),
      cj.spec?.schedule ?? "",
      cj.spec?.timeZone ?? "<none>",
      printBoolPtr(cj.spec?.suspend),
      (cj.status?.active ?? []).length,
      lastSchedule,
      age(obj, ctx),
      names,
      images,
      formatLabelSelector(jobSpec?.selector),
    ];
  },
};
