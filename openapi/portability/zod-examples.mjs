// Runs orval's zod schemas (generated from ../smileid.yaml unchanged, compiled to
// out/js) over every JSON example of the spec: each request example must parse into
// exactly itself (zod strips unknown keys, so a dropped partner_params key fails), and
// each 200 example too, as a strict client decoding Smile ID's answers would. A few
// values Smile ID refuses must be refused, so that the check can fail.
//
// Usage: node portability/zod-examples.mjs portability/out/smileid.json
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { isDeepStrictEqual } from 'node:util';

const require = createRequire(import.meta.url);
const zod = require('./out/js/zod/smileid.zod.js');
const spec = JSON.parse(readFileSync(process.argv[2], 'utf8'));

const pascal = (s) => s[0].toUpperCase() + s.slice(1);
const failures = [];
let requests = 0;
let responses = 0;

function check(where, schema, value) {
  const r = schema.safeParse(value);
  if (!r.success) {
    failures.push(`${where}: refused: ${JSON.stringify(r.error.issues)}`);
  } else if (!isDeepStrictEqual(r.data, value)) {
    failures.push(`${where}: parsed into something else (a key dropped or a value changed):\n  ${JSON.stringify(value)}\n  ${JSON.stringify(r.data)}`);
  }
}

for (const [path, item] of Object.entries(spec.paths)) {
  for (const method of ['get', 'post', 'put']) {
    const op = item[method];
    if (!op) continue;
    const id = pascal(op.operationId);
    const body = op.requestBody?.content?.['application/json'];
    if (body) {
      const schema = zod[`${id}Body`];
      if (!schema) failures.push(`${method} ${path}: orval emitted no ${id}Body`);
      for (const [name, ex] of Object.entries(body.examples ?? {})) {
        if (schema) check(`${op.operationId} request example ${name}`, schema, ex.value);
        requests++;
      }
    }
    const ok = op.responses?.['200']?.content?.['application/json'];
    if (ok) {
      const schema = zod[`${id}Response`];
      if (!schema) failures.push(`${method} ${path}: orval emitted no ${id}Response`);
      for (const [name, ex] of Object.entries(ok.examples ?? {})) {
        if (schema) check(`${op.operationId} 200 example ${name}`, schema, ex.value);
        responses++;
      }
    }
  }
}

// What Smile ID refuses stays refused.
const upload = spec.paths['/upload'].post.requestBody.content['application/json'].examples.biometricKYC.value;
const refused = [
  ['job type 3', { ...upload, partner_params: { ...upload.partner_params, job_type: 3 } }],
  ['a non-string partner_params value', { ...upload, partner_params: { ...upload.partner_params, extra: true } }],
  ['no partner_params', { ...upload, partner_params: undefined }],
  ['entered "yes"', { ...upload, entered: 'yes' }],
];
for (const [what, value] of refused) {
  if (zod.UploadBody.safeParse(value).success) failures.push(`UploadBody accepts ${what}`);
}

if (requests < 11 || responses < 17) failures.push(`too few examples: ${requests} requests, ${responses} responses`);
if (failures.length > 0) {
  console.error(failures.join('\n'));
  console.error(`zod (orval): ${failures.length} failures`);
  process.exit(1);
}
console.log(`zod (orval): ${requests} request and ${responses} response examples parse into themselves; ${refused.length} refusals hold`);
