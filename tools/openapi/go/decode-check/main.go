// Decodes JSON samples of the API's responses into the Go types generated from docs/openapi.yaml,
// with DisallowUnknownFields: a field the server sends but the document does not declare, a value
// of the wrong JSON type, an enum value the document does not list or a malformed date-time fails.
//
// Usage: go run . <dir>   (with the generated types.go beside this file)
// <dir> holds files named <ComponentName>.<anything>.json, one JSON value each.
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

func decodeStrict(data []byte, target interface{}) error {
	decoder := json.NewDecoder(bytes.NewReader(data))
	decoder.DisallowUnknownFields()
	if err := decoder.Decode(target); err != nil {
		return err
	}
	if _, err := decoder.Token(); err != io.EOF {
		return fmt.Errorf("trailing data after the JSON value")
	}
	return nil
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: go run . <samples-dir>")
		os.Exit(2)
	}
	files, err := filepath.Glob(filepath.Join(os.Args[1], "*.json"))
	if err != nil || len(files) == 0 {
		fmt.Fprintf(os.Stderr, "no samples in %s\n", os.Args[1])
		os.Exit(2)
	}
	sort.Strings(files)
	failed := 0
	schemas := map[string]int{}
	for _, file := range files {
		base := filepath.Base(file)
		schema := strings.SplitN(base, ".", 2)[0]
		constructor, known := Types[schema]
		if !known {
			fmt.Printf("FAIL %s: no Go type for component %s\n", base, schema)
			failed++
			continue
		}
		data, err := os.ReadFile(file)
		if err != nil {
			fmt.Printf("FAIL %s: %v\n", base, err)
			failed++
			continue
		}
		if err := decodeStrict(data, constructor()); err != nil {
			fmt.Printf("FAIL %s: %v\n", base, err)
			failed++
			continue
		}
		schemas[schema]++
	}
	fmt.Printf("decoded %d of %d samples into %d Go types\n", len(files)-failed, len(files), len(schemas))
	if failed > 0 {
		os.Exit(1)
	}
}
