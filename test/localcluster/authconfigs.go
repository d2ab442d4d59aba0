package localcluster

import "fmt"

// distributionConfig is a config.yml for Debian's docker-registry
// (distribution 2.8) serving dataDir at addr, with deletes enabled so tests
// can remove a manifest, and auth (a YAML `auth:` section, or "" for none).
func distributionConfig(name, dataDir, addr, auth string) string {
	return fmt.Sprintf(`version: 0.1
log:
  accesslog:
    disabled: true
  fields:
    service: %s
storage:
  filesystem:
    rootdirectory: %q
  delete:
    enabled: true
  cache:
    blobdescriptor: inmemory
http:
  addr: %s
%s`, name, dataDir, addr, auth)
}

// htpasswdAuth is distribution's basic auth: bcrypt entries only.
func htpasswdAuth(htpasswdPath string) string {
	return fmt.Sprintf(`auth:
  htpasswd:
    realm: kuberunner-basic
    path: %q
`, htpasswdPath)
}

// tokenAuth is distribution's token auth: clients fetch a token at realm;
// the registry accepts those issued by issuer for service and signed by a
// key whose certificate chains to rootCert.
func tokenAuth(realm, service, issuer, rootCert string) string {
	return fmt.Sprintf(`auth:
  token:
    realm: %q
    service: %q
    issuer: %q
    rootcertbundle: %q
`, realm, service, issuer, rootCert)
}

// authRegistryConfigs are the two authenticated registries' config files,
// relative to the cluster dir, for writeConfigs.
func (c *Cluster) authRegistryConfigs() map[string]string {
	return map[string]string{
		"authregistry/basic/config.yml": distributionConfig(basicRegistryName, c.authFile("basic", "data"),
			BasicAuthRegistryHost, htpasswdAuth(c.authFile("htpasswd"))),
		"authregistry/token/config.yml": distributionConfig(tokenRegistryName, c.authFile("token", "data"),
			tokenRegistryBackend, tokenAuth(tokenRealm, tokenService, tokenIssuer, c.authFile("token.crt"))),
	}
}
