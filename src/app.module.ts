import { Module } from '@nestjs/common';
import { McpServerModule } from './mcp-server.module';

/** The default assembly: every adapter chosen from the environment, the built-in tools only. */
@Module({ imports: [McpServerModule.forRoot()] })
export class AppModule {}
