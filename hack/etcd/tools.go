//go:build tools

// Package etcdbin only pins the command we build; nothing imports it.
package etcdbin

import (
	_ "go.etcd.io/etcd/server/v3"
)
