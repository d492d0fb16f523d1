/**
 * Names of the built-in mode tools that the protocol layer must recognise (a call to `enable-tools`
 * announces `list_changed` on the request's own stream). The tools themselves live in `dynamic/`
 * and `discovery/`, internals of this folder.
 */
export const ENABLE_TOOLS = 'enable-tools';
