//go:build tools

// Package helmbin only pins the command we build; nothing imports it.
package helmbin

import (
	_ "helm.sh/helm/v3/cmd/helm"
)
