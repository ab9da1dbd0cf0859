{{/*
Names, labels, the image reference and the RBAC rules shared by the templates.
*/}}

{{/* app.kubernetes.io/name: "external-secrets" unless overridden (ESO's value). */}}
{{- define "eso.name" -}}
{{- default "external-secrets" .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Base name of every object: the release name unless overridden. Release
"external-secrets" gives ServiceAccount external-secrets/external-secrets. */}}
{{- define "eso.fullname" -}}
{{- default .Release.Name .Values.fullnameOverride | trunc 55 | trimSuffix "-" -}}
{{- end -}}

{{- define "eso.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "eso.commonLabels" -}}
helm.sh/chart: {{ include "eso.chart" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: {{ include "eso.name" . }}
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* Controller */}}
{{- define "eso.selectorLabels" -}}
app.kubernetes.io/name: {{ include "eso.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "eso.labels" -}}
{{ include "eso.selectorLabels" . }}
{{ include "eso.commonLabels" . }}
{{- end -}}

{{- define "eso.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "eso.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "eso.leaderElectionID" -}}
{{- default (printf "%s-controller" (include "eso.fullname" .)) .Values.leaderElectionID -}}
{{- end -}}

{{/* Webhook */}}
{{- define "eso.webhook.name" -}}
{{- printf "%s-webhook" (include "eso.name" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "eso.webhook.fullname" -}}
{{- printf "%s-webhook" (include "eso.fullname" .) -}}
{{- end -}}

{{- define "eso.webhook.selectorLabels" -}}
app.kubernetes.io/name: {{ include "eso.webhook.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "eso.webhook.labels" -}}
{{ include "eso.webhook.selectorLabels" . }}
{{ include "eso.commonLabels" . }}
external-secrets.io/component: webhook
{{- end -}}

{{- define "eso.webhook.serviceAccountName" -}}
{{- if .Values.webhook.serviceAccount.create -}}
{{- default (include "eso.webhook.fullname" .) .Values.webhook.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.webhook.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* The webhook Service, its serving-certificate Secret and the
ValidatingWebhookConfiguration all share one name. */}}
{{- define "eso.webhook.serviceName" -}}{{ include "eso.webhook.fullname" . }}{{- end -}}
{{- define "eso.webhook.secretName" -}}{{ include "eso.webhook.fullname" . }}{{- end -}}
{{- define "eso.webhook.configurationName" -}}{{ include "eso.webhook.fullname" . }}{{- end -}}

{{/* Image reference: repository@digest, else repository:tag (tag defaults to appVersion). */}}
{{- define "eso.image" -}}
{{- if .Values.image.digest -}}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest -}}
{{- else -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag | toString) -}}
{{- end -}}
{{- end -}}

{{/* A map without its "enabled" key, as YAML (security contexts). */}}
{{- define "eso.withoutEnabled" -}}
{{- toYaml (omit . "enabled") -}}
{{- end -}}

{{/* extraArgs: one "- --key=value" line each, or "- --key" for an empty value. Call with a map. */}}
{{- define "eso.extraArgs" -}}
{{- $lines := list -}}
{{- range $key, $value := . -}}
{{- if or (eq (toString $value) "") (eq (toString $value) "<nil>") -}}
{{- $lines = append $lines (printf "- %s" (printf "--%s" $key | quote)) -}}
{{- else -}}
{{- $lines = append $lines (printf "- %s" (printf "--%s=%v" $key $value | quote)) -}}
{{- end -}}
{{- end -}}
{{- join "\n" $lines -}}
{{- end -}}

{{/* Checks on value combinations that would give a broken or unsafe install. */}}
{{- define "eso.validate" -}}
{{- if and .Values.scopedRBAC (not .Values.scopedNamespace) -}}
{{- fail "scopedRBAC: true needs scopedNamespace: the namespace the controller may touch" -}}
{{- end -}}
{{- if and (gt (int .Values.replicaCount) 1) (not .Values.leaderElect) -}}
{{- fail "replicaCount > 1 needs leaderElect: true (two active controllers would fight over every Secret)" -}}
{{- end -}}
{{- if not (has .Values.webhook.failurePolicy (list "Fail" "Ignore")) -}}
{{- fail "webhook.failurePolicy must be Fail or Ignore" -}}
{{- end -}}
{{- end -}}

{{/* Whether each cluster-scoped reconciler runs (scopedRBAC turns them all off). */}}
{{- define "eso.clusterStore" -}}{{ and .Values.processClusterStore (not .Values.scopedRBAC) }}{{- end -}}
{{- define "eso.clusterExternalSecret" -}}{{ and .Values.processClusterExternalSecret (not .Values.scopedRBAC) }}{{- end -}}
{{- define "eso.clusterPushSecret" -}}{{ and .Values.processClusterPushSecret (not .Values.scopedRBAC) }}{{- end -}}

{{/*
RBAC rules of the controller for namespaced resources: the body of the ClusterRole in
cluster mode, of the Role in scopedNamespace in namespaced mode.
*/}}
{{- define "eso.rbac.namespacedRules" -}}
- apiGroups: ["external-secrets.io"]
  resources: ["secretstores", "externalsecrets", "pushsecrets"]
  verbs: ["get", "list", "watch", "update", "patch"]
- apiGroups: ["external-secrets.io"]
  resources:
    - "secretstores/status"
    - "secretstores/finalizers"
    - "externalsecrets/status"
    - "externalsecrets/finalizers"
    - "pushsecrets/status"
    - "pushsecrets/finalizers"
  verbs: ["get", "update", "patch"]
- apiGroups: ["generators.external-secrets.io"]
  resources: ["fakes", "passwords", "uuids"]
  verbs: ["get", "list", "watch"]
- apiGroups: ["generators.external-secrets.io"]
  resources: ["generatorstates"]
  verbs: ["get", "list", "watch", "create", "update", "patch", "delete", "deletecollection"]
- apiGroups: [""]
  resources: ["secrets"]
  verbs: ["get", "list", "watch", "create", "update", "patch", "delete"]
- apiGroups: [""]
  resources: ["configmaps", "serviceaccounts"]
  verbs: ["get", "list", "watch"]
- apiGroups: [""]
  resources: ["serviceaccounts/token"]
  verbs: ["create"]
- apiGroups: ["", "events.k8s.io"]
  resources: ["events"]
  verbs: ["create", "patch"]
{{- end -}}

{{/* RBAC rules only the cluster-wide mode has: cluster-scoped kinds and Namespaces. */}}
{{- define "eso.rbac.clusterRules" -}}
{{- $kinds := list -}}
{{- if eq (include "eso.clusterStore" .) "true" }}{{ $kinds = append $kinds "clustersecretstores" }}{{ end -}}
{{- if eq (include "eso.clusterExternalSecret" .) "true" }}{{ $kinds = append $kinds "clusterexternalsecrets" }}{{ end -}}
{{- if eq (include "eso.clusterPushSecret" .) "true" }}{{ $kinds = append $kinds "clusterpushsecrets" }}{{ end -}}
{{- if $kinds }}
- apiGroups: ["external-secrets.io"]
  resources: {{ toJson $kinds }}
  verbs: ["get", "list", "watch", "update", "patch"]
- apiGroups: ["external-secrets.io"]
  resources:
    {{- range $kinds }}
    - "{{ . }}/status"
    - "{{ . }}/finalizers"
    {{- end }}
  verbs: ["get", "update", "patch"]
{{- end }}
{{- $children := list -}}
{{- if eq (include "eso.clusterExternalSecret" .) "true" }}{{ $children = append $children "externalsecrets" }}{{ end -}}
{{- if eq (include "eso.clusterPushSecret" .) "true" }}{{ $children = append $children "pushsecrets" }}{{ end -}}
{{- if $children }}
- apiGroups: ["external-secrets.io"]
  resources: {{ toJson $children }}
  verbs: ["create", "delete"]
{{- end }}
- apiGroups: ["generators.external-secrets.io"]
  resources: ["clustergenerators"]
  verbs: ["get", "list", "watch"]
- apiGroups: [""]
  resources: ["namespaces"]
  {{- if eq (include "eso.clusterExternalSecret" .) "true" }}
  verbs: ["get", "list", "watch", "update", "patch"]
  {{- else }}
  verbs: ["get", "list", "watch"]
  {{- end }}
{{- end -}}
