// orval, run on ../../smileid.yaml unchanged: an axios client and zod schemas, both
// type-checked under tsc --strict (tsconfig.json here), the zod schemas then run over every
// JSON example of the spec (../zod-examples.mjs).
export default {
  axios: {
    input: '../../smileid.yaml',
    output: { target: '../out/orval/axios/smileid.ts', client: 'axios', mode: 'single' },
  },
  zod: {
    input: '../../smileid.yaml',
    output: { target: '../out/orval/zod/smileid.zod.ts', client: 'zod', mode: 'single' },
  },
};
