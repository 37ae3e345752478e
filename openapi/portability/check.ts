// Type-checks code that another language team would write against the types
// openapi-typescript generates from ../smileid.yaml. `npm run portability` regenerates
// smileid.d.ts and runs tsc on both files; a spec change that breaks these uses fails it.
import type { components, operations, paths } from "./smileid";

type Schemas = components["schemas"];

const status: Schemas["JobStatusResponse"] = {
  job_complete: true,
  job_success: true,
  code: 2302,
  result: "No zip file received",
  timestamp: 1678216434434,
  signature: "lD+fpi/cg9kv8mQ1gpCDH9p7MQl8RwBK8+4ibchojCg=",
};

const result: Schemas["JobResult"] = {
  ResultCode: "1210",
  ResultText: "Enroll User",
  ConfidenceValue: 99.5,
  IsMachineResult: "true",
  Actions: { Liveness_Check: "Passed", Some_New_Check: "Passed" },
  PartnerParams: { job_id: "job-0001", user_id: "user-0001", job_type: "1" },
};

const status2: Schemas["JobStatusResponse"] = { ...status, code: "2302", result, timestamp: "2026-11-25T18:33:08.120Z" };

const jobStatus: operations["jobStatus"]["requestBody"]["content"]["application/json"] = {
  partner_id: "212",
  timestamp: "2026-11-25T18:33:10.784Z",
  signature: "ciNLbKoZPTWiB6J9Zu4lhB/YTJVq4ApVw4/VzUUdCRs=",
  user_id: "user-0001",
  job_id: "job-0001",
  image_links: true,
  history: false,
};

// PartnerParams is written as its typed keys allOf the values of all its keys, so the
// generated type takes a numeric job_type and string extras in one object literal.
const partnerParams: Schemas["PartnerParams"] = { job_id: "job-0001", user_id: "user-0001", job_type: 1, sandbox_result: "0" };
// @ts-expect-error job_type 3 is not a job type
const badJobType: Schemas["PartnerParams"] = { job_id: "job-0001", user_id: "user-0001", job_type: 3 };
// Node's IDApi passes job_type "5" through as given; the server accepts it.
const nodeIDAPI: Schemas["PartnerParams"] = { job_id: "job-0001", user_id: "user-0001", job_type: "5" };
// A check Smile ID adds later, with a value this document does not know, is a valid result.
const newAction: Schemas["Actions"] = { Liveness_Check: "Pending Review", Brand_New_Check: "Passed" };

const manifest: Schemas["UploadManifest"] = {
  package_information: { apiVersion: { buildNumber: 0, majorVersion: 2, minorVersion: 0 }, language: "typescript" },
  misc_information: {
    retry: "false",
    partner_params: partnerParams,
    timestamp: "2026-11-25T18:33:07.561Z",
    file_name: "selfie.zip",
    smile_client_id: "212",
  },
  id_info: { country: "NG", id_type: "BVN", id_number: "00000000000", entered: "true" },
  images: [{ image_type_id: 0, image: "", file_name: "selfie.jpg" }],
  server_information: "https://example.invalid/selfie.zip",
};
// The Android SDK's info.json: images (file_name only) and the ID info.
const androidManifest: Schemas["UploadManifest"] = { images: [{ image_type_id: 0, file_name: "selfie.jpg" }], id_info: { country: "NG", entered: true } };
// The zip the presigned PUT carries, described by its entries: info.json is a manifest.
const zipEntries: Schemas["UploadZip"]["info.json"] = androidManifest;

type ServicesPath = paths["/services"]["get"]["responses"][200]["content"]["application/json"];
const services: ServicesPath = { bank_codes: [{ name: "Access Bank", code: "044" }], id_types: { NG: { BVN: ["country"] } } };

export const all = [status, status2, jobStatus, badJobType, nodeIDAPI, newAction, manifest, androidManifest, zipEntries, services];
