// Command kstatus prints the kstatus of Kubernetes objects, computed by the real kstatus library
// (sigs.k8s.io/cli-utils/pkg/kstatus/status, the code behind Flux health checks, kpt and
// cli-utils' status poller), so tests can prove that GitOps tools read our status right.
//
// It needs no cluster: it reads what `kubectl get -o json` prints (a single object or a List,
// several documents in a row are fine) on stdin, and prints one line per object:
//
//	<namespace>/<name> <Status> <message>
//
// (just <name> for a cluster-scoped object), where Status is one of InProgress, Failed, Current,
// Terminating, NotFound, Unknown. With -o json it prints a JSON array instead, one element per
// object: apiVersion, kind, namespace, name, status, message and the conditions kstatus derived.
//
//	kubectl get pnl -n demo contoso-chat -o json | kstatus
//	kubectl get pnl -A -o json | kstatus -o json
//
// Exit status: 0 when every object was computed (whatever its status), 1 when the input is not
// JSON or kstatus could not compute an object, 2 on bad flags.
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/cli-utils/pkg/kstatus/status"
)

// version is set at build time (hack/control-plane.sh passes a hash of this module's sources)
// so the build script can tell a stale binary from a current one.
var version = "dev"

// result is one object's kstatus in -o json.
type result struct {
	APIVersion string             `json:"apiVersion"`
	Kind       string             `json:"kind"`
	Namespace  string             `json:"namespace,omitempty"`
	Name       string             `json:"name"`
	Status     string             `json:"status"`
	Message    string             `json:"message"`
	Conditions []status.Condition `json:"conditions"`
}

func main() {
	output := flag.String("o", "text", "output format: text (one line per object) or json")
	showVersion := flag.Bool("version", false, "print the version and exit")
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(),
			"usage: kubectl get ... -o json | kstatus [-o text|json]\n"+
				"prints <namespace>/<name> <Status> <message> for each object, Status computed by\n"+
				"sigs.k8s.io/cli-utils/pkg/kstatus/status\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	if *showVersion {
		fmt.Printf("kstatus %s\n", version)
		return
	}
	if flag.NArg() != 0 || (*output != "text" && *output != "json") {
		flag.Usage()
		os.Exit(2)
	}
	results, err := compute(os.Stdin)
	if err != nil {
		fmt.Fprintf(os.Stderr, "kstatus: %v\n", err)
		os.Exit(1)
	}
	if err := write(os.Stdout, *output, results); err != nil {
		fmt.Fprintf(os.Stderr, "kstatus: %v\n", err)
		os.Exit(1)
	}
}

// compute reads every JSON document in r and returns the kstatus of each object in it, in order.
func compute(r io.Reader) ([]result, error) {
	decoder := json.NewDecoder(r)
	decoder.UseNumber()
	results := []result{}
	for {
		var doc map[string]any
		err := decoder.Decode(&doc)
		if errors.Is(err, io.EOF) {
			return results, nil
		}
		if err != nil {
			return nil, fmt.Errorf("reading JSON from stdin: %w", err)
		}
		objects, err := flatten(&unstructured.Unstructured{Object: normalize(doc).(map[string]any)})
		if err != nil {
			return nil, err
		}
		for _, obj := range objects {
			res, err := status.Compute(obj)
			if err != nil {
				return nil, fmt.Errorf("%s %s: %w", obj.GetKind(), key(obj.GetNamespace(), obj.GetName()), err)
			}
			results = append(results, result{
				APIVersion: obj.GetAPIVersion(),
				Kind:       obj.GetKind(),
				Namespace:  obj.GetNamespace(),
				Name:       obj.GetName(),
				Status:     res.Status.String(),
				Message:    res.Message,
				Conditions: res.Conditions,
			})
		}
	}
}

// flatten returns the items of a List (kubectl's kind: List or a typed FooList), else the object.
func flatten(u *unstructured.Unstructured) ([]*unstructured.Unstructured, error) {
	if !u.IsList() {
		if u.GetKind() == "" {
			return nil, errors.New("a document without kind: not a Kubernetes object")
		}
		return []*unstructured.Unstructured{u}, nil
	}
	var objects []*unstructured.Unstructured
	err := u.EachListItem(func(item runtime.Object) error {
		obj, ok := item.(*unstructured.Unstructured)
		if !ok {
			return fmt.Errorf("list item of type %T", item)
		}
		nested, err := flatten(obj)
		if err != nil {
			return err
		}
		objects = append(objects, nested...)
		return nil
	})
	return objects, err
}

// normalize turns json.Number into int64 or float64, the types unstructured's accessors expect
// (a plain float64 decode would make metadata.generation unreadable to NestedInt64).
func normalize(v any) any {
	switch t := v.(type) {
	case map[string]any:
		for k, item := range t {
			t[k] = normalize(item)
		}
		return t
	case []any:
		for i, item := range t {
			t[i] = normalize(item)
		}
		return t
	case json.Number:
		if i, err := t.Int64(); err == nil {
			return i
		}
		f, _ := t.Float64()
		return f
	default:
		return v
	}
}

// key is <namespace>/<name>, or <name> for a cluster-scoped object.
func key(namespace, name string) string {
	if namespace == "" {
		return name
	}
	return namespace + "/" + name
}

func write(w io.Writer, format string, results []result) error {
	if format == "json" {
		encoder := json.NewEncoder(w)
		encoder.SetIndent("", "  ")
		return encoder.Encode(results)
	}
	for _, res := range results {
		// One line per object, whatever the message holds.
		message := strings.Join(strings.Fields(res.Message), " ")
		line := key(res.Namespace, res.Name) + " " + res.Status
		if message != "" {
			line += " " + message
		}
		if _, err := fmt.Fprintln(w, line); err != nil {
			return err
		}
	}
	return nil
}
