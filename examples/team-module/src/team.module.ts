import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { McpServerModule } from 'integration-app-mcp-server';
import { DirectoryTools } from './directory.tools';
import { ticketsConfig, TicketTools } from './tickets.tools';

/** What a platform team writes: its tools as providers of its own module. */
@Module({
  imports: [ConfigModule.forFeature(ticketsConfig)],
  providers: [DirectoryTools, TicketTools],
})
export class TeamModule {}

/** The team's server: the standard one plus its module. */
@Module({ imports: [McpServerModule.forRoot({ imports: [TeamModule] })] })
export class TeamServerModule {}
