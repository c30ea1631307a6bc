// cp and mv move files and trees in a container's view, with the image's error wording.
import { describe, expect, it } from "vitest";
import { layeredFs } from "../../../worker/runtime/fs";
import { resolveImage } from "../../../worker/runtime/images";
import { runCommand } from "../../../worker/runtime/process";

const START = Date.parse("2026-01-01T00:00:00Z");

function run(image: string, script: string, files: Record<string, string> = {}) {
  const r = resolveImage(image);
  if (!r.ok) throw new Error(r.message);
  const fs = layeredFs({ image: { ...r.image.files, ...files } });
  return runCommand({ image, env: {}, hostname: "box", startedAt: START }, ["sh", "-c", script], { fs });
}

describe("cp and mv", () => {
  it("moves a file into a directory and away from where it was", () => {
    const r = run("busybox:1.36", "mv /etc/app/a.yaml /tmp/ && ls /tmp && ls /etc/app && cat /tmp/a.yaml", { "/etc/app/a.yaml": "x: 1\n", "/etc/app/b.yaml": "y: 2\n" });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("a.yaml\nb.yaml\nx: 1\n");
    expect(r.effects.map((e) => `${e.op} ${e.path}`)).toEqual(["write /tmp/a.yaml", "remove /etc/app/a.yaml"]);
  });

  it("renames, copies trees with -r and refuses directories without it", () => {
    const files = { "/data/x/one": "1", "/data/x/sub/two": "2" };
    expect(run("busybox:1.36", "cp -r /data/x /data/y && cat /data/y/one /data/y/sub/two && ls /data", files).stdout).toBe("12x\ny\n");
    expect(run("busybox:1.36", "mv /data/x/one /data/x/uno && ls /data/x", files).stdout).toBe("sub\nuno\n");
    const noR = run("debian:12", "cp /data/x /tmp", files);
    expect(noR).toMatchObject({ code: 1, stderr: "cp: -r not specified; omitting directory '/data/x'\n" });
  });

  it("reports missing sources and operands as GNU or BusyBox does", () => {
    expect(run("debian:12", "mv /nope /tmp")).toMatchObject({ code: 1, stderr: "mv: cannot stat '/nope': No such file or directory\n" });
    expect(run("busybox:1.36", "mv /nope /tmp")).toMatchObject({ code: 1, stderr: "mv: can't stat '/nope': No such file or directory\n" });
    expect(run("debian:12", "cp /etc/os-release")).toMatchObject({ code: 1, stderr: "cp: missing destination file operand after '/etc/os-release'\nTry 'cp --help' for more information.\n" });
  });

  it("refuses to copy or move a tree into itself", () => {
    expect(run("debian:12", "cp -r / /tmp/all")).toMatchObject({ code: 1, stderr: "cp: cannot copy a directory, '/', into itself, '/tmp/all'\n" });
    expect(run("busybox:1.36", "cp -r / /tmp/all")).toMatchObject({ code: 1, stderr: "cp: recursion detected, omitting directory '/'\n" });
    expect(run("debian:12", "mkdir -p /d/e; mv /d /d/e/f")).toMatchObject({ code: 1, stderr: "mv: cannot move '/d' to a subdirectory of itself, '/d/e/f'\n" });
    expect(run("busybox:1.36", "mkdir -p /d/e; mv /d /d/e/f")).toMatchObject({ code: 1, stderr: "mv: can't rename '/d': Invalid argument\n" });
  });
});
