/**
 * Runs after every test file (registered first, so its afterAll runs last): fails the file if it
 * left TCP sockets or servers open — an unclosed pool, client, gRPC server or connection.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll } from 'vitest';

const NETWORK_RESOURCES = new Set(['TCPSocketWrap', 'TCPServerWrap', 'PipeServerWrap']);

function openNetworkResources(): string[] {
  return process.getActiveResourcesInfo().filter((name) => NETWORK_RESOURCES.has(name));
}

afterAll(async () => {
  let open = openNetworkResources();
  for (let attempt = 0; attempt < 40 && open.length > 0; attempt++) {
    await sleep(50);
    open = openNetworkResources();
  }
  if (open.length > 0) {
    throw new Error(`the test file left ${open.length} network handle(s) open: ${open.join(', ')}`);
  }
});
