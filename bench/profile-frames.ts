/** A frame of a V8 CPU or sampling heap profile (what the bench scripts read of it). */
export interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

/** Where a frame's time or bytes are counted: its package, its file under dist/, or (byFunction) the function itself. */
export function groupOf(frame: CallFrame, byFunction: boolean): string {
  const url = frame.url.replace(/^file:\/\//, '');
  if (byFunction) return `${frame.functionName || '(anonymous)'} ${url.replace(/.*node_modules\//, '').replace(/.*\/dist\//, 'dist/')}:${frame.lineNumber + 1}`;
  if (url.includes('node_modules/')) {
    const parts = url.split('node_modules/').pop()!.split('/');
    return parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
  }
  if (url.includes('/dist/')) return `dist/${url.split('/dist/').pop()}`;
  return url || frame.functionName;
}
