package exampleutil

import (
	"embed"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/smileidentity/smile-identity-core-go/smileid"
)

// The sample images are copies of testdata/conformance/fixtures: JPEG-shaped bytes, not
// photos. The fake accepts them; the sandbox's face checks need real images.
//
//go:embed samples/*.jpg
var samples embed.FS

// ImageKind is one image of a job: its flag, its sample file and its SDK constructor.
type ImageKind struct {
	flag, sample, label string
	image               func(path string) smileid.Image
}

// The kinds of image the examples take.
var (
	Selfie     = ImageKind{"selfie", "selfie.jpg", "selfie", smileid.SelfieFile}
	IDCard     = ImageKind{"id-card", "id_card.jpg", "ID card front", smileid.IDCardFile}
	IDCardBack = ImageKind{"id-card-back", "id_card_back.jpg", "ID card back", smileid.IDCardBackFile}
	Liveness   = ImageKind{"liveness", "liveness.jpg", "liveness frame", smileid.LivenessFile}
)

// SampleImage returns the bytes of a built-in sample.
func SampleImage(k ImageKind) ([]byte, error) { return samples.ReadFile("samples/" + k.sample) }

// SampleName is the file name a built-in sample is uploaded under ("selfie.jpg").
func (k ImageKind) SampleName() string { return k.sample }

// ImageFlags are the image flags of an example.
type ImageFlags struct {
	kinds []ImageKind
	paths []*string
}

// AddImageFlags defines a flag per kind (-selfie, -id-card...) naming an image file; a
// built-in sample is used for each flag left unset.
func AddImageFlags(fs *flag.FlagSet, kinds ...ImageKind) *ImageFlags {
	f := &ImageFlags{kinds: kinds}
	for _, k := range kinds {
		f.paths = append(f.paths, fs.String(k.flag, "", "`path` of the "+k.label+" image, a JPEG or PNG (default: a built-in sample)"))
	}
	return f
}

// Images returns the job's images as SDK file images: the files named by the flags, and
// the built-in samples, written to a temporary directory, for the others. It says which.
func (s *Session) Images(f *ImageFlags) ([]smileid.Image, error) {
	var images []smileid.Image
	var names []string
	usedSample := false
	for i, k := range f.kinds {
		path := *f.paths[i]
		if path == "" {
			var err error
			if path, err = s.writeSample(k); err != nil {
				return nil, err
			}
			usedSample = true
		}
		images = append(images, k.image(path))
		names = append(names, filepath.Base(path)+" ("+k.label+")")
	}
	s.Field("Images", strings.Join(names, ", "))
	switch {
	case usedSample && s.Offline():
		s.More("unset image flags use built-in samples (placeholder bytes, not photos)")
	case usedSample:
		flags := make([]string, len(f.kinds))
		for i, k := range f.kinds {
			flags[i] = "-" + k.flag
		}
		s.More("NOTE: built-in samples are placeholder bytes, not photos; Smile ID's checks need")
		s.More("real images: pass them with " + strings.Join(flags, ", "))
	}
	return images, nil
}

// writeSample writes a built-in sample into the session's temporary directory: the SDK
// streams file images from disk, and the examples must work from any directory.
func (s *Session) writeSample(k ImageKind) (string, error) {
	if s.tmpDir == "" {
		dir, err := os.MkdirTemp("", "smileid-example-")
		if err != nil {
			return "", fmt.Errorf("writing the sample images: %w", err)
		}
		s.tmpDir = dir
	}
	b, err := SampleImage(k)
	if err != nil {
		return "", err
	}
	path := filepath.Join(s.tmpDir, k.sample)
	if err := os.WriteFile(path, b, 0o600); err != nil {
		return "", fmt.Errorf("writing the sample images: %w", err)
	}
	return path, nil
}

// SampleImages returns the built-in samples of kinds as SDK file images.
func (s *Session) SampleImages(kinds ...ImageKind) ([]smileid.Image, error) {
	return s.Images(AddImageFlags(flag.NewFlagSet("samples", flag.ContinueOnError), kinds...))
}
