// Command smileid is a command-line client of Smile ID's v1 KYC API, built on package
// smileid: it signs and verifies signatures, submits jobs described in JSON files, gets
// and waits for job status, screens people (AML), verifies addresses, lists the services,
// issues web tokens, verifies callbacks and serves the SDK's fake Smile ID server for
// offline tests. See README.md.
//
// Credentials come from SMILEID_PARTNER_ID and SMILEID_API_KEY only; the server from
// --server or SMILEID_SERVER. Exit status: 0 success, 1 API or job failure, 2 bad usage or
// bad input.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/smileidentity/smile-identity-core-go/smileid"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.Getenv)
	stop()
	os.Exit(code)
}

// Exit statuses.
const (
	exitOK      = 0
	exitFailure = 1 // the API refused or failed, the job failed, a signature did not match
	exitUsage   = 2 // bad usage or bad input: nothing was sent
)

// env is what a command runs with.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string
	server         string // the global --server flag
}

type command struct {
	name    string
	summary string
	run     func(ctx context.Context, e *env, args []string) error
}

func commands() []command {
	return []command{
		{"sign", "print a fresh (or the given) timestamp and its signature", cmdSign},
		{"verify-signature", "check a signature over a timestamp (exit 1 when it does not match)", cmdVerifySignature},
		{"submit", "submit a job described in a JSON file and print the result", cmdSubmit},
		{"aml", "screen a person against sanctions, PEP and adverse-media lists (AML, job type 10)", cmdAML},
		{"address", "submit an address verification (NG, ZA; job type 12): the result goes to the callback", cmdAddress},
		{"status", "print a job's status", cmdStatus},
		{"wait", "poll a job's status until it is complete and print it", cmdWait},
		{"services", "print the services document (countries, ID types, bank codes)", cmdServices},
		{"token", "print a web token for the hosted web integration", cmdToken},
		{"verify-callback", "verify a callback body read from stdin and print its result", cmdVerifyCallback},
		{"fake", "serve the fake Smile ID server until interrupted", cmdFake},
	}
}

// run runs the command line args (without the program name) and returns the exit status.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) int {
	// Nothing printed on stderr can drive the terminal, whatever a server sent.
	stderr = controlStripper{stderr}
	e := &env{stdin: stdin, stdout: stdout, stderr: stderr, getenv: getenv}
	global := flag.NewFlagSet("smileid", flag.ContinueOnError)
	global.SetOutput(io.Discard)
	global.StringVar(&e.server, "server", "", "`server`: sandbox (default), production, fake, or a base URL ending in /v1 (env SMILEID_SERVER)")
	global.Usage = func() {}
	if err := global.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			usage(stderr, global)
			return exitOK
		}
		fmt.Fprintf(stderr, "smileid: %s (run smileid help)\n", oneLine(err))
		return exitUsage
	}
	rest := global.Args()
	if len(rest) == 0 {
		usage(stderr, global)
		fmt.Fprintln(stderr, "smileid: missing command")
		return exitUsage
	}
	name := rest[0]
	if name == "help" {
		usage(stderr, global)
		return exitOK
	}
	for _, c := range commands() {
		if c.name == name {
			return report(e, name, c.run(ctx, e, rest[1:]))
		}
	}
	fmt.Fprintf(stderr, "smileid: unknown command %q (run smileid help)\n", name)
	return exitUsage
}

func usage(w io.Writer, global *flag.FlagSet) {
	fmt.Fprintln(w, "Usage: smileid [--server S] <command> [flags]")
	fmt.Fprintln(w, "\nCommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-17s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nGlobal flags:")
	global.SetOutput(w)
	global.PrintDefaults()
	global.SetOutput(io.Discard)
	fmt.Fprintln(w, "\nCredentials: SMILEID_PARTNER_ID and SMILEID_API_KEY. Custom CAs: SSL_CERT_FILE.")
	fmt.Fprintln(w, "Exit status: 0 success, 1 API or job failure, 2 bad usage or bad input.")
	fmt.Fprintln(w, "Run smileid <command> -h for a command's flags.")
}

// exitError carries an exit status and a one-line reason.
type exitError struct {
	code int
	msg  string
}

func (e *exitError) Error() string { return e.msg }

// usageError is bad usage or bad input: exit status 2.
func usageError(format string, args ...any) error {
	return &exitError{code: exitUsage, msg: fmt.Sprintf(format, args...)}
}

// failure is an API or job failure: exit status 1.
func failure(format string, args ...any) error {
	return &exitError{code: exitFailure, msg: fmt.Sprintf(format, args...)}
}

// errHelp is returned by a command whose -h was asked for.
var errHelp = errors.New("help requested")

// exitCode maps an error to the exit status.
func exitCode(err error) int {
	var ee *exitError
	var ve *smileid.ValidationError
	switch {
	case err == nil, errors.Is(err, errHelp):
		return exitOK
	case errors.As(err, &ee):
		return ee.code
	case errors.As(err, &ve):
		return exitUsage
	}
	return exitFailure
}

// report writes the one-line reason of a failed command to stderr and returns the exit
// status.
func report(e *env, name string, err error) int {
	code := exitCode(err)
	if err == nil || errors.Is(err, errHelp) {
		return code
	}
	fmt.Fprintf(e.stderr, "smileid %s: %s\n", name, e.scrub(oneLine(err)))
	return code
}

// oneLine returns an error's text on one line, without the SDK's "smileid: " prefixes.
func oneLine(err error) string {
	s := strings.Join(strings.Fields(err.Error()), " ")
	return strings.ReplaceAll(s, "smileid: ", "")
}

// scrub removes the API key from text bound for stderr: the SDK never puts it in errors,
// and this makes sure of it.
func (e *env) scrub(s string) string {
	if key := strings.TrimSpace(e.getenv("SMILEID_API_KEY")); len(key) >= 4 {
		s = strings.ReplaceAll(s, key, "[REDACTED]")
	}
	return s
}

// flagSet is a command's flags. The flag package prints nothing itself: parse reports
// errors in one line and prints the help for -h.
type flagSet struct {
	*flag.FlagSet
	synopsis string
	stderr   io.Writer
}

func newFlagSet(e *env, name, synopsis string) *flagSet {
	fs := flag.NewFlagSet("smileid "+name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	return &flagSet{FlagSet: fs, synopsis: synopsis, stderr: e.stderr}
}

// parse parses a command's flags; it refuses positional arguments.
func (fs *flagSet) parse(args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprintf(fs.stderr, "Usage: %s %s\n\nFlags:\n", fs.Name(), fs.synopsis)
			fs.SetOutput(fs.stderr)
			fs.PrintDefaults()
			fs.SetOutput(io.Discard)
			return errHelp
		}
		return usageError("%s (see %s -h)", oneLine(err), fs.Name())
	}
	if fs.NArg() > 0 {
		return usageError("unexpected argument %q (flags go before arguments; see %s -h)", fs.Arg(0), fs.Name())
	}
	return nil
}

// required checks that flags were given non-empty values.
func required(fs *flagSet, names ...string) error {
	var missing []string
	for _, n := range names {
		if f := fs.Lookup(n); f == nil || strings.TrimSpace(f.Value.String()) == "" {
			missing = append(missing, "--"+n)
		}
	}
	if len(missing) > 0 {
		return usageError("missing %s", strings.Join(missing, ", "))
	}
	return nil
}
