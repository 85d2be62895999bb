{{/* Backup settings with their defaults, so the chart renders before values.yaml documents every key. */}}

{{/* Name of the PVC holding the backups: the existing one, or the chart's own. */}}
{{- define "vocabulo.backup.claimName" -}}
{{- $p := (.Values.backup | default dict).persistence | default dict -}}
{{- $p.existingClaim | default (include "vocabulo.componentName" (dict "ctx" . "component" "backup")) -}}
{{- end -}}
