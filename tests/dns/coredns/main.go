// A CoreDNS with only the plugins the Corefile libipam renders uses
// (bind, errors, file), so the test suite can check the Corefile and the zone
// files with CoreDNS itself. Built once per version by build.sh.
package main

import (
	"github.com/coredns/coredns/core/dnsserver"
	"github.com/coredns/coredns/coremain"

	_ "github.com/coredns/coredns/plugin/bind"
	_ "github.com/coredns/coredns/plugin/errors"
	_ "github.com/coredns/coredns/plugin/file"
)

func init() {
	// the order plugins run in, as CoreDNS's plugin.cfg has them
	dnsserver.Directives = []string{"bind", "errors", "file"}
}

func main() {
	coremain.Run()
}
