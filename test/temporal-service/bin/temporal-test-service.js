#!/usr/bin/env node
// Executable launcher of the in-memory Temporal service, so it can stand in for the Temporal CLI:
//   TestWorkflowEnvironment.createLocal({ server: { executable: { type: 'existing-path', path } } })
// Understands the arguments the SDK passes (`server start-dev --port P --namespace N --ip IP …`;
// the time-skipping form `<port>` too) and ignores the rest. Runs until killed.
import { register } from 'tsx/esm/api';

register();
const { startTemporalTestService } = await import('../index.ts');

const args = process.argv.slice(2);
const option = (name) => {
  const index = args.indexOf(`--${name}`);
  return index >= 0 ? args[index + 1] : undefined;
};
const positionalPort = args.find((arg) => /^\d+$/.test(arg));

const service = await startTemporalTestService({
  host: option('ip') ?? '127.0.0.1',
  port: Number(option('port') ?? positionalPort ?? 7233),
  namespace: option('namespace') ?? 'default',
});
process.stdout.write(`in-memory Temporal service listening on ${service.address}\n`);

const stop = () => service.shutdown().then(() => process.exit(0));
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
