//go:build tools

// Package k8sbins only pins the commands we build; nothing imports it.
package k8sbins

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kubectl"
)
