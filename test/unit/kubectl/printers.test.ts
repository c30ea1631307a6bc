// kubectl's output machinery, checked against what kubectl 1.32 prints: Go's tabwriter layout,
// go-yaml v2's styles and folding, JSONPath templates, and table decoration.
import { describe, expect, it } from "vitest";
import { goJson, JsonPath } from "../../../worker/kubectl/printers/jsonpath";
import { printTable } from "../../../worker/kubectl/printers/table";
import { TabWriter, tabwrite, DESCRIBE_OPTIONS } from "../../../worker/kubectl/printers/tabwriter";
import { toYaml, yamlKeyLess } from "../../../worker/kubectl/printers/yaml";
import type { Table } from "../../../worker/kubectl/client";

describe("tabwriter", () => {
  it("pads columns to the widest cell plus 3, at least 6, leaving the last cell alone", () => {
    expect(tabwrite("NAME\tREADY\tAGE\nweb-1\t1/1\t5s\n")).toBe("NAME    READY   AGE\nweb-1   1/1     5s\n");
    // A tab-terminated last cell is padded too (kubectl top's rows).
    expect(tabwrite("A\tB\t\nlonger\tx\t\n")).toBe("A        B     \nlonger   x     \n");
  });

  it("aligns column blocks only across consecutive lines that have the column (describe)", () => {
    const text = "Name:\tweb\nLabels:\tapp=web\n\ttier=x\nPod Template:\n  Containers:\n   nginx:\n    Image:\tnginx\nEvents:\t<none>\n";
    expect(tabwrite(text, DESCRIBE_OPTIONS)).toBe("Name:    web\nLabels:  app=web\n         tier=x\nPod Template:\n  Containers:\n   nginx:\n    Image:  nginx\nEvents:     <none>\n");
  });

  it("remembers widths between flushes when asked (get -w)", () => {
    const w = new TabWriter({ minwidth: 6, padding: 3, rememberWidths: true });
    w.write("NAME\tSTATUS\nweb-abcdef\tPending\n");
    expect(w.flush()).toBe("NAME         STATUS\nweb-abcdef   Pending\n");
    w.write("web\tRunning\n");
    expect(w.flush()).toBe("web          Running\n");
  });
});

describe("yaml (go-yaml v2 as kubectl prints it)", () => {
  it("quotes what would read back as another type, single-quotes what plain YAML cannot hold", () => {
    const y = toYaml({ a: "true", b: "123", c: "", d: "*/5 * * * *", e: "2024-01-01T00:00:00Z", f: "plain text", g: "1.5", h: "y", i: "a: b", j: "- x", k: null, l: 3, m: false });
    expect(y).toBe('a: "true"\nb: "123"\nc: ""\nd: \'*/5 * * * *\'\ne: "2024-01-01T00:00:00Z"\nf: plain text\ng: "1.5"\nh: "y"\ni: \'a: b\'\nj: \'- x\'\nk: null\nl: 3\nm: false\n');
  });

  it("writes multi-line strings as literal blocks and sequences unindented inside mappings", () => {
    expect(toYaml({ spec: { args: ["sh", "-c", "echo hi\nsleep 1"], ports: [{ containerPort: 80, name: "http" }], empty: [], obj: {} } })).toBe(
      "spec:\n  args:\n  - sh\n  - -c\n  - |-\n    echo hi\n    sleep 1\n  empty: []\n  obj: {}\n  ports:\n  - containerPort: 80\n    name: http\n",
    );
    expect(toYaml({ a: "x\n" })).toBe("a: |\n  x\n");
  });

  it("folds long values once a line passes 80 columns", () => {
    const message = "0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 2 Insufficient cpu.";
    expect(toYaml({ status: { message } })).toBe("status:\n  message: '0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane:\n    }, 2 Insufficient cpu.'\n");
  });

  it("sorts keys as go-yaml does (numbers in keys compared as numbers)", () => {
    expect(["a10", "a9", "B", "a"].sort((x, y) => (yamlKeyLess(x, y) ? -1 : yamlKeyLess(y, x) ? 1 : 0))).toEqual(["B", "a", "a9", "a10"]);
  });
});

describe("jsonpath", () => {
  const list = { items: [{ metadata: { name: "a", labels: { app: "x" } }, status: { conditions: [{ type: "Ready", status: "True" }] } }, { metadata: { name: "b" }, status: { conditions: [{ type: "Ready", status: "False" }] } }] };

  it("walks fields, wildcards, indexes and unions", () => {
    expect(new JsonPath("{.items[*].metadata.name}").execute(list)).toBe("a b");
    expect(new JsonPath("{.items[0].metadata.labels}").execute(list)).toBe('{"app":"x"}');
    expect(new JsonPath("{.items[-1:].metadata.name}").execute(list)).toBe("b");
    expect(new JsonPath("{.items[*].metadata.labels['app']}").execute(list)).toBe("x");
  });

  it("filters and ranges", () => {
    expect(new JsonPath('{.items[?(@.status.conditions[0].status=="True")].metadata.name}').execute(list)).toBe("a");
    expect(new JsonPath('{range .items[*]}{.metadata.name}{"\\t"}{.status.conditions[0].type}{"\\n"}{end}').execute(list)).toBe("a\tReady\nb\tReady\n");
  });

  it("encodes JSON as Go does: sorted keys, HTML characters escaped", () => {
    expect(goJson({ b: "<x&y>", a: 1 })).toBe('{"a":1,"b":"\\u003cx\\u0026y\\u003e"}');
  });
});

describe("table decoration", () => {
  const table: Table = {
    kind: "Table",
    apiVersion: "meta.k8s.io/v1",
    columnDefinitions: [
      { name: "Name", type: "string", format: "name", priority: 0 },
      { name: "Ready", type: "string", format: "", priority: 0 },
      { name: "IP", type: "string", format: "", priority: 1 },
    ],
    rows: [{ cells: ["web", "1/1", "10.244.1.2"], object: { apiVersion: "v1", kind: "PartialObjectMetadata", metadata: { name: "web", namespace: "default", labels: { b: "2", a: "1" } } } }],
  };

  it("adds NAMESPACE, LABELS, kind prefixes and wide columns", () => {
    expect(printTable(table, {})).toBe("NAME\tREADY\nweb\t1/1\n");
    expect(printTable(table, { wide: true, withNamespace: true, showLabels: true, kind: "pod" })).toBe("NAMESPACE\tNAME\tREADY\tIP\tLABELS\ndefault\tpod/web\t1/1\t10.244.1.2\ta=1,b=2\n");
    expect(printTable({ ...table, rows: [] }, {})).toBe("");
  });
});
