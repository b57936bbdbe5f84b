import { join } from 'node:path';
import type { ResponseOf } from '../../shared/ipc/contract';
import type { ServiceContext } from './context';

/** Docker's rule: `$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`. */
export function dockerConfigPath(context: Pick<ServiceContext, 'env' | 'home'>): string {
  const dir = context.env['DOCKER_CONFIG'];
  return join(dir && dir.length > 0 ? dir : join(context.home, '.docker'), 'config.json');
}

/** Answers `app:info`. */
export function getAppInfo(context: ServiceContext): ResponseOf<'app:info'> {
  const known = ['darwin', 'win32', 'linux'] as const;
  const platform = (known as readonly string[]).includes(context.platform)
    ? (context.platform as (typeof known)[number])
    : 'other';
  return { name: context.appName, version: context.appVersion, platform, dockerConfigPath: dockerConfigPath(context) };
}
