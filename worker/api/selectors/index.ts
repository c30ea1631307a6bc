// Label and field selectors.
export * from "./labels";
export * from "./fields";
