// tar makes and reads ustar archives of a container's files: what `kubectl cp` runs on both sides.
import { describe, expect, it } from "vitest";
import { layeredFs } from "../../../worker/runtime/fs";
import { resolveImage } from "../../../worker/runtime/images";
import { runCommand } from "../../../worker/runtime/process";
import { readArchive } from "../../../worker/runtime/shell/tar";

const START = Date.parse("2026-01-01T00:00:00Z");
const encoder = new TextEncoder();
const decoder = new TextDecoder();

function run(image: string, script: string, files: Record<string, string> = {}) {
  const r = resolveImage(image);
  if (!r.ok) throw new Error(r.message);
  const fs = layeredFs({ image: { ...r.image.files, ...files } });
  return runCommand({ image, env: {}, hostname: "box", startedAt: START }, ["sh", "-c", script], { fs });
}

/** A 512-byte block from its non-zero prefix. */
function block(b64: string): Uint8Array {
  const out = new Uint8Array(512);
  out.set(Uint8Array.from(atob(b64), (c) => c.charCodeAt(0)));
  return out;
}

// `tar --format=ustar --numeric-owner -b1 -cf - dir` (GNU tar 1.34) of dir/greeting.txt = "héllo\n".
const GNU_ARCHIVE = (() => {
  const dirHeader =
    "ZGlyLwAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAADAwMDA3NTUAMDAwMDAwMAAwMDAwMDAwADAwMDAwMDAwMDAwADE1MTI1MzM0NDAwADAxMDAxNwAgNQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAB1c3RhcgAwMAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAwMDAwMDAwADAwMDAwMDA=";
  const fileHeader =
    "ZGlyL2dyZWV0aW5nLnR4dAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAADAwMDA2NDQAMDAwMDAwMAAwMDAwMDAwADAwMDAwMDAwMDA3ADE1MTI1MzM0NDAwADAxMjM2MQAgMAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAB1c3RhcgAwMAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAwMDAwMDAwADAwMDAwMDA=";
  const parts = [block(dirHeader), block(fileHeader), block("aMOpbGxvCg=="), new Uint8Array(1024)];
  const out = new Uint8Array(parts.length * 512 + 512);
  parts.forEach((p, i) => out.set(p, i * 512));
  return decoder.decode(out);
})();

describe("tar", () => {
  it("creates an archive of a file, stripping the leading slash as busybox says", () => {
    const r = run("busybox:1.36", "tar cf - /etc/app/config.yaml", { "/etc/app/config.yaml": "port: 80\n" });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("tar: removing leading '/' from member names\n");
    const bytes = encoder.encode(r.stdout);
    expect(bytes.length).toBe(512 * 4);
    // The header as any ustar reader checks it: name, size in octal, magic, checksum over the block.
    expect(decoder.decode(bytes.subarray(0, 23))).toBe("etc/app/config.yaml\0\0\0\0");
    expect(decoder.decode(bytes.subarray(124, 136))).toBe("00000000011\0");
    expect(decoder.decode(bytes.subarray(257, 265))).toBe("ustar\x0000");
    const sum = bytes.subarray(0, 512).reduce((s, x, i) => s + (i >= 148 && i < 156 ? 32 : x), 0);
    expect(parseInt(decoder.decode(bytes.subarray(148, 154)), 8)).toBe(sum);
    expect(decoder.decode(bytes.subarray(512, 521))).toBe("port: 80\n");
  });

  it("uses GNU tar's wording on Debian-based images", () => {
    const r = run("nginx:1.27", "tar cf - /etc/hostname-x /usr/share/nginx/html/50x.html >/dev/null");
    expect(r.stderr).toBe("tar: Removing leading `/' from member names\ntar: /etc/hostname-x: Cannot stat: No such file or directory\ntar: Exiting with failure status due to previous errors\n");
    expect(r.code).toBe(2);
  });

  it("archives directories recursively and reads its own archives back", () => {
    const files = { "/data/site/index.html": "<h1>héllo</h1>\n", "/data/site/css/main.css": "body{}\n" };
    const created = run("busybox:1.36", "cd /data && tar cf - site", files);
    expect(created.code).toBe(0);
    const entries = readArchive(encoder.encode(created.stdout));
    expect(entries === "invalid" ? entries : entries.map((e) => `${e.type} ${e.name} ${decoder.decode(e.content)}`)).toEqual(["5 site/ ", "5 site/css/ ", "0 site/css/main.css body{}\n", "0 site/index.html <h1>héllo</h1>\n"]);

    const extracted = run("busybox:1.36", "mkdir /restore && tar -xmf /tmp/site.tar -C /restore && cat /restore/site/index.html /restore/site/css/main.css", { "/tmp/site.tar": created.stdout });
    expect(extracted).toMatchObject({ code: 0, stdout: "<h1>héllo</h1>\nbody{}\n" });
  });

  it("extracts an archive GNU tar made, UTF-8 content intact", () => {
    const r = run("debian:12", "tar --no-same-permissions --no-same-owner -xmf /tmp/a.tar -C /tmp && cat /tmp/dir/greeting.txt && tar tf /tmp/a.tar", { "/tmp/a.tar": GNU_ARCHIVE });
    expect(r).toMatchObject({ code: 0, stdout: "héllo\ndir/\ndir/greeting.txt\n" });
    expect(r.effects.map((e) => `${e.op} ${e.path}`)).toEqual(["mkdir /tmp/dir", "write /tmp/dir/greeting.txt"]);
  });

  it("refuses what it cannot do in the image's words", () => {
    expect(run("busybox:1.36", "tar xf /tmp/a.tar -C /nope", { "/tmp/a.tar": GNU_ARCHIVE })).toMatchObject({ code: 1, stderr: "tar: can't change directory to '/nope': No such file or directory\n" });
    expect(run("debian:12", "tar xf /tmp/a.tar", { "/tmp/a.tar": "not an archive at all".padEnd(600, "x") })).toMatchObject({ code: 2, stderr: "tar: This does not look like a tar archive\ntar: Skipping to next header\ntar: Exiting with failure status due to previous errors\n" });
    expect(run("busybox:1.36", "tar czf - /etc")).toMatchObject({ code: 1, stderr: "tar: can't execute 'gzip': No such file or directory\n" });
  });
});
