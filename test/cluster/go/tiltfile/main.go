// FAKE Tilt for tests: evaluates a Tiltfile with go.starlark.net (the Starlark dialect Tilt is built
// on) and stand-ins for the Tilt builtins it calls, and prints every call as JSON. Tilt itself needs
// a cluster and Docker, which this machine does not have; the test checks what the Tiltfile asks
// for (resources, images, files, npm scripts) against the chart and the repository.
//
// Usage: tiltfile-check <Tiltfile>
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"go.starlark.net/starlark"
	"go.starlark.net/starlarkstruct"
	"go.starlark.net/syntax"
)

type call struct {
	Fn     string         `json:"fn"`
	Args   []any          `json:"args"`
	Kwargs map[string]any `json:"kwargs"`
}

var calls []call

func toGo(v starlark.Value) any {
	switch x := v.(type) {
	case starlark.NoneType:
		return nil
	case starlark.Bool:
		return bool(x)
	case starlark.Int:
		i, _ := x.Int64()
		return i
	case starlark.String:
		return string(x)
	case *starlark.List:
		out := []any{}
		for i := 0; i < x.Len(); i++ {
			out = append(out, toGo(x.Index(i)))
		}
		return out
	case starlark.Tuple:
		out := []any{}
		for _, e := range x {
			out = append(out, toGo(e))
		}
		return out
	case *starlark.Dict:
		out := map[string]any{}
		for _, k := range x.Keys() {
			val, _, _ := x.Get(k)
			out[fmt.Sprint(toGo(k))] = toGo(val)
		}
		return out
	case *starlarkstruct.Struct:
		out := map[string]any{}
		for _, name := range x.AttrNames() {
			val, _ := x.Attr(name)
			out[name] = toGo(val)
		}
		return out
	default:
		return v.String()
	}
}

// builtin records a call and returns a struct describing it (Tilt's steps and blobs are values).
func builtin(name string) *starlark.Builtin {
	return starlark.NewBuiltin(name, func(_ *starlark.Thread, fn *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
		c := call{Fn: name, Args: []any{}, Kwargs: map[string]any{}}
		for _, a := range args {
			c.Args = append(c.Args, toGo(a))
		}
		fields := starlark.StringDict{"fn": starlark.String(name)}
		for _, kv := range kwargs {
			key := string(kv[0].(starlark.String))
			c.Kwargs[key] = toGo(kv[1])
			fields[key] = kv[1]
		}
		for i, a := range args {
			fields[fmt.Sprintf("arg%d", i)] = a
		}
		calls = append(calls, c)
		return starlarkstruct.FromStringDict(starlarkstruct.Default, fields), nil
	})
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: tiltfile-check <Tiltfile>")
		os.Exit(2)
	}
	path := os.Args[1]
	src, err := os.ReadFile(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	// config.parse() returns the defaults: an empty dict, so cfg.get(key, default) gives the default.
	config := starlarkstruct.FromStringDict(starlarkstruct.Default, starlark.StringDict{
		"define_string":     builtin("config.define_string"),
		"define_bool":       builtin("config.define_bool"),
		"define_string_list": builtin("config.define_string_list"),
		"parse": starlark.NewBuiltin("config.parse", func(*starlark.Thread, *starlark.Builtin, starlark.Tuple, []starlark.Tuple) (starlark.Value, error) {
			return starlark.NewDict(0), nil
		}),
	})
	predeclared := starlark.StringDict{"config": config}
	for _, name := range []string{
		"allow_k8s_contexts", "local_resource", "docker_build", "custom_build", "k8s_yaml", "helm",
		"k8s_resource", "k8s_kind", "sync", "run", "fall_back_on", "restart_container", "local",
		"watch_file", "update_settings", "print", "fail", "read_file", "port_forward", "link",
	} {
		predeclared[name] = builtin(name)
	}
	// Tilt extensions (`load('ext://name', ...)`) are modules whose every symbol is recorded.
	extensions := map[string][]string{
		"ext://helm_resource":   {"helm_resource", "helm_repo"},
		"ext://restart_process": {"docker_build_with_restart", "custom_build_with_restart"},
		"ext://namespace":       {"namespace_create", "namespace_inject"},
	}
	thread := &starlark.Thread{
		Name: "tiltfile",
		Load: func(_ *starlark.Thread, module string) (starlark.StringDict, error) {
			symbols, ok := extensions[module]
			if !ok {
				return nil, fmt.Errorf("unknown extension %s (the fake knows %v)", module, extensions)
			}
			out := starlark.StringDict{}
			for _, s := range symbols {
				out[s] = builtin(s)
			}
			return out, nil
		},
	}
	if err := os.Chdir(filepath.Dir(path)); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	// The dialect options Tilt enables: top-level if/for, reassigned globals, sets, while, recursion.
	options := &syntax.FileOptions{Set: true, While: true, TopLevelControl: true, GlobalReassign: true, Recursion: true}
	if _, err := starlark.ExecFileOptions(options, thread, filepath.Base(path), src, predeclared); err != nil {
		if evalErr, ok := err.(*starlark.EvalError); ok {
			fmt.Fprintln(os.Stderr, evalErr.Backtrace())
		} else {
			fmt.Fprintln(os.Stderr, err)
		}
		os.Exit(1)
	}
	out, _ := json.MarshalIndent(calls, "", "  ")
	fmt.Println(string(out))
}
