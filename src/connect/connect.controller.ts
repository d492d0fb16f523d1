import { Controller, Get, Param, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { ConnectService } from './connect.service';

const escape = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * `GET /connect/<id>`: no auth header (a person opens it in a browser); the link itself is the
 * single-use capability. Redirects to the Integration.app connection page, or answers a short page.
 */
@Controller('connect')
export class ConnectController {
  constructor(private readonly connect: ConnectService) {}

  @Get(':id')
  async open(@Param('id') id: string, @Req() req: Request, @Res() res: Response): Promise<void> {
    const requestId = req.headers['x-request-id'];
    const outcome = await this.connect.open(id, typeof requestId === 'string' ? requestId : undefined);
    // The redirect carries a customer token: no caching, no Referer to the next site.
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    if (outcome.status === 302) {
      res.redirect(302, outcome.location);
      return;
    }
    res
      .status(outcome.status)
      .type('html')
      .send(
        `<!doctype html><html><head><meta charset="utf-8"><title>${escape(outcome.title)}</title></head>` +
          `<body><h1>${escape(outcome.title)}</h1><p>${escape(outcome.message)}</p></body></html>`,
      );
  }
}
