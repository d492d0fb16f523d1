/**
 * Names of the built-in mode tools that code outside this folder names (the dynamic-mode
 * instructions). The tools themselves live in `dynamic/` and `discovery/`, internals of this folder.
 */
export const ENABLE_TOOLS = 'enable-tools';
