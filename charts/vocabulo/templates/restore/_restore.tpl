{{/* The dictionary restore Job and the database roles (docs/chart.md, "Install, hooks and Argo CD"). */}}

{{/* What identifies the dump: its sha256 when given, else where it comes from. */}}
{{- define "vocabulo.restore.dumpIdentity" -}}
{{- $v := .Values.restore -}}
{{- if $v.dump.sha256 -}}
{{- $v.dump.sha256 -}}
{{- else if eq $v.dump.source "baked" -}}
{{- printf "baked:%s" (include "vocabulo.image" (dict "ctx" . "image" $v.image "local" true)) -}}
{{- else if eq $v.dump.source "backup" -}}
{{- printf "backup:%s/%s" (include "vocabulo.backup.claimName" .) $v.dump.path -}}
{{- else -}}
{{- printf "%s:%s/%s" $v.dump.source $v.dump.existingClaim $v.dump.path -}}
{{- end -}}
{{- end -}}

{{/* Render-time refusals of restore settings that could only fail in the cluster. */}}
{{- define "vocabulo.restore.check" -}}
{{- $v := .Values.restore -}}
{{- if not (has $v.mode (list "once" "replace")) -}}
{{- fail "restore.mode must be once or replace" -}}
{{- end -}}
{{- if and $v.force (ne $v.mode "replace") -}}
{{- fail "restore.force needs restore.mode=replace" -}}
{{- end -}}
{{- if not (has $v.dump.source (list "baked" "url" "volume" "backup")) -}}
{{- fail "restore.dump.source must be baked, url, volume or backup" -}}
{{- end -}}
{{- if eq $v.dump.source "url" -}}
{{- if not (or $v.dump.url $v.dump.existingSecret) -}}
{{- fail "restore.dump.source=url needs restore.dump.existingSecret (a Secret holding the URL, e.g. a pre-signed one, under restore.dump.urlKey) or restore.dump.url" -}}
{{- end -}}
{{- if not $v.dump.sha256 -}}
{{- fail "restore.dump.sha256 is required when restore.dump.source=url" -}}
{{- end -}}
{{- if and .Values.networkPolicy.enabled (not $v.dump.egressCIDRs) -}}
{{- fail "restore.dump.source=url with networkPolicy.enabled needs restore.dump.egressCIDRs: without them the NetworkPolicies block the download. Set the CIDRs of the dump's host (e.g. --set restore.dump.egressCIDRs={203.0.113.0/24})" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* The restore pod's spec; its hash is part of the Job's name (a Job's template is immutable). */}}
{{- define "vocabulo.restore.podSpec" -}}
{{- $v := .Values.restore -}}
{{- $image := include "vocabulo.image" (dict "ctx" . "image" $v.image "local" true) -}}
{{- $keys := .Values.auth.secretKeys -}}
{{- $fromVolume := has $v.dump.source (list "volume" "backup") -}}
restartPolicy: Never
automountServiceAccountToken: false
enableServiceLinks: false
{{- with (include "vocabulo.imagePullSecrets" .) }}
{{ . }}
{{- end }}
securityContext:
  {{- toYaml .Values.podSecurityContext | nindent 2 }}
initContainers:
  # Wait (bounded by activeDeadlineSeconds) until PostgreSQL accepts connections.
  - name: wait-for-postgresql
    image: {{ $image | quote }}
    imagePullPolicy: {{ $v.image.pullPolicy }}
    command: ["sh", "-c", "until pg_isready -h \"$PGHOST\" -p \"$PGPORT\" -U \"$PGUSER\" -d \"$PGDATABASE\"; do echo waiting for PostgreSQL; sleep 2; done"]
    env:
      {{- include "vocabulo.pgEnv" (dict "ctx" . "user" .Values.auth.adminUser "key" $keys.adminPassword) | nindent 6 }}
    securityContext:
      {{- toYaml .Values.containerSecurityContext | nindent 6 }}
    resources:
      requests: {cpu: 10m, memory: 16Mi}
      limits: {cpu: 100m, memory: 64Mi}
containers:
  - name: db-restore
    image: {{ $image | quote }}
    imagePullPolicy: {{ $v.image.pullPolicy }}
    args:
      - --mode
      - {{ $v.mode }}
      {{- if $v.force }}
      - --force
      {{- end }}
      {{- if eq $v.mode "once" }}
      # A database holding another dump is kept, with a notice (never a failed release):
      # loading a new dump is a deliberate restore.mode=replace.
      - --on-other-dump
      - keep
      {{- end }}
      {{- if eq $v.dump.source "url" }}
      # The URL (often pre-signed) comes from the environment, never the arguments.
      - --dump-env
      - VOCABULO_DUMP_URL
      {{- else }}
      - --dump
      {{- if eq $v.dump.source "baked" }}
      - /opt/vocabulo/data/lsf_app_dump.sql.gz
      {{- else }}
      - {{ printf "/dump/%s" (required "restore.dump.path is required when restore.dump.source=volume or backup" $v.dump.path) | quote }}
      {{- end }}
      {{- end }}
      {{- if $v.dump.sha256 }}
      - --sha256
      - {{ $v.dump.sha256 | quote }}
      {{- end }}
    env:
      {{- include "vocabulo.pgEnv" (dict "ctx" . "user" .Values.auth.adminUser "key" $keys.adminPassword) | nindent 6 }}
      {{- if eq $v.dump.source "url" }}
      - name: VOCABULO_DUMP_URL
        {{- if $v.dump.existingSecret }}
        valueFrom:
          secretKeyRef:
            name: {{ $v.dump.existingSecret }}
            key: {{ $v.dump.urlKey | default "url" }}
        {{- else }}
        value: {{ $v.dump.url | quote }}
        {{- end }}
      {{- end }}
      - name: HOME
        value: /tmp
    securityContext:
      {{- toYaml .Values.containerSecurityContext | nindent 6 }}
    resources:
      {{- toYaml $v.resources | nindent 6 }}
    volumeMounts:
      - name: tmp
        mountPath: /tmp
      {{- if $fromVolume }}
      - name: dump
        mountPath: /dump
        readOnly: true
      {{- end }}
volumes:
  - name: tmp
    emptyDir:
      sizeLimit: 1Gi
  {{- if $fromVolume }}
  - name: dump
    persistentVolumeClaim:
      {{- if eq $v.dump.source "backup" }}
      claimName: {{ include "vocabulo.backup.claimName" . }}
      {{- else }}
      claimName: {{ required "restore.dump.existingClaim is required when restore.dump.source=volume" $v.dump.existingClaim }}
      {{- end }}
      readOnly: true
  {{- end }}
{{- end -}}

{{/*
Name of the restore Job: <fullname>-db-restore-<dump>-<run>. <dump> = first 8 hex of the dump's
sha256 (or of the hash of its identity when no sha256 is given); <run> = 5 hex of the hash of the
dump identity and the whole pod spec. Same dump and settings → same name → helm leaves the Job
alone; a new dump (or new settings) → a new Job, and helm deletes the old one.
*/}}
{{- define "vocabulo.restore.jobName" -}}
{{- $identity := include "vocabulo.restore.dumpIdentity" . -}}
{{- $dump := .Values.restore.dump.sha256 | default (sha256sum $identity) | trunc 8 -}}
{{- $run := printf "%s\n%s" $identity (include "vocabulo.restore.podSpec" .) | sha256sum | trunc 5 -}}
{{- printf "%s-db-restore-%s-%s" (include "vocabulo.fullname" . | trunc 37 | trimSuffix "-") $dump $run -}}
{{- end -}}
