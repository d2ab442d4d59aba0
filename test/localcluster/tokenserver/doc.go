// Package tokenserver is the local cluster's registry token service: what
// GitLab's /jwt/auth is to GitLab's container registry. A registry set up
// with distribution's `auth: token` sends its clients here; they present
// HTTP basic credentials (GET) or an OAuth2 password grant (POST) and get a
// JWT, signed with a key the harness made, that grants what they asked for
// on repositories. A client without credentials gets a token that grants
// nothing, so the registry then answers 401, as GitLab's does for a private
// project; wrong credentials get 401 here.
//
// The service also fronts the registry on one host:port, passing it every
// other request, because clients refuse a token realm on another loopback
// address than the registry's.
//
// It also renders and checks the htpasswd file (bcrypt) that the basic-auth
// registry and this service share. Package localcluster uses it to set the
// registries up; hack/localcluster/tokenserver runs the service as a
// process of the cluster.
package tokenserver
