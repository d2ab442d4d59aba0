package helm

import (
	"fmt"
	"strings"

	"sigs.k8s.io/yaml"
)

// Object is one document of helm template's output: its kind and name,
// and the document itself for a typed decode.
type Object struct {
	Kind, Name, Namespace string
	Labels                map[string]string
	Doc                   []byte
}

// Objects splits a multi-document manifest into its objects, skipping
// empty documents.
func Objects(manifest string) ([]Object, error) {
	var out []Object
	for _, doc := range strings.Split(manifest, "\n---") {
		var head struct {
			Kind     string `json:"kind"`
			Metadata struct {
				Name      string            `json:"name"`
				Namespace string            `json:"namespace"`
				Labels    map[string]string `json:"labels"`
			} `json:"metadata"`
		}
		if err := yaml.Unmarshal([]byte(doc), &head); err != nil {
			return nil, fmt.Errorf("a document of the manifest: %w", err)
		}
		if head.Kind == "" {
			continue
		}
		out = append(out, Object{Kind: head.Kind, Name: head.Metadata.Name, Namespace: head.Metadata.Namespace, Labels: head.Metadata.Labels, Doc: []byte(doc)})
	}
	return out, nil
}

// Decode decodes the one object of kind (and name, if not "") into obj,
// strictly: a field the API does not have is an error, so a misspelt key
// in a template fails here rather than being dropped by the API server.
func Decode(objs []Object, kind, name string, obj any) error {
	var found []Object
	for _, o := range objs {
		if o.Kind == kind && (name == "" || o.Name == name) {
			found = append(found, o)
		}
	}
	if len(found) != 1 {
		return fmt.Errorf("want one %s %q in the manifest, found %d", kind, name, len(found))
	}
	return yaml.UnmarshalStrict(found[0].Doc, obj)
}
