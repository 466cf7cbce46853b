//go:build tools

// Keeps the dependencies of openconfig/gnmi's fake_server (testing/fake/gnmi/cmd/fake_server, built from this module
// by the test-peer step) in go.mod and go.sum.
package main

import (
	_ "github.com/openconfig/gnmi/testing/fake/gnmi"
	_ "github.com/openconfig/gnmi/testing/fake/proto"
)
