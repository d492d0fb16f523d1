import { Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { sendError, withoutRequestQuery } from './all-exceptions.filter';

describe('sendError', () => {
  it("logs an unexpected error without the request's query string, even when the error quotes the URL", () => {
    const lines: string[] = [];
    const logger = { error: (line: string) => lines.push(line) } as unknown as Logger;
    const req = { method: 'POST', path: '/mcp', originalUrl: '/mcp?probe=secret-value&x=1', headers: {}, body: {} } as unknown as Request;
    const res = {
      headersSent: false,
      setHeader: () => undefined,
      status() {
        return this;
      },
      json: () => undefined,
    } as unknown as Response;
    sendError(new TypeError('Failed to parse URL from http://a b/mcp?probe=secret-value&x=1'), req, res, logger);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('Unhandled error on POST /mcp');
    expect(lines[0]).not.toContain('secret-value');
    expect(withoutRequestQuery('no url here', req)).toBe('no url here');
  });
});
