package smileid

import (
	"context"
	"io"
)

// jobZipOnce is the SDK's own work for a job: check the images, build info.json, write the
// zip.
func jobZipOnce(job Job, upload []byte) error {
	prepared, err := prepareImages(context.Background(), job.Images)
	if err != nil {
		return err
	}
	plan := &zipPlan{}
	defer plan.release()
	for _, img := range prepared {
		if img.name != "" {
			plan.files = append(plan.files, img)
		}
	}
	plan.info, err = manifest("001", job, job.IDInfo, prepared, "https://127.0.0.1/cb", "ts", upload)
	if err != nil {
		return err
	}
	return plan.writeTo(io.Discard)
}
