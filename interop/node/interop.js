#!/usr/bin/env node
// Interop proof: drives every public method of the official Node SDK (smile-identity-core,
// pinned in package-lock.json) against `smileid fake --tls`, and checks each call against
// what a real Smile ID server would do. Every call must succeed, except the ones listed in
// EXPECTED_FAILURES (the Node SDK's own bugs, see README.md "Official SDKs against the
// fake"): an unexpected failure, or an expected failure that succeeds, fails the run.
//
// Usage (from the repository root or here): node interop/node/interop.js
//
// The script starts the fake itself (`go run ./cmd/smileid fake --tls`), then re-runs
// itself with NODE_EXTRA_CA_CERTS pointing at the CA file the fake wrote (Node reads that
// variable only at start-up), and stops the fake with SIGTERM at the end.
'use strict';

const { spawn } = require('node:child_process');
const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');

const repoRoot = path.resolve(__dirname, '..', '..');
const tmpDir = path.join(__dirname, '.tmp');
const fixtures = path.join(repoRoot, 'testdata', 'conformance', 'fixtures');

// The calls the Node SDK's own bugs make fail, by call name, with the reason. Nothing else
// may fail, and each of these must fail exactly so.
const EXPECTED_FAILURES = {
  'WebApi.submit_job jt1 liveness file (image type 4)':
    'Node SDK bug: image types 4/5 given as files are never zipped; their local path goes into info.json images[].image with file_name "" (official-node-sdk-wire.md, surprise 3). The job fails with 0903.',
  'WebApi.submit_job jt1 id card back file (image type 5)':
    'Node SDK bug: image types 4/5 given as files are never zipped; their local path goes into info.json images[].image with file_name "" (official-node-sdk-wire.md, surprise 3). The job fails with 0903.',
};

let fakeGroup = 0; // the process group of `go run ... fake`, killed if the run fails

if (process.argv[2] === '--drive') {
  drive().catch((err) => {
    console.error(err);
    process.exit(1);
  });
} else {
  orchestrate().catch((err) => {
    console.error(err);
    if (fakeGroup) {
      try { process.kill(-fakeGroup, 'SIGKILL'); } catch (_) { /* already gone */ }
    }
    process.exit(1);
  });
}

// orchestrate starts the fake, runs the driver with the fake's CA trusted, stops the fake.
async function orchestrate() {
  fs.mkdirSync(tmpDir, { recursive: true });
  const caFile = path.join(tmpDir, 'fake-ca.pem');
  fs.rmSync(caFile, { force: true });
  const fake = spawn('go', ['run', './cmd/smileid', 'fake', '--tls', '--addr', '127.0.0.1:0', '--cert-file', caFile],
    { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  fakeGroup = fake.pid;
  let fakeErr = '';
  fake.stderr.on('data', (d) => { fakeErr += d; });
  const vars = await new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`smileid fake printed no server URL in 300 s: ${fakeErr}`)), 300000);
    fake.on('exit', (code) => reject(new Error(`smileid fake exited with ${code}: ${fakeErr}`)));
    fake.stdout.on('data', (d) => {
      out += d;
      if (!out.includes('SSL_CERT_FILE=')) return;
      clearTimeout(timer);
      const v = {};
      for (const line of out.split('\n')) {
        const m = /^export (\w+)=(.*)$/.exec(line.trim());
        if (m) v[m[1]] = m[2].replace(/^'|'$/g, '');
      }
      resolve(v);
    });
  });
  fake.removeAllListeners('exit');
  const fakeExited = new Promise((resolve) => fake.on('exit', (code, signal) => resolve({ code, signal })));

  const driver = spawn(process.execPath, [__filename, '--drive'], {
    stdio: 'inherit',
    env: { ...process.env, ...vars, NODE_EXTRA_CA_CERTS: vars.SSL_CERT_FILE },
  });
  const driverCode = await new Promise((resolve) => driver.on('exit', (code) => resolve(code)));

  // `go run` runs the command as its child: signal the whole process group.
  const stopAt = Date.now();
  process.kill(-fake.pid, 'SIGTERM');
  const stopped = await Promise.race([fakeExited, new Promise((r) => setTimeout(() => r(null), 5000))]);
  if (stopped === null) {
    process.kill(-fake.pid, 'SIGKILL');
    console.error('FAIL smileid fake did not stop within 5 s of SIGTERM');
    process.exit(1);
  }
  console.log(`smileid fake stopped ${Date.now() - stopAt} ms after SIGTERM`);
  if (fakeErr.includes('internal error')) {
    console.error(`FAIL the fake reported an internal error:\n${fakeErr}`);
    process.exit(1);
  }
  process.exit(driverCode);
}

// drive runs every call against the fake and checks the outcomes.
async function drive() {
  const { WebApi, IDApi, Signature, Utilities, JOB_TYPE, IMAGE_TYPE } = require('smile-identity-core');
  const partnerId = process.env.SMILEID_PARTNER_ID;
  const apiKey = process.env.SMILEID_API_KEY;
  const server = process.env.SMILEID_SERVER; // https://127.0.0.1:PORT/v1
  const sidServer = server.replace(/^https:\/\//, ''); // the SDK prefixes https:// itself

  // A callback receiver; every callback is checked with the SDK's own confirm_signature.
  const callbacks = new Map(); // job_id -> body
  const receiver = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => { body += d; });
    req.on('end', () => {
      try {
        const b = JSON.parse(body);
        const jobId = (b.PartnerParams && b.PartnerParams.job_id) || '?';
        callbacks.set(jobId, b);
      } catch (e) {
        callbacks.set(`unparsable-${callbacks.size}`, { error: String(e) });
      }
      res.writeHead(200);
      res.end();
    });
  });
  await new Promise((r) => receiver.listen(0, '127.0.0.1', r));
  const callbackUrl = `http://127.0.0.1:${receiver.address().port}/smile/callback`;

  const web = new WebApi(partnerId, callbackUrl, apiKey, sidServer);
  const idApi = new IDApi(partnerId, apiKey, sidServer);
  const utilities = new Utilities(partnerId, apiKey, sidServer);
  const signature = new Signature(partnerId, apiKey);

  const file = (name) => path.join(fixtures, name);
  const b64 = (name) => fs.readFileSync(file(name)).toString('base64');
  const selfieFile = { image_type_id: IMAGE_TYPE.SELFIE_IMAGE_FILE, image: file('selfie.jpg') };
  const idCardFile = { image_type_id: IMAGE_TYPE.ID_CARD_IMAGE_FILE, image: file('id_card.jpg') };
  const selfieB64 = { image_type_id: IMAGE_TYPE.SELFIE_IMAGE_BASE64, image: b64('selfie.jpg') };
  const idCardB64 = { image_type_id: IMAGE_TYPE.ID_CARD_IMAGE_BASE64, image: b64('id_card.jpg') };
  const livenessFile = { image_type_id: IMAGE_TYPE.LIVENESS_IMAGE_FILE, image: file('liveness.jpg') };
  const idBackFile = { image_type_id: IMAGE_TYPE.ID_CARD_BACK_IMAGE_FILE, image: file('id_card_back.jpg') };
  const livenessB64 = { image_type_id: IMAGE_TYPE.LIVENESS_IMAGE_BASE64, image: b64('liveness.jpg') };
  const idBackB64 = { image_type_id: IMAGE_TYPE.ID_CARD_BACK_IMAGE_BASE64, image: b64('id_card_back.jpg') };
  const bvn = { first_name: 'Joe', last_name: 'Bloggs', country: 'NG', id_type: 'BVN', id_number: '00000000000', dob: '2000-09-20', entered: true };
  const kyb = { country: 'NG', id_type: 'BUSINESS_REGISTRATION', id_number: '0000000', business_type: 'bn' };

  let n = 0;
  const pp = (jobType, extra = {}) => ({ user_id: 'node-user', job_id: `node-job-${++n}`, job_type: jobType, ...extra });
  const results = [];
  const expectCallback = new Set();

  // call runs one SDK call; check throws when the answer is wrong. A rejected promise or a
  // failed check is the call's failure.
  async function call(name, fn, check) {
    let failure = null;
    try {
      const out = await fn();
      if (check) check(out);
    } catch (err) {
      failure = (err && err.response) ? `HTTP ${err.response.status}: ${JSON.stringify(err.response.data)}` : String(err && err.message || err);
    }
    results.push({ name, failure });
  }
  const must = (cond, what) => { if (!cond) throw new Error(what); };
  const completeOK = (out) => {
    must(out && out.job_complete === true, `job_complete is ${out && out.job_complete}`);
    must(out.job_success === true, `job_success is false: ${out.result && out.result.ResultCode} ${out.result && out.result.ResultText}`);
  };
  const queued = (params) => (out) => {
    must(out && out.success === true && /^\d+$/.test(out.smile_job_id), `answer ${JSON.stringify(out)}`);
    expectCallback.add(params.job_id);
  };
  const submitted = (label, params, images, idInfo, options) => call(`WebApi.submit_job ${label}`,
    () => web.submit_job(params, images, idInfo, options),
    options && options.return_job_status ? (out) => { completeOK(out); expectCallback.add(params.job_id); } : queued(params));

  // WebApi.submit_job: every upload job type, every image type, with and without polling.
  let p;
  await submitted('jt1 selfie and id card files, callback', pp(JOB_TYPE.BIOMETRIC_KYC, { optional_info: 'kept' }), [selfieFile, idCardFile], bvn, {});
  await submitted('jt1 return_job_status with history and images', pp(JOB_TYPE.BIOMETRIC_KYC), [selfieFile, idCardFile], bvn,
    { return_job_status: true, return_history: true, return_images: true });
  await submitted('jt1 base64 selfie and id card (image types 2, 3)', pp(JOB_TYPE.BIOMETRIC_KYC), [selfieB64, idCardB64], { ...bvn, entered: false }, { return_job_status: true });
  await submitted('jt1 liveness file (image type 4)', pp(JOB_TYPE.BIOMETRIC_KYC), [selfieFile, livenessFile], bvn, { return_job_status: true });
  await submitted('jt1 id card back file (image type 5)', pp(JOB_TYPE.BIOMETRIC_KYC), [selfieFile, idCardFile, idBackFile], bvn, { return_job_status: true });
  await submitted('jt1 liveness and id card back base64 (image types 6, 7)', pp(JOB_TYPE.BIOMETRIC_KYC), [selfieFile, livenessB64, idCardFile, idBackB64], bvn,
    { return_job_status: true, optional_callback: callbackUrl });
  await submitted('jt2 SmartSelfie authentication', pp(JOB_TYPE.SMART_SELFIE_AUTHENTICATION), [selfieFile, livenessB64], {}, { return_job_status: true });
  await submitted('jt4 SmartSelfie registration, base64 selfie', pp(JOB_TYPE.SMART_SELFIE_REGISTRATION), [selfieB64], {}, { return_job_status: true });
  await submitted('jt6 Document Verification', pp(JOB_TYPE.DOCUMENT_VERIFICATION), [selfieFile, idCardFile, idBackB64], { country: 'KE', id_type: 'NATIONAL_ID' }, { return_job_status: true });
  await submitted('jt6 use_enrolled_image', pp(JOB_TYPE.DOCUMENT_VERIFICATION), [idCardFile], { country: 'NG', id_type: 'PASSPORT' }, { return_job_status: true, use_enrolled_image: true });
  await submitted('jt11 Enhanced Document Verification', pp(JOB_TYPE.ENHANCED_DOCUMENT_VERIFICATION), [selfieFile, idCardFile, idBackB64],
    { country: 'NG', id_type: 'PASSPORT', id_number: 'A00000000' }, { return_job_status: true });
  await submitted('jt8 update photo', pp(JOB_TYPE.UPDATE_PHOTO), [selfieFile], {}, { return_job_status: true });
  // Job type 9 (compare user info) is in the SDK's JOB_TYPE, but it is no upload job: Smile
  // ID's upload refuses it (2212), and the SDK must pass that refusal on.
  await call('WebApi.submit_job jt9 is refused with 2212', async () => {
    try {
      await web.submit_job(pp(JOB_TYPE.COMPARE_USER_INFO), [selfieFile], {}, { return_job_status: true });
    } catch (err) {
      must(err.response && err.response.status === 400 && err.response.data.code === '2212', `refused otherwise: ${err}`);
      return;
    }
    throw new Error('accepted');
  });
  await call('WebApi.submit_job jt5 (routed to the ID API)', () => web.submit_job(pp(JOB_TYPE.ENHANCED_KYC), [], bvn, {}),
    (out) => must(out.ResultCode === '1012' && out.SmileJobID, `answer ${JSON.stringify(out)}`));
  await call('WebApi.submit_job jt7 (routed to business verification)', () => web.submit_job(pp(JOB_TYPE.BUSINESS_VERIFICATION), [], kyb, {}),
    (out) => must(out.ResultCode === '1012' && out.company_information, `answer ${JSON.stringify(out).slice(0, 200)}`));

  // WebApi.get_job_status: options given, undefined, and {} (history/image_links omitted).
  const uploaded = { user_id: 'node-user', job_id: 'node-job-2' };
  await call('WebApi.get_job_status with history and images', () => web.get_job_status(uploaded, { return_history: true, return_images: true }),
    (out) => { completeOK(out); must(Array.isArray(out.history) && out.image_links && out.image_links.selfie_image, 'no history or image links'); });
  await call('WebApi.get_job_status options undefined', () => web.get_job_status(uploaded), completeOK);
  await call('WebApi.get_job_status options {}', () => web.get_job_status(uploaded, {}), completeOK);

  // WebApi.get_web_token, with its own callback and with the constructor's.
  await call('WebApi.get_web_token explicit callback', () => web.get_web_token({ user_id: 'node-user', job_id: 'node-token-1', product: 'biometric_kyc', callback_url: callbackUrl }),
    (out) => must(typeof out.token === 'string' && out.token.length > 0, `answer ${JSON.stringify(out)}`));
  await call('WebApi.get_web_token default callback', () => web.get_web_token({ user_id: 'node-user', job_id: 'node-token-2', product: 'doc_verification' }),
    (out) => must(typeof out.token === 'string' && out.token.length > 0, `answer ${JSON.stringify(out)}`));

  // IDApi: sync (5, 5 as a string, 7), async (5, 7), pollJobStatus.
  const ekycOK = (out) => must(out.ResultCode === '1012' && out.Actions && out.Actions.Verify_ID_Number === 'Verified', `answer ${JSON.stringify(out)}`);
  await call('IDApi.submit_job jt5 entered boolean', () => idApi.submit_job(pp(JOB_TYPE.ENHANCED_KYC), bvn), ekycOK);
  const sync5 = pp('5');
  await call('IDApi.submit_job jt5 job_type "5" (a string)', () => idApi.submit_job(sync5, bvn), ekycOK);
  await call('IDApi.submit_job jt7', () => idApi.submit_job(pp(JOB_TYPE.BUSINESS_VERIFICATION), kyb),
    (out) => must(out.ResultCode === '1012' && out.company_information, `answer ${JSON.stringify(out).slice(0, 200)}`));
  p = pp(JOB_TYPE.ENHANCED_KYC);
  await call('IDApi.submitAsyncjob jt5', () => idApi.submitAsyncjob(p, bvn, callbackUrl), (out) => { must(out.success === true, `answer ${JSON.stringify(out)}`); expectCallback.add(p.job_id); });
  const async5 = p;
  p = pp(JOB_TYPE.BUSINESS_VERIFICATION);
  await call('IDApi.submitAsyncjob jt7', () => idApi.submitAsyncjob(p, kyb, callbackUrl), (out) => { must(out.success === true, `answer ${JSON.stringify(out)}`); expectCallback.add(p.job_id); });
  await call('IDApi.pollJobStatus of an async ID job', () => idApi.pollJobStatus(async5, 2, 10, true, true),
    (out) => { completeOK(out); must(out.result.ResultCode === '1012', `result ${JSON.stringify(out.result)}`); });
  await call('IDApi.pollJobStatus of a sync ID job (job_type "5")', () => idApi.pollJobStatus(sync5, 2, 10),
    (out) => { completeOK(out); must(out.result.ResultCode === '1012', `result ${JSON.stringify(out.result)}`); });

  // Utilities.get_job_status, defaults and options, of an upload job and an ID API job.
  await call('Utilities.get_job_status defaults', () => utilities.get_job_status('node-user', 'node-job-1'), completeOK);
  await call('Utilities.get_job_status history and images', () => utilities.get_job_status('node-user', 'node-job-2', { return_history: true, return_images: true }),
    (out) => { completeOK(out); must(out.image_links.selfie_image, 'no selfie image link'); });
  await call('Utilities.get_job_status of an ID API job', () => utilities.get_job_status(sync5.user_id, sync5.job_id), completeOK);

  // Signature: generate and confirm, with a string and a millisecond timestamp.
  await call('Signature.generate_signature / confirm_signature', () => {
    const a = signature.generate_signature();
    const b = signature.generate_signature('2026-11-25T18:25:48.951Z');
    const c = signature.generate_signature(1764095148951);
    must(signature.confirm_signature(a.timestamp, a.signature), 'own signature not confirmed');
    must(signature.confirm_signature(b.timestamp, b.signature), 'string timestamp not confirmed');
    must(signature.confirm_signature(c.timestamp, c.signature), 'millisecond timestamp not confirmed');
    must(!new Signature(partnerId, 'another-key').confirm_signature(a.timestamp, a.signature), 'another key confirmed');
  });

  // Callbacks: one per job that named a callback, each confirmed by the SDK's own
  // confirm_signature, each the job's own result.
  await call('callbacks confirmed with Signature.confirm_signature', async () => {
    const deadline = Date.now() + 10000;
    while ([...expectCallback].some((id) => !callbacks.has(id)) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
    }
    const missing = [...expectCallback].filter((id) => !callbacks.has(id));
    must(missing.length === 0, `no callback for ${missing.join(', ')}`);
    for (const [id, body] of callbacks) {
      must(signature.confirm_signature(body.timestamp, body.signature), `callback of ${id}: signature not confirmed`);
      must(!new Signature(partnerId, 'another-key').confirm_signature(body.timestamp, body.signature), `callback of ${id}: confirmed with another key`);
      must(body.SmileJobID && body.ResultCode, `callback of ${id}: ${JSON.stringify(body).slice(0, 200)}`);
    }
  });
  receiver.close();

  // The verdict: exactly the expected failures.
  let bad = 0;
  for (const { name, failure } of results) {
    const expected = EXPECTED_FAILURES[name];
    if (!failure && !expected) {
      console.log(`ok      ${name}`);
    } else if (failure && expected) {
      console.log(`ok      ${name} (fails as expected: ${failure})`);
    } else if (failure) {
      bad++;
      console.log(`FAIL    ${name}: ${failure}`);
    } else {
      bad++;
      console.log(`FAIL    ${name}: succeeds, but is listed as an expected failure (${expected})`);
    }
  }
  for (const name of Object.keys(EXPECTED_FAILURES)) {
    if (!results.some((r) => r.name === name)) {
      bad++;
      console.log(`FAIL    ${name}: listed as an expected failure but never run`);
    }
  }
  console.log(`\n${results.length} calls of smile-identity-core ${require('smile-identity-core/package.json').version}, ` +
    `${Object.keys(EXPECTED_FAILURES).length} expected failures, ${bad} unexpected outcomes`);
  process.exit(bad === 0 ? 0 : 1);
}
