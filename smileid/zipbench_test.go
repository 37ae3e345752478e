package smileid

import "io"

// base64ZipOnce is BenchmarkBase64Zip's job: check the images, build info.json, write the
// zip.
func base64ZipOnce(job Job, upload []byte) error {
	prepared, err := prepareImages(job.Images)
	if err != nil {
		return err
	}
	plan := &zipPlan{}
	plan.info, err = manifest("001", job, job.IDInfo, prepared, "https://127.0.0.1/cb", "ts", upload)
	if err != nil {
		return err
	}
	return plan.writeTo(io.Discard)
}
