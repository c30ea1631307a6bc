// A CronJob with the real kubectl, skipping an hour of virtual time: the schedule runs, Jobs
// complete, and the history limits keep the last three.
import { describe, expect, it } from "vitest";
import { baseUrl, createSandbox, kubectlOk } from "./harness";

describe("cronjob over a skipped hour", () => {
  it("runs every five minutes and keeps the successful history limit", async () => {
    const sb = await createSandbox();
    const ok = (...args: string[]) => kubectlOk(sb, args);
    const clock = async (body: unknown) => {
      const res = await fetch(`${baseUrl()}/api/sandboxes/${sb.id}/clock`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
      expect(res.status).toBe(200);
      return (await res.json()) as { now: string };
    };
    await clock({ paused: true });
    expect(ok("create", "cronjob", "hello", "--image=busybox", "--schedule=*/5 * * * *", "--", "echo", "hello")).toBe("cronjob.batch/hello created\n");
    await clock({ advanceSeconds: 3600 });
    // Twelve runs in the hour; each finished within seconds, so only the newest three remain.
    const jobs = ok("get", "jobs", "-o", "jsonpath={range .items[*]}{.metadata.name} {.status.succeeded}{\"\\n\"}{end}").trim().split("\n");
    expect(jobs).toHaveLength(3);
    for (const line of jobs) expect(line).toMatch(/^hello-\d+ 1$/);
    const events = ok("get", "events", "--field-selector", "involvedObject.kind=CronJob", "-o", "jsonpath={range .items[*]}{.reason}{\"\\n\"}{end}");
    expect(events.split("\n").filter((r) => r === "SuccessfulCreate").length).toBeGreaterThanOrEqual(3);
    const row = ok("get", "cronjob", "hello", "--no-headers").trim().split(/\s+/);
    expect(row.slice(0, 5)).toEqual(["hello", "*/5", "*", "*", "*"]);
  });
});
