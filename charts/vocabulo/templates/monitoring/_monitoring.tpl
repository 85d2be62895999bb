{{/* Monitoring helpers; every monitoring.* key has a default here too. */}}

{{/* The enabled APIs as a regex alternation: "quiz|junior", "quiz", or "". */}}
{{- define "vocabulo.monitoring.apis" -}}
{{- $apis := list -}}
{{- if .Values.quiz.enabled }}{{- $apis = append $apis "quiz" }}{{- end -}}
{{- if .Values.junior.enabled }}{{- $apis = append $apis "junior" }}{{- end -}}
{{- join "|" $apis -}}
{{- end -}}

{{/* Is one monitoring object on? (dict "ctx" . "key" "serviceMonitor") — monitoring.enabled and its own flag (default true). */}}
{{- define "vocabulo.monitoring.on" -}}
{{- $m := .ctx.Values.monitoring | default dict -}}
{{- $own := index $m .key | default dict -}}
{{- if and $m.enabled (ne (toString $own.enabled) "false") -}}true{{- end -}}
{{- end -}}
