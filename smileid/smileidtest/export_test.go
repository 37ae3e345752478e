package smileidtest

// PanicJobID is a job ID whose job status makes the fake panic while it holds its lock,
// to test that a failing handler is reported and leaves nothing locked. It is set only in
// this package's tests.
const PanicJobID = "smileidtest-panic-on-purpose"

func init() { testPanicJobID = PanicJobID }
