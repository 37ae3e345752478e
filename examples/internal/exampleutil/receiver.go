package exampleutil

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/smileidentity/smile-identity-core-go/smileid"
)

// CallbackPath is the path the callback receiver serves.
const CallbackPath = "/smileid/callback"

// Receiver is an HTTP server receiving Smile ID's callbacks with the session client's
// CallbackHandler, which checks each one's signature and then confirms it with Smile ID
// (the job's signed status from the API) before handing it over.
type Receiver struct {
	// Addr is the address it listens on ("127.0.0.1:41234").
	Addr string
	// URL is its callback URL over plain HTTP ("http://127.0.0.1:41234/smileid/callback"),
	// which the SDK allows for loopback hosts only: Smile ID's servers need an https URL
	// that reaches it.
	URL string

	srv       *http.Server
	callbacks chan *smileid.ConfirmedCallback
}

// StartReceiver listens on addr ("127.0.0.1:0" for a free loopback port) and serves
// callbacks at CallbackPath until the session is closed. Confirmed callbacks are queued
// for Next; forged ones are answered 401 (bad signature) or 409 (Smile ID does not confirm
// them) and never queued.
func (s *Session) StartReceiver(addr string) (*Receiver, error) {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("callback receiver: %w", err)
	}
	r := &Receiver{Addr: l.Addr().String(), callbacks: make(chan *smileid.ConfirmedCallback, 64)}
	r.URL = "http://" + r.Addr + CallbackPath
	mux := http.NewServeMux()
	mux.Handle(CallbackPath, s.Client.CallbackHandler(func(_ context.Context, cb *smileid.ConfirmedCallback) error {
		select {
		case r.callbacks <- cb:
			return nil
		default: // answering 500 makes Smile ID send it again later
			return errors.New("too many callbacks waiting")
		}
	}))
	r.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = r.srv.Serve(l) }()
	s.receivers = append(s.receivers, r)
	return r, nil
}

// Next returns the next confirmed callback, waiting for it until ctx is done.
func (r *Receiver) Next(ctx context.Context) (*smileid.ConfirmedCallback, error) {
	select {
	case cb := <-r.callbacks:
		return cb, nil
	case <-ctx.Done():
		return nil, fmt.Errorf("waiting for a callback: %w", ctx.Err())
	}
}

func (r *Receiver) close() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = r.srv.Shutdown(ctx)
}

// WaitForJob waits up to timeout for the next confirmed callback and checks that it is
// for jobID.
func (r *Receiver) WaitForJob(ctx context.Context, jobID string, timeout time.Duration) (*smileid.ConfirmedCallback, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	cb, err := r.Next(ctx)
	if err != nil {
		return nil, err
	}
	if cb.JobID != jobID {
		return nil, fmt.Errorf("received a confirmed callback for another job: %q", cb.JobID)
	}
	return cb, nil
}
