/**
 * Running the real AWS tools (AWS CLI, boto3) against a test server: an environment in which nothing
 * from the machine's own AWS setup can interfere (no profile, no other endpoint, no instance metadata),
 * and a runner that collects a child's output.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface ToolRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The process environment minus AWS_* and BUSWAY_*, plus these credentials; config files in `dir`. */
export function awsToolEnv(
  dir: string,
  key: { accessKeyId: string; secretAccessKey: string },
  region: string,
): NodeJS.ProcessEnv {
  const emptyConfig = join(dir, 'aws-config');
  const emptyCredentials = join(dir, 'aws-credentials');
  writeFileSync(emptyConfig, '');
  writeFileSync(emptyCredentials, '');
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!name.startsWith('AWS_') && !name.startsWith('BUSWAY_')) env[name] = value;
  }
  return Object.assign(env, {
    AWS_ACCESS_KEY_ID: key.accessKeyId,
    AWS_SECRET_ACCESS_KEY: key.secretAccessKey,
    AWS_DEFAULT_REGION: region,
    AWS_CONFIG_FILE: emptyConfig,
    AWS_SHARED_CREDENTIALS_FILE: emptyCredentials,
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_PAGER: '',
    AWS_MAX_ATTEMPTS: '1',
  });
}

export function runTool(command: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<ToolRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}
