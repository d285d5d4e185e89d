// Subscribes to profileChanged with the graphql-ws or graphql-sse client
// (sse: distinct connections mode; sse-single: single connection mode, a
// PUT reservation and one stream), sends identify mutations until an update
// arrives, and checks it. sse-single also runs a query through the stream.
// Usage: node subscribe.mjs ws|sse|sse-single URL TOKEN
import WebSocket from 'ws';
import { createClient as wsClient } from 'graphql-ws';
import { createClient as sseClient } from 'graphql-sse';

const [kind, url, token] = process.argv.slice(2);
const auth = `Bearer ${token}`;
const client = kind === 'ws'
  ? wsClient({ url: url.replace(/^http/, 'ws'), webSocketImpl: WebSocket, retryAttempts: 0,
      connectionParams: { Authorization: auth } })
  : sseClient({ url, singleConnection: kind === 'sse-single', retryAttempts: 0, headers: { Authorization: auth } });

const marker = `${kind}-${Date.now()}`;
const identify = (n) => fetch(url, {
  method: 'POST',
  headers: { 'content-type': 'application/json', authorization: auth },
  body: JSON.stringify({
    query: 'mutation($in: IdentifyInput!) { identify(input: $in) { created } }',
    variables: { in: { identities: [{ type: 'email', value: `${marker}@example.com` }], traits: { n, marker } } },
  }),
}).then((r) => r.json());

let passed = 0, failed = 0;
const check = (ok, what) => { if (ok) passed++; else { failed++; console.log(`FAIL ${kind}: ${what}`); } };
try {
  const got = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no profileChanged within 30 s')), 30000);
    let n = 0;
    // Nothing tells a client its subscription is live: identify until an update comes.
    const poke = setInterval(() => identify(++n).catch(reject), 300);
    const stop = client.subscribe(
      { query: 'subscription { profileChanged { reason profile { traits } } }' },
      {
        next: (msg) => {
          if (msg.data?.profileChanged?.profile?.traits?.marker !== marker) return;
          clearTimeout(timer); clearInterval(poke); stop(); resolve(msg);
        },
        error: (err) => { clearTimeout(timer); clearInterval(poke); reject(err); },
        complete: () => {},
      });
  });
  check(!got.errors, `errors in the update: ${JSON.stringify(got.errors)}`);
  check(['created', 'updated', 'merge', 'traits'].includes(got.data.profileChanged.reason) || got.data.profileChanged.reason,
    'the update has a reason');
  if (kind === 'sse-single') {
    // A query on the same stream: its result, then complete.
    const results = [];
    for await (const r of client.iterate({ query: '{ profiles(first: 1) { totalCount } }' })) results.push(r);
    check(results.length === 1 && !results[0].errors && results[0].data.profiles.totalCount >= 1,
      `query through the stream: ${JSON.stringify(results)}`);
  }
} catch (err) {
  check(false, err instanceof Error ? err.message : JSON.stringify(err));
} finally {
  await client.dispose?.();
}
console.log(`${kind} subscription: ${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
