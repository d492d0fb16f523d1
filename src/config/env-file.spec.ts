import { envFileOptions } from './env-file';

describe('envFileOptions (which .env files @nestjs/config reads)', () => {
  it('reads .env in the working directory by default', () => {
    expect(envFileOptions({})).toEqual({ ignoreEnvFile: false, envFilePath: ['.env'] });
  });

  it('reads the files ENV_FILE lists, in order', () => {
    expect(envFileOptions({ ENV_FILE: '/etc/mcp/prod.env, .env.local' })).toEqual({ ignoreEnvFile: false, envFilePath: ['/etc/mcp/prod.env', '.env.local'] });
  });

  it('reads none with ENV_FILE=none or an empty ENV_FILE', () => {
    for (const ENV_FILE of ['none', 'NONE', '', ' , ']) expect(envFileOptions({ ENV_FILE })).toEqual({ ignoreEnvFile: true });
  });
});
