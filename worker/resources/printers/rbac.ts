// Printers for rbac.authorization.k8s.io/v1 bindings. Role and ClusterRole have no upstream printer and
// fall back to the default table (NAME, CREATED AT).
import type { ClusterRoleBinding, RoleBinding, Subject } from "kubernetes-types/rbac/v1";
import type { KubeObject, PrintContext, Printer, TableCell } from "../types";
import { age, ageColumn, as, col, nameColumn, nameOf } from "./common";

// Models pkg/apis/rbac/helpers.go SubjectsStrings
function subjectsStrings(subjects: Subject[] | undefined): [string[], string[], string[]] {
  const users: string[] = [];
  const groups: string[] = [];
  const sas: string[] = [];
  for (const s of subjects ?? []) {
    if (s.kind === "ServiceAccount") sas.push(`${s.namespace ?? ""}/${s.name}`);
    else if (s.kind === "User") users.push(s.name);
    else if (s.kind === "Group") groups.push(s.name);
  }
  return [users, groups, sas];
}

function bindingPrinter(what: string): Printer {
  return {
    columns: [
      nameColumn,
      col("Role", "string", "RoleRef can reference a Role in the current namespace or a ClusterRole in the global namespace."),
      ageColumn,
      col("Users", "string", `Users in the ${what}`, 1),
      col("Groups", "string", `Groups in the ${what}`, 1),
      col("ServiceAccounts", "string", `ServiceAccounts in the ${what}`, 1),
    ],
    row(obj: KubeObject, ctx: PrintContext): TableCell[] {
      const b = as<RoleBinding | ClusterRoleBinding>(obj);
      const [users, groups, sas] = subjectsStrings(b.subjects);
      return [
        nameOf(obj),
        `${b.roleRef?.kind ?? ""}/${b.roleRef?.name ?? ""}`,
        age(obj, ctx),
        users.join(", "),
        groups.join(", "),
        sas.join(", "),
      ];
    },
  };
}

export const roleBindingPrinter = bindingPrinter("roleBinding");
export const clusterRoleBindingPrinter = bindingPrinter("clusterRoleBinding");
