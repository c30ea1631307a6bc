// Here-documents in the runtime's shell: `cat > x.yaml <<EOF … EOF`, quoted delimiters, `<<-`, and
// the continuation check a terminal uses to keep reading lines until the body ends.
import { describe, expect, it } from "vitest";
import { layeredFs } from "../../../worker/runtime/fs";
import { resolveImage } from "../../../worker/runtime/images";
import { runProcess } from "../../../worker/runtime/process";
import { needsMoreInput, parseScript } from "../../../worker/runtime/shell/parse";

function sh(script: string, env: Record<string, string> = {}) {
  const r = resolveImage("busybox:1.28");
  if (!r.ok) throw new Error(r.message);
  const m = runProcess({ image: "busybox:1.28", command: ["sh", "-c", script], env, hostname: "web-0", startedAt: 0 }, { fs: layeredFs({ image: r.image.files }) });
  return m.output.map((o) => o.text).join("\n");
}

describe("here-documents", () => {
  it("parses the body into the redirection, and the rest of the line goes on", () => {
    const list = parseScript("cat <<EOF | grep b\na\nb\nEOF\necho after\n");
    expect(list).toHaveLength(2);
    const cat = list[0].first.commands[0];
    expect(cat.type === "simple" && cat.redirects).toEqual([{ fd: 0, op: "<<", target: "a\nb\n", literal: false }]);
    expect(list[0].first.commands).toHaveLength(2);
  });

  it("expands an unquoted body and keeps a quoted one literal", () => {
    expect(sh('NAME=web; cat <<EOF\nname: $NAME\nhost: $(hostname) "q" \'s\' \\$HOME\nEOF')).toBe('name: web\nhost: web-0 "q" \'s\' $HOME');
    expect(sh("NAME=web; cat <<'EOF'\nname: $NAME\nEOF")).toBe("name: $NAME");
    expect(sh('NAME=web; cat <<"EOF"\nname: $NAME\nEOF')).toBe("name: $NAME");
  });

  it("strips leading tabs with <<- and writes through redirections", () => {
    expect(sh("cat <<-EOF > /tmp/x.yaml\n\tkind: Pod\n\t\tname: a\n\tEOF\ncat /tmp/x.yaml")).toBe("kind: Pod\nname: a");
  });

  it("reads two here-documents on one line in order", () => {
    expect(sh("cat <<A; cat <<B\none\nA\ntwo\nB")).toBe("one\ntwo");
  });

  it("tells a terminal when more lines are needed", () => {
    expect(needsMoreInput("cat > x.yaml <<EOF\n")).toBe(true);
    expect(needsMoreInput("cat > x.yaml <<EOF\nkind: Pod\n")).toBe(true);
    expect(needsMoreInput("cat > x.yaml <<EOF\nkind: Pod\nEOF\n")).toBe(false);
    expect(needsMoreInput("kubectl apply -f - <<'EOF'\napiVersion: v1\n  EOF\n")).toBe(true);
    expect(needsMoreInput("kubectl get pods |\n")).toBe(true);
    expect(needsMoreInput("for i in 1 2; do\n")).toBe(true);
    expect(needsMoreInput("echo 'open\n")).toBe(true);
    expect(needsMoreInput("echo a \\\n")).toBe(true);
    expect(needsMoreInput("echo done\n")).toBe(false);
    expect(needsMoreInput("echo )\n")).toBe(false);
  });
});
