{{/*
config.toml, built as data: runners.config (after tpl) is parsed, the
chart's keys are set in its one [[runners]] entry, the global settings
come from the values, and the result is written back as TOML. Nothing is
spliced as text, so no value can break the file's syntax, and the runner's
loader (config.Load) checks the result at start as it checks any file;
test/helm loads every golden config.toml with it.
*/}}
{{- define "kuberunner.configToml" -}}
{{- include "kuberunner.checkValues" . -}}
{{- $r := include "kuberunner.runnerEntry" . | fromToml -}}
{{- $cfg := dict "concurrent" (int64 .Values.concurrent) "check_interval" (int64 .Values.checkInterval) "log_level" .Values.logLevel -}}
{{- with .Values.logFormat }}{{ $_ := set $cfg "log_format" . }}{{ end -}}
{{- if .Values.metrics.enabled }}{{ $_ := set $cfg "listen_address" (printf ":%d" (int .Values.metrics.port)) }}{{ end -}}
{{- $_ := set $cfg "runners" (list $r) -}}
# Rendered by the kuberunner Helm chart from its values: change the values,
# not this file.
{{ toToml $cfg }}
{{- end -}}

{{/* The parsed document of runners.config, failing on what cannot be one entry. */}}
{{- define "kuberunner.runnersDoc" -}}
{{- $doc := tpl .Values.runners.config . | fromToml -}}
{{- with $doc.Error -}}
{{- /* The parser's message may quote the file; only its position is shown. */ -}}
{{- fail (printf "runners.config is not valid TOML (%s): check its syntax" (regexFind "line [0-9]+" . | default "position unknown")) -}}
{{- end -}}
{{- if not (kindIs "slice" $doc.runners) -}}
{{- fail "runners.config holds no [[runners]] entry: it must hold exactly one, as in GitLab Runner's chart" -}}
{{- end -}}
{{- if ne (len $doc.runners) 1 -}}
{{- fail (printf "runners.config holds %d [[runners]] entries: it must hold exactly one (install the chart once per runner)" (len $doc.runners)) -}}
{{- end -}}
{{- toToml $doc -}}
{{- end -}}

{{/* The one [[runners]] entry with the chart's keys set, as TOML. */}}
{{- define "kuberunner.runnerEntry" -}}
{{- $doc := include "kuberunner.runnersDoc" . | fromToml -}}
{{- $r := index $doc.runners 0 -}}
{{- range list "token" "token_file" -}}
{{- if hasKey $r . -}}
{{- fail (printf "runners.config sets %s: the token comes from runnerToken or the Secret named by runners.secret, so that config.toml holds none" .) -}}
{{- end -}}
{{- end -}}
{{- $exec := get $r "executor" | default "kubernetes" -}}
{{- if ne $exec "kubernetes" -}}
{{- fail (printf "runners.config sets executor = %q: kuberunner has the kubernetes executor only" $exec) -}}
{{- end -}}
{{- $_ := set $r "executor" "kubernetes" -}}
{{- $_ := set $r "url" .Values.gitlabUrl -}}
{{- /* A path relative to config.toml's directory, where the Secret's key appears. */ -}}
{{- $_ := set $r "token_file" "runner-token" -}}
{{- if .Values.runners.name -}}
{{- $_ := set $r "name" .Values.runners.name -}}
{{- else if not (get $r "name") -}}
{{- $_ := set $r "name" (include "kuberunner.fullname" .) -}}
{{- end -}}
{{- if and .Values.runners.cloneUrl (not (hasKey $r "clone_url")) -}}
{{- $_ := set $r "clone_url" .Values.runners.cloneUrl -}}
{{- end -}}
{{- if and .Values.certsSecretName (not (hasKey $r "tls-ca-file")) -}}
{{- $_ := set $r "tls-ca-file" (printf "%s.crt" (urlParse .Values.gitlabUrl).hostname) -}}
{{- end -}}
{{- $k := get $r "kubernetes" | default dict -}}
{{- if not (kindIs "map" $k) -}}
{{- fail "runners.config: kubernetes must be a table ([runners.kubernetes])" -}}
{{- end -}}
{{- if not (get $k "namespace") -}}
{{- $_ := set $k "namespace" .Release.Namespace -}}
{{- end -}}
{{- $_ := set $r "kubernetes" $k -}}
{{- toToml $r -}}
{{- end -}}

{{/* The namespace the jobs run in, where the Role grants its rights. */}}
{{- define "kuberunner.jobNamespace" -}}
{{- (include "kuberunner.runnerEntry" . | fromToml).kubernetes.namespace -}}
{{- end -}}

{{/*
The system ID kept in config.toml's directory (.runner_system_id): the
value systemId, else the one this release already has (read back from its
own Secret), else a new one. It is not a secret; it is kept in the config
Secret only to have one object less.
*/}}
{{- define "kuberunner.systemId" -}}
{{- if .Values.systemId -}}
{{- .Values.systemId -}}
{{- else -}}
{{- $old := lookup "v1" "Secret" .Release.Namespace (include "kuberunner.fullname" .) -}}
{{- $kept := "" -}}
{{- if $old -}}{{- $kept = index ($old.data | default dict) ".runner_system_id" | default "" | b64dec | trim -}}{{- end -}}
{{- if regexMatch "^s_[0-9a-f]{12}$" $kept -}}
{{- $kept -}}
{{- else -}}
{{- printf "s_%s" (randAlphaNum 32 | sha256sum | trunc 12) -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* What the values must hold; each failure names the key and what to do. */}}
{{- define "kuberunner.checkValues" -}}
{{- if .Values.runnerRegistrationToken -}}
{{- fail "runnerRegistrationToken: registration tokens (the legacy flow) are not supported; create the runner in GitLab (a project's, group's or the instance's CI/CD settings, Runners, New runner) and set its authentication token (glrt-...) as runnerToken or in the Secret named by runners.secret" -}}
{{- end -}}
{{- if not (regexMatch "^https?://[^/]+" .Values.gitlabUrl) -}}
{{- fail "gitlabUrl: set GitLab's URL, http:// or https:// with a host, e.g. https://gitlab.example.com" -}}
{{- end -}}
{{- if and .Values.runnerToken .Values.runners.secret -}}
{{- fail "runnerToken and runners.secret are both set: set one (runners.secret keeps the token out of the values)" -}}
{{- end -}}
{{- if not (or .Values.runnerToken .Values.runners.secret) -}}
{{- fail "runnerToken or runners.secret: set the runner's authentication token (glrt-...), or name an existing Secret whose key runner-token holds it" -}}
{{- end -}}
{{- if and .Values.systemId (not (regexMatch "^s_[0-9a-f]{12}$" .Values.systemId)) -}}
{{- fail (printf "systemId: %q is not a system ID; allowed: s_ and 12 lowercase hex digits, or empty to make one" .Values.systemId) -}}
{{- end -}}
{{- $m := .Values.metrics -}}
{{- if and (or $m.serviceMonitor.enabled $m.podMonitor.enabled) (not $m.enabled) -}}
{{- fail "metrics.serviceMonitor.enabled / metrics.podMonitor.enabled need metrics.enabled: the runner serves no metrics without it" -}}
{{- end -}}
{{- if and $m.serviceMonitor.enabled (not .Values.service.enabled) -}}
{{- fail "metrics.serviceMonitor.enabled needs service.enabled: a ServiceMonitor selects a Service (or use metrics.podMonitor)" -}}
{{- end -}}
{{- end -}}
