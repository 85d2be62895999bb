{{/* Names, labels and shared pod fragments. Templates never spell a name twice. */}}

{{- define "vocabulo.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "vocabulo.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* Name of one component's objects: (dict "ctx" . "component" "quiz") */}}
{{- define "vocabulo.componentName" -}}
{{- printf "%s-%s" (include "vocabulo.fullname" .ctx | trunc 50 | trimSuffix "-") .component -}}
{{- end -}}

{{- define "vocabulo.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "vocabulo.selectorLabels" -}}
app.kubernetes.io/name: {{ include "vocabulo.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "vocabulo.labels" -}}
helm.sh/chart: {{ include "vocabulo.chart" . }}
{{ include "vocabulo.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: vocabulo
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* Selector of one component: (dict "ctx" . "component" "quiz") */}}
{{- define "vocabulo.componentSelector" -}}
{{ include "vocabulo.selectorLabels" .ctx }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{/* All labels of one component's objects and pods. */}}
{{- define "vocabulo.componentLabels" -}}
{{ include "vocabulo.labels" .ctx }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{/* Image reference: (dict "ctx" . "image" .Values.quiz.image "local" true) */}}
{{- define "vocabulo.image" -}}
{{- $tag := .image.tag | default .ctx.Chart.AppVersion -}}
{{- if and .local .ctx.Values.global.imageRegistry -}}
{{- printf "%s/%s:%s" .ctx.Values.global.imageRegistry .image.repository $tag -}}
{{- else -}}
{{- printf "%s:%s" .image.repository $tag -}}
{{- end -}}
{{- end -}}

{{/* Secret holding the database passwords. */}}
{{- define "vocabulo.dbSecretName" -}}
{{- .Values.auth.existingSecret | default (include "vocabulo.componentName" (dict "ctx" . "component" "db-credentials")) -}}
{{- end -}}

{{- define "vocabulo.pgadminSecretName" -}}
{{- .Values.pgadmin.existingSecret | default (include "vocabulo.componentName" (dict "ctx" . "component" "pgadmin")) -}}
{{- end -}}

{{/* Database host and port: the in-release StatefulSet or externalDatabase. */}}
{{- define "vocabulo.dbHost" -}}
{{- if .Values.postgresql.enabled -}}
{{- printf "%s.%s.svc" (include "vocabulo.componentName" (dict "ctx" . "component" "postgresql")) .Release.Namespace -}}
{{- else -}}
{{- required "externalDatabase.host is required when postgresql.enabled=false" .Values.externalDatabase.host -}}
{{- end -}}
{{- end -}}

{{- define "vocabulo.dbPort" -}}
{{- if .Values.postgresql.enabled -}}5432{{- else -}}{{ .Values.externalDatabase.port }}{{- end -}}
{{- end -}}

{{/* libpq PG* variables for one role: (dict "ctx" . "user" "vocabulo_quiz" "key" "quiz-password") */}}
{{- define "vocabulo.pgEnv" -}}
- name: PGHOST
  value: {{ include "vocabulo.dbHost" .ctx | quote }}
- name: PGPORT
  value: {{ include "vocabulo.dbPort" .ctx | quote }}
- name: PGDATABASE
  value: {{ .ctx.Values.auth.database | quote }}
- name: PGUSER
  value: {{ .user | quote }}
- name: PGPASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ include "vocabulo.dbSecretName" .ctx }}
      key: {{ .key }}
{{- end -}}

{{/* ONNX Runtime threads from a CPU limit ("2" → 2, "1500m" → 1, "500m" → 1). */}}
{{- define "vocabulo.threadsFromCpu" -}}
{{- $cpu := toString (default "1" .) -}}
{{- $n := 1 -}}
{{- if hasSuffix "m" $cpu -}}
{{- $n = div (trimSuffix "m" $cpu | int) 1000 -}}
{{- else -}}
{{- $n = $cpu | float64 | floor | int -}}
{{- end -}}
{{- /* 16 at most: the services' settings refuse more (and more never helps these models). */ -}}
{{- min 16 (max 1 $n) -}}
{{- end -}}

{{- define "vocabulo.imagePullSecrets" -}}
{{- with .Values.global.imagePullSecrets -}}
imagePullSecrets:
{{- range . }}
  - name: {{ . }}
{{- end }}
{{- end }}
{{- end -}}

{{/* Reuse a generated secret value across upgrades: (dict "ctx" . "secret" NAME "key" KEY "length" 24) */}}
{{- define "vocabulo.persistentSecretValue" -}}
{{- $existing := lookup "v1" "Secret" .ctx.Release.Namespace .secret -}}
{{- if and $existing (hasKey $existing.data .key) -}}
{{- index $existing.data .key -}}
{{- else -}}
{{- randAlphaNum (.length | default 24) | b64enc -}}
{{- end -}}
{{- end -}}

{{/* checkov renders with the "default" namespace; ours is the one given to helm install -n. */}}
{{- define "vocabulo.checkovNamespaceSkip" -}}
checkov.io/skip1: CKV_K8S_21=The namespace is the release namespace, set by helm install -n.
{{- end -}}
