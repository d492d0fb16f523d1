import { Injectable } from '@nestjs/common';
import { UpstreamTokenCheck } from '../auth/upstream-token.check';
import { IntegrationAppGateway } from './integration-app.gateway';
import { UpstreamError } from './upstream.error';

/** `UpstreamTokenCheck` through the gateway: `GET /self` with the caller's token. */
@Injectable()
export class GatewayTokenCheck extends UpstreamTokenCheck {
  constructor(private readonly gateway: IntegrationAppGateway) {
    super();
  }

  async accepts(token: string): Promise<boolean> {
    try {
      await this.gateway.getSelf(token);
      return true;
    } catch (err) {
      if (err instanceof UpstreamError && (err.kind === 'unauthorized' || err.kind === 'forbidden')) return false;
      throw err;
    }
  }
}
