#!/usr/bin/env node
// Submits Biometric KYC jobs (job type 1, a callback URL, no polling) with the official
// Node SDK, as bench/gojobs does with the Go SDK, against a running `smileid fake --tls`.
// See BENCHMARKS.md for how the two are run side by side.
//
// Usage: node jobs.js --jobs 200 --inflight 16 [--base64] IMAGE...
//   IMAGE... the job's images, in order: files of image types 0, 1 (selfie, ID card), or
//            with --base64 the files' base64 as image types 2, 3, 6, 7 (files named *.b64
//            hold base64 text already: a partner holding base64 from a mobile app).
// Environment: SMILEID_PARTNER_ID, SMILEID_API_KEY, SMILEID_SERVER (https://127.0.0.1:PORT/v1,
// as `smileid fake` prints them) and NODE_EXTRA_CA_CERTS (the fake's certificate).
'use strict';

const fs = require('node:fs');
const tls = require('node:tls');

// BENCH_COUNT_HANDSHAKES=1 prints the number of TLS connections (each one handshake).
let handshakes = 0;
if (process.env.BENCH_COUNT_HANDSHAKES) {
  const connect = tls.connect;
  tls.connect = function countedConnect(...args) { handshakes++; return connect.apply(this, args); };
  process.on('exit', () => console.error(`TLS handshakes: ${handshakes}`));
}
const { WebApi } = require('smile-identity-core');

function parse(argv) {
  const o = { jobs: 1, inflight: 1, base64: false, images: [] };
  for (let i = 0; i < argv.length; i++) {
    switch (argv[i]) {
      case '--jobs': o.jobs = Number(argv[++i]); break;
      case '--inflight': o.inflight = Number(argv[++i]); break;
      case '--base64': o.base64 = true; break;
      default: o.images.push(argv[i]);
    }
  }
  if (!(o.jobs > 0 && o.inflight > 0 && o.images.length > 0)) {
    throw new Error('usage: node jobs.js --jobs N --inflight K [--base64] IMAGE...');
  }
  return o;
}

async function main() {
  const o = parse(process.argv.slice(2));
  const server = process.env.SMILEID_SERVER;
  if (!server) throw new Error('SMILEID_SERVER is not set');
  const web = new WebApi(process.env.SMILEID_PARTNER_ID, 'https://127.0.0.1:9/callback', process.env.SMILEID_API_KEY,
    server.replace(/^https:\/\//, '')); // the SDK prefixes https:// itself
  const fileTypes = [0, 1];
  const b64Types = [2, 3, 6, 7];
  const images = o.images.map((path, i) => (o.base64
    ? { image_type_id: b64Types[i], image: path.endsWith('.b64') ? fs.readFileSync(path, 'latin1') : fs.readFileSync(path).toString('base64') }
    : { image_type_id: fileTypes[i], image: path }));
  const idInfo = { country: 'NG', id_type: 'BVN', id_number: '00000000000', entered: true };
  const run = `${process.pid}-${Date.now()}`;
  let next = 0;
  async function worker() {
    while (next < o.jobs) {
      const i = next++;
      const pp = { user_id: 'bench', job_id: `node-${run}-${i}`, job_type: 1 };
      const res = await web.submit_job(pp, images, idInfo, {});
      if (!res || !res.success) throw new Error(`job ${i}: ${JSON.stringify(res)}`);
    }
  }
  await Promise.all(Array.from({ length: o.inflight }, worker));
}

main().catch((err) => {
  console.error(err && err.message ? err.message : err);
  process.exit(1);
});
