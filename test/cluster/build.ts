/** npm run cluster:build — builds (or finds in the cache) etcd, kube-apiserver, kubectl and helm. */
import { ensureBinaries } from './binaries.js';

const started = Date.now();
const binaries = await ensureBinaries((line) => console.log(`[cluster] ${line}`));
console.log(`[cluster] binaries ready in ${((Date.now() - started) / 1000).toFixed(1)} s:`);
for (const [name, path] of Object.entries(binaries)) console.log(`  ${name.padEnd(14)} ${path}`);
