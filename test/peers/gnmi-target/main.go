// gnmi-target: a gNMI target for the evpn-lens tests, built on openconfig/gnmi's own cache and subscribe packages
// (reference ONCE, POLL and STREAM semantics, updates_only, deletes, sync_response and coalescing).
//
// It listens on --listen (plaintext, TLS with --cert/--key, mTLS with --client-ca as well), optionally checks the
// per-RPC metadata "username"/"password", and feeds the cache from a script: JSON lines from --script, then from stdin.
// A line is one command:
//
//	{"update": <gnmi.Notification in protobuf JSON>}  (prefix.target defaults to --targets' first; timestamp 0 = now)
//	{"sync": "leaf11"}                                 (the target's initial state is complete: sync_response)
//	{"sleepMs": 100}
//
// With --unimplemented (comma-separated paths such as /System/eps-items), a Subscribe whose subscription list names a
// path at or below one of them is answered UNIMPLEMENTED (gNMI spec §3.5.2.4: a path the target does not support), as
// a device does for a model it lacks or deviates.
//
// It prints "LISTENING host:port" once serving, and "DONE n" after the n-th stdin line was applied.
package main

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"flag"
	"fmt"
	"net"
	"os"
	"strings"
	"time"

	"github.com/openconfig/gnmi/cache"
	pb "github.com/openconfig/gnmi/proto/gnmi"
	"github.com/openconfig/gnmi/subscribe"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/encoding/protojson"
)

type command struct {
	Update  json.RawMessage `json:"update"`
	Sync    string          `json:"sync"`
	SleepMs int             `json:"sleepMs"`
}

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "gnmi-target: "+format+"\n", args...)
	os.Exit(1)
}

func main() {
	listen := flag.String("listen", "127.0.0.1:0", "address to listen on")
	targets := flag.String("targets", "target1", "comma-separated target names served")
	script := flag.String("script", "", "file of JSON-line commands applied at start")
	certFile := flag.String("cert", "", "server certificate (PEM): TLS")
	keyFile := flag.String("key", "", "server key (PEM)")
	clientCA := flag.String("client-ca", "", "CA (PEM) client certificates must chain to: mTLS")
	username := flag.String("username", "", "required per-RPC metadata username")
	password := flag.String("password", "", "required per-RPC metadata password")
	unimplemented := flag.String("unimplemented", "", "comma-separated paths (element names) answered UNIMPLEMENTED")
	flag.Parse()

	names := strings.Split(*targets, ",")
	c := cache.New(names)
	srv, err := subscribe.NewServer(c)
	if err != nil {
		fail("subscribe server: %v", err)
	}
	c.SetClient(srv.Update)

	var opts []grpc.ServerOption
	if *certFile != "" {
		cert, err := tls.LoadX509KeyPair(*certFile, *keyFile)
		if err != nil {
			fail("server key pair: %v", err)
		}
		cfg := &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
		if *clientCA != "" {
			pem, err := os.ReadFile(*clientCA)
			if err != nil {
				fail("client CA: %v", err)
			}
			pool := x509.NewCertPool()
			if !pool.AppendCertsFromPEM(pem) {
				fail("client CA: no certificate in %s", *clientCA)
			}
			cfg.ClientCAs = pool
			cfg.ClientAuth = tls.RequireAndVerifyClientCert
		}
		opts = append(opts, grpc.Creds(credentials.NewTLS(cfg)))
	}
	if *username != "" || *password != "" {
		opts = append(opts, grpc.StreamInterceptor(func(s any, ss grpc.ServerStream, _ *grpc.StreamServerInfo, h grpc.StreamHandler) error {
			if err := checkCredentials(ss.Context(), *username, *password); err != nil {
				return err
			}
			return h(s, ss)
		}))
	}
	// Default keepalive enforcement (MinTime 5 min, no pings without streams), as a production grpc-go target.
	g := grpc.NewServer(opts...)
	var refused []string
	for _, p := range strings.Split(*unimplemented, ",") {
		if p = strings.TrimRight(strings.TrimSpace(p), "/"); p != "" {
			refused = append(refused, p)
		}
	}
	pb.RegisterGNMIServer(g, &server{Server: srv, unimplemented: refused})

	lis, err := net.Listen("tcp", *listen)
	if err != nil {
		fail("listen: %v", err)
	}
	go func() {
		if err := g.Serve(lis); err != nil {
			fail("serve: %v", err)
		}
	}()

	apply := func(line string) {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			return
		}
		var cmd command
		if err := json.Unmarshal([]byte(line), &cmd); err != nil {
			fail("bad command %q: %v", line, err)
		}
		switch {
		case cmd.Update != nil:
			n := &pb.Notification{}
			if err := protojson.Unmarshal(cmd.Update, n); err != nil {
				fail("bad notification %s: %v", cmd.Update, err)
			}
			if n.Prefix == nil {
				n.Prefix = &pb.Path{}
			}
			if n.Prefix.Target == "" {
				n.Prefix.Target = names[0]
			}
			if n.Timestamp == 0 {
				n.Timestamp = time.Now().UnixNano()
			}
			if err := c.GnmiUpdate(n); err != nil {
				fmt.Fprintf(os.Stderr, "gnmi-target: update refused: %v\n", err)
			}
		case cmd.Sync != "":
			c.Sync(cmd.Sync)
		case cmd.SleepMs > 0:
			time.Sleep(time.Duration(cmd.SleepMs) * time.Millisecond)
		default:
			fail("unknown command %q", line)
		}
	}

	if *script != "" {
		f, err := os.Open(*script)
		if err != nil {
			fail("script: %v", err)
		}
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 1<<20), 16<<20)
		for sc.Scan() {
			apply(sc.Text())
		}
		f.Close()
	}
	fmt.Printf("LISTENING %s\n", lis.Addr().String())

	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 16<<20)
	n := 0
	for in.Scan() {
		apply(in.Text())
		n++
		fmt.Printf("DONE %d\n", n)
	}
	// stdin closed: the test is gone; stop.
	g.Stop()
}

// server serves Subscribe from the cache; the other RPCs are left unimplemented, as on targets that lack them.
type server struct {
	pb.UnimplementedGNMIServer
	*subscribe.Server
	unimplemented []string
}

func (s *server) Subscribe(stream pb.GNMI_SubscribeServer) error {
	if len(s.unimplemented) == 0 {
		return s.Server.Subscribe(stream)
	}
	first, err := stream.Recv()
	if err != nil {
		return err
	}
	for _, sub := range first.GetSubscribe().GetSubscription() {
		p := elemPath(first.GetSubscribe().GetPrefix()) + elemPath(sub.GetPath())
		for _, u := range s.unimplemented {
			if p == u || strings.HasPrefix(p, u+"/") {
				return status.Errorf(codes.Unimplemented, "path %s is not supported", p)
			}
		}
	}
	return s.Server.Subscribe(&replayed{GNMI_SubscribeServer: stream, first: first})
}

// elemPath is a path's element names as "/a/b" (keys and origin left out).
func elemPath(p *pb.Path) string {
	var b strings.Builder
	for _, e := range p.GetElem() {
		b.WriteString("/")
		b.WriteString(e.GetName())
	}
	return b.String()
}

// replayed hands the subscribe server the request already read, then the stream's own.
type replayed struct {
	pb.GNMI_SubscribeServer
	first *pb.SubscribeRequest
}

func (r *replayed) Recv() (*pb.SubscribeRequest, error) {
	if f := r.first; f != nil {
		r.first = nil
		return f, nil
	}
	return r.GNMI_SubscribeServer.Recv()
}

func checkCredentials(ctx context.Context, user, pass string) error {
	md, _ := metadata.FromIncomingContext(ctx)
	if first(md.Get("username")) != user || first(md.Get("password")) != pass {
		return status.Error(codes.Unauthenticated, "bad username or password")
	}
	return nil
}

func first(v []string) string {
	if len(v) == 0 {
		return ""
	}
	return v[0]
}
