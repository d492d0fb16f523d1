import { bootstrap } from './bootstrap';

bootstrap().catch((err: Error) => {
  // Configuration errors land here: print the message, not a stack, and stop.
  process.stderr.write(`Failed to start: ${err.message}\n`);
  process.exit(1);
});
