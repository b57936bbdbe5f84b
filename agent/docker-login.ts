// `regvault docker login [REGISTRY…]`: writes the job's Docker config as `docker login` would, with the
// app's plan/apply code (unknown keys kept, atomic, backup); `--helper` routes the registries to
// docker-credential-regvault instead (credHelpers), so config.json holds no secret at all.
import { applyDockerConfig, planDockerConfig } from '../electron/services/docker-config';
import { findHelperExecutable } from '../electron/services/docker-config/credential-helper';
import { REGVAULT_HELPER } from '../electron/services/docker-config/helper-routes';
import type { DockerConfigOptions } from '../electron/services/docker-config/types';
import type { AgentCredential } from './credentials';
import { AgentError, exitCodes } from './exit-codes';
import type { Output } from './output';

/** What `docker login` writes: the credentials, and whether to route them to the helper instead. */
export type DockerLoginInput = Readonly<{
  credentials: readonly AgentCredential[];
  helper: boolean;
  configDir?: string;
  output: Output;
}>;

/** Plans and applies; reports per registry what changed (never a secret). */
export async function dockerLogin(input: DockerLoginInput): Promise<Readonly<{ path: string; registries: string[] }>> {
  const options: DockerConfigOptions = { env: process.env, ...(input.configDir ? { configDir: input.configDir } : {}) };
  const registries = input.credentials.map((c) => c.registry);
  const plan = input.helper
    ? await planDockerConfig([], { ...options, useHelper: registries })
    : await planDockerConfig(
        input.credentials.map((c) => ({
          registry: c.registry,
          username: c.username,
          secret: c.secret,
          ...(c.email === undefined ? {} : { email: c.email }),
        })),
        options,
      );
  if (!plan.ok) throw new AgentError(exitCodes.dockerConfig, plan.error.message);
  for (const warning of plan.value.warnings) input.output.warn(warning.message);
  const applied = await applyDockerConfig(plan.value, options);
  if (!applied.ok) throw new AgentError(exitCodes.dockerConfig, applied.error.message);
  if (input.helper) {
    const found = await findHelperExecutable(REGVAULT_HELPER, options);
    if (!found.ok)
      input.output.warn(
        'docker-credential-regvault is not on PATH: install the agent package (npm install -g) so Docker can ask it.',
      );
  }
  const how = input.helper ? 'served by docker-credential-regvault (no secret in the file)' : 'written';
  for (const c of input.credentials) input.output.result(`${c.registry}: ${c.username} ${how} in ${plan.value.path}`);
  return { path: plan.value.path, registries };
}
