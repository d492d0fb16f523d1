/**
 * Which `.env` files the server reads (through `@nestjs/config`, which parses them with dotenv):
 * `ENV_FILE` — a comma-separated list of paths, the first file naming a variable wins; `none` (or
 * empty) reads no file — and by default `.env` in the working directory, when it exists. A variable
 * set in the real environment always wins over a file's. Every value, from a file or not, goes
 * through the same validation at boot.
 */
export function envFileOptions(env: NodeJS.ProcessEnv = process.env): { ignoreEnvFile: boolean; envFilePath?: string[] } {
  const setting = env.ENV_FILE;
  if (setting === undefined) return { ignoreEnvFile: false, envFilePath: ['.env'] };
  const paths = setting
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  if (paths.length === 0 || (paths.length === 1 && paths[0].toLowerCase() === 'none')) return { ignoreEnvFile: true };
  return { ignoreEnvFile: false, envFilePath: paths };
}
