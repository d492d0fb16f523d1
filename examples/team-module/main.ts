import { bootstrap } from 'integration-app-mcp-server';
import { TeamServerModule } from './src/team.module';

bootstrap(TeamServerModule).catch((err: Error) => {
  process.stderr.write(`Failed to start: ${err.message}\n`);
  process.exit(1);
});
