// Runs graphql-http's GraphQL-over-HTTP audits against a running cdp.
// Usage: node http-audit.mjs URL TOKEN
import { serverAudits } from 'graphql-http';

const [url, token] = process.argv.slice(2);
const fetchFn = (input, init = {}) => {
  const headers = new Headers(init.headers);
  headers.set('authorization', `Bearer ${token}`);
  return fetch(input, { ...init, headers });
};

// Each warning and notice is explained in docs/conformance.md.
let ok = 0, warn = 0, notice = 0, failed = 0;
for (const audit of serverAudits({ url, fetchFn })) {
  const result = await audit.fn();
  if (result.status === 'ok') { ok++; continue; }
  if (result.status === 'warn') warn++;
  else if (result.status === 'notice') notice++;
  else failed++;
  console.log(`${result.status.toUpperCase()} ${audit.id} ${audit.name}: ${result.reason}`);
}
console.log(`graphql-http audits: ${ok + warn + notice} passed (${warn} warnings, ${notice} notices), ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
