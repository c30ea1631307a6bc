// Command-line parsing as pflag does it, with cobra's error wording.
import { describe, expect, it } from "vitest";
import { KubectlError } from "../../../worker/kubectl/errors";
import { parseFlags, type FlagSpec } from "../../../worker/kubectl/flags";

const specs: FlagSpec[] = [
  { name: "namespace", short: "n", type: "string", default: "" },
  { name: "output", short: "o", type: "string", default: "" },
  { name: "stdin", short: "i", type: "bool" },
  { name: "tty", short: "t", type: "bool" },
  { name: "all-namespaces", short: "A", type: "bool" },
  { name: "replicas", type: "int", default: 1 },
  { name: "env", type: "stringArray", default: [] },
  { name: "dry-run", type: "string", default: "none", noOptDefault: "unchanged" },
];

function error(argv: string[]): string {
  try {
    parseFlags(argv, specs);
  } catch (e) {
    return (e as KubectlError).message;
  }
  return "";
}

describe("flags", () => {
  it("reads long, short, combined and attached forms, flags after arguments, and --", () => {
    const p = parseFlags(["get", "-n", "kube-system", "pods", "-owide", "-it", "--replicas=3", "--env", "A=1", "--env=B=2", "--dry-run", "--", "sh", "-c", "x"], specs);
    expect(p.args).toEqual(["get", "pods", "sh", "-c", "x"]);
    expect(p.argsLenAtDash).toBe(2);
    expect(p.flags.get("namespace")).toBe("kube-system");
    expect(p.flags.get("output")).toBe("wide");
    expect(p.flags.get("stdin")).toBe(true);
    expect(p.flags.get("tty")).toBe(true);
    expect(p.flags.get("replicas")).toBe(3);
    expect(p.flags.get("env")).toEqual(["A=1", "B=2"]);
    expect(p.flags.get("dry-run")).toBe("unchanged");
    expect(parseFlags(["-o=yaml"], specs).flags.get("output")).toBe("yaml");
  });

  it("words its errors as cobra does", () => {
    expect(error(["--foo"])).toBe("unknown flag: --foo");
    expect(error(["-z"])).toBe("unknown shorthand flag: 'z' in -z");
    expect(error(["-n"])).toBe("flag needs an argument: 'n' in -n");
    expect(error(["--namespace"])).toBe("flag needs an argument: --namespace");
    expect(error(["--replicas=x"])).toBe('invalid argument "x" for "--replicas" flag: strconv.ParseInt: parsing "x": invalid syntax');
    expect(error(["--all-namespaces=maybe"])).toBe('invalid argument "maybe" for "-A, --all-namespaces" flag: strconv.ParseBool: parsing "maybe": invalid syntax');
  });
});
