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

{{/*
checksum/* annotations hash what the cluster actually stores, so an upgrade with unchanged values
and unchanged Secrets changes no pod template (docs/chart.md, "Checksums"):
  - a Secret the chart generates never changes (lookup keeps it): no checksum at all;
  - an existing Secret (auth.existingSecret, pgadmin.existingSecret): sha256 of its looked-up
    .data as JSON (sorted keys); nothing while it cannot be looked up (helm template);
  - a ConfigMap built from values: sha256 of its data as JSON (vocabulo.pgadmin.configData).
*/}}
{{- define "vocabulo.storedSecretChecksum" -}}
{{- $found := lookup "v1" "Secret" .ctx.Release.Namespace .name -}}
{{- if and $found $found.data -}}
{{- toJson $found.data | sha256sum -}}
{{- end -}}
{{- end -}}

{{/* checksum/secret of the pods that read the database Secret ("" when generated). */}}
{{- define "vocabulo.dbSecretChecksum" -}}
{{- if .Values.auth.existingSecret -}}
{{- include "vocabulo.storedSecretChecksum" (dict "ctx" . "name" .Values.auth.existingSecret) -}}
{{- end -}}
{{- end -}}

{{/* Pod annotations as YAML (or ""): (dict "checksums" (dict "checksum/secret" SUM) "extra" MAP) */}}
{{- define "vocabulo.podAnnotations" -}}
{{- $all := dict -}}
{{- range $key, $sum := .checksums -}}
{{- if $sum -}}{{- $_ := set $all $key $sum -}}{{- end -}}
{{- end -}}
{{- range $key, $value := (.extra | default dict) -}}
{{- $_ := set $all $key $value -}}
{{- end -}}
{{- if $all -}}
annotations:
  {{- toYaml $all | nindent 2 }}
{{- end -}}
{{- end -}}

{{/*
Connection budget (docs/chart.md, "Connection budget"): the most connections the release can open.
  per API pod: quiz 2 × database.poolSize (pool + overflow) + database.readPoolSize; junior 2 × poolSize
  API pods: maxReplicas (autoscaling) or replicaCount, + the rolling update's surge (25 %, rounded up)
  + restore 2 (client + psql) + roles 1 + backup 2 (backup.enabled) + pgadmin.databaseConnections
  + 3 superuser_reserved_connections
*/}}
{{- define "vocabulo.apiConnections" -}}
{{- $v := .values -}}
{{- if $v.enabled -}}
{{- $pods := int (ternary $v.autoscaling.maxReplicas $v.replicaCount $v.autoscaling.enabled) -}}
{{- $pods = add $pods (div (add $pods 3) 4) -}}
{{- $perPod := mul 2 (int $v.database.poolSize) -}}
{{- if hasKey $v.database "readPoolSize" -}}{{- $perPod = add $perPod (int $v.database.readPoolSize) -}}{{- end -}}
{{- mul $pods $perPod -}}
{{- else -}}0{{- end -}}
{{- end -}}

{{- define "vocabulo.connectionBudget" -}}
{{- $need := add (include "vocabulo.apiConnections" (dict "values" .Values.quiz) | int) (include "vocabulo.apiConnections" (dict "values" .Values.junior) | int) -}}
{{- $need = add $need 3 1 -}}
{{- if .Values.restore.enabled -}}{{- $need = add $need 2 -}}{{- end -}}
{{- if (.Values.backup | default dict).enabled -}}{{- $need = add $need 2 -}}{{- end -}}
{{- if .Values.pgadmin.enabled -}}{{- $need = add $need (int .Values.pgadmin.databaseConnections) -}}{{- end -}}
{{- $need -}}
{{- end -}}

{{/* max_connections of the bundled PostgreSQL: set, checked against the budget, or sized from it. */}}
{{- define "vocabulo.maxConnections" -}}
{{- $need := include "vocabulo.connectionBudget" . | int -}}
{{- $set := int (.Values.postgresql.maxConnections | default 0) -}}
{{- if $set -}}
{{- if lt $set $need -}}
{{- fail (printf "postgresql.maxConnections=%d is below the release's connection budget of %d (docs/chart.md, \"Connection budget\"): raise it, set it to 0 (sized automatically), or lower replicas/pool sizes" $set $need) -}}
{{- end -}}
{{- $set -}}
{{- else -}}
{{- max 100 $need -}}
{{- end -}}
{{- end -}}

{{/* An external database's max_connections, when given, must cover the budget. */}}
{{- define "vocabulo.checkExternalConnections" -}}
{{- $limit := int (.Values.externalDatabase.maxConnections | default 0) -}}
{{- $need := include "vocabulo.connectionBudget" . | int -}}
{{- if and $limit (lt $limit $need) -}}
{{- fail (printf "externalDatabase.maxConnections=%d is below the release's connection budget of %d (docs/chart.md, \"Connection budget\"): lower replicas/pool sizes or raise the server's limit" $limit $need) -}}
{{- end -}}
{{- end -}}

{{/* The service roles' passwords, for db_restore.apply_roles. */}}
{{- define "vocabulo.rolePasswordEnv" -}}
- name: VOCABULO_QUIZ_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ include "vocabulo.dbSecretName" . }}
      key: {{ .Values.auth.secretKeys.quizPassword }}
- name: VOCABULO_JUNIOR_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ include "vocabulo.dbSecretName" . }}
      key: {{ .Values.auth.secretKeys.juniorPassword }}
{{- end -}}

{{/*
pgAdmin's ConfigMap data as JSON; the Deployment's checksum/config is its sha256.
config_distro.py replaces the file the image's entrypoint would write (the root is read-only), so
it keeps the entrypoint's DEFAULT_BINARY_PATHS (backup, restore and psql from pgAdmin need them).
*/}}
{{- define "vocabulo.pgadmin.configData" -}}
{{- $server := dict "Name" "Vocabulo" "Group" "Vocabulo" "Host" (include "vocabulo.dbHost" .) "Port" (include "vocabulo.dbPort" . | int) "MaintenanceDB" .Values.auth.database "Username" .Values.auth.adminUser "SSLMode" "prefer" -}}
{{- $distro := list
  "CA_FILE = '/etc/ssl/certs/ca-certificates.crt'"
  "LOG_FILE = '/dev/null'"
  "HELP_PATH = '../../docs'"
  "UPGRADE_CHECK_ENABLED = False"
  "ALLOW_SPECIAL_EMAIL_DOMAINS = ['example', 'local']"
  "DATA_DIR = '/var/lib/pgadmin'"
  "DEFAULT_BINARY_PATHS = {"
  "    'pg': '/usr/local/pgsql-15',"
  "    'pg-18': '/usr/local/pgsql-18',"
  "    'pg-17': '/usr/local/pgsql-17',"
  "    'pg-16': '/usr/local/pgsql-16',"
  "    'pg-15': '/usr/local/pgsql-15',"
  "    'pg-14': '/usr/local/pgsql-14',"
  "    'pg-13': '/usr/local/pgsql-13',"
  "}"
-}}
{{- dict "servers.json" (dict "Servers" (dict "1" $server) | toPrettyJson) "config_distro.py" (printf "%s\n" (join "\n" $distro)) | toJson -}}
{{- end -}}
