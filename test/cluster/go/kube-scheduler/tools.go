//go:build tools

// Package tools pins the program this module builds: go build k8s.io/kubernetes/cmd/kube-scheduler.
package tools

import _ "k8s.io/kubernetes/cmd/kube-scheduler"
