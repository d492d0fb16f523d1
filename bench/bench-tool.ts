/**
 * The tool a bench's calls run, the same whatever order a build lists its tools in (builds compared
 * with each other must run the same upstream action): BENCH_TOOL when set, else the first by name of
 * the list actions that need no argument, else the first argument-free tool by name.
 */
export function benchTool(tools: ReadonlyArray<{ name: string; inputSchema?: { required?: string[] } }>): string {
  const callable = tools
    .filter((t) => !(t.inputSchema?.required ?? []).length)
    .map((t) => t.name)
    .sort();
  const name = process.env.BENCH_TOOL ?? callable.find((n) => /_list-/.test(n)) ?? callable[0];
  if (!name || !callable.includes(name)) throw new Error(`no tool ${name ?? ''} without required arguments`);
  return name;
}
