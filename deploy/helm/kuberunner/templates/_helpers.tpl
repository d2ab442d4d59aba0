{{/*
Names. The full name is the release's, with the chart's name appended
unless the release's name already holds it, cut to a DNS label.
*/}}
{{- define "kuberunner.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "kuberunner.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "kuberunner.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- required "serviceAccount.name: set the existing service account to run as when serviceAccount.create is false" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* The Secret whose key runner-token holds the token. */}}
{{- define "kuberunner.tokenSecretName" -}}
{{- default (printf "%s-token" (include "kuberunner.fullname" .)) .Values.runners.secret -}}
{{- end -}}

{{/*
Selector labels: the runner pod only. Job pods carry
app.kubernetes.io/managed-by=kuberunner and none of these, so the
Deployment never adopts one; no object of the chart carries that label
(the runner's start-up sweep deletes what does).
*/}}
{{- define "kuberunner.selectorLabels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: runner
{{- end -}}

{{- define "kuberunner.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{- define "kuberunner.image" -}}
{{- $i := .Values.image -}}
{{- if $i.registry -}}
{{- printf "%s/%s:%s" $i.registry $i.image $i.tag -}}
{{- else -}}
{{- printf "%s:%s" $i.image $i.tag -}}
{{- end -}}
{{- end -}}

{{/* Where the runner reads its files: one read-only projected volume. */}}
{{- define "kuberunner.configDir" -}}/etc/kuberunner{{- end -}}
