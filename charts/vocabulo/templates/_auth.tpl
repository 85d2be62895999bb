{{/* JWT auth of the APIs (apps/common/auth.py): env, JWKS volume, and the Ingress refusal. */}}

{{- define "vocabulo.auth.jwksDir" -}}/etc/vocabulo/jwt{{- end -}}

{{/* Refuse jwt mode without a key: (dict "component" "quiz" "values" .Values.quiz) */}}
{{- define "vocabulo.auth.check" -}}
{{- $a := .values.auth -}}
{{- if eq $a.mode "jwt" -}}
{{- if not $a.existingSecret -}}
{{- fail (printf "%s.auth.mode=jwt needs %s.auth.existingSecret: a Secret holding the HS256 secret, the PEM public key or the JWKS (the chart never generates it)" .component .component) -}}
{{- end -}}
{{- $set := 0 -}}
{{- range $k := list "secret" "publicKey" "jwks" -}}
{{- if index $a.secretKeys $k -}}{{- $set = add1 $set -}}{{- end -}}
{{- end -}}
{{- if ne (int $set) 1 -}}
{{- fail (printf "%s.auth.mode=jwt needs exactly one of %s.auth.secretKeys.secret, .publicKey or .jwks (the key name in %s); %d are set" .component .component $a.existingSecret (int $set)) -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* Env of one API: (dict "ctx" $ "component" "quiz" "values" .Values.quiz) */}}
{{- define "vocabulo.auth.env" -}}
{{- include "vocabulo.auth.check" . -}}
{{- $a := .values.auth -}}
{{- $p := upper .component -}}
- name: {{ $p }}_AUTH_MODE
  value: {{ $a.mode | quote }}
{{- if eq $a.mode "jwt" }}
{{- $j := $a.jwt }}
- name: {{ $p }}_JWT_AUDIENCE
  value: {{ $j.audience | default "" | quote }}
- name: {{ $p }}_JWT_ISSUER
  value: {{ $j.issuer | default "" | quote }}
- name: {{ $p }}_JWT_USER_CLAIM
  value: {{ $j.userClaim | default "sub" | quote }}
- name: {{ $p }}_JWT_SERVICE_CLAIM
  value: {{ $j.serviceClaim | default "scope" | quote }}
- name: {{ $p }}_JWT_SERVICE_SCOPE
  value: {{ $j.serviceScope | default "" | quote }}
- name: {{ $p }}_JWT_LEEWAY_S
  value: {{ $j.leewaySeconds | default 30 | quote }}
{{- if $a.secretKeys.secret }}
- name: {{ $p }}_JWT_SECRET
  valueFrom:
    secretKeyRef:
      name: {{ $a.existingSecret }}
      key: {{ $a.secretKeys.secret }}
{{- else if $a.secretKeys.publicKey }}
- name: {{ $p }}_JWT_PUBLIC_KEY
  valueFrom:
    secretKeyRef:
      name: {{ $a.existingSecret }}
      key: {{ $a.secretKeys.publicKey }}
{{- else }}
- name: {{ $p }}_JWT_JWKS_FILE
  value: {{ printf "%s/jwks.json" (include "vocabulo.auth.jwksDir" .) | quote }}
{{- end }}
{{- end }}
{{- end -}}

{{/* The JWKS volume mount (jwt mode with secretKeys.jwks), or nothing. */}}
{{- define "vocabulo.auth.volumeMounts" -}}
{{- $a := .values.auth -}}
{{- if and (eq $a.mode "jwt") $a.secretKeys.jwks -}}
- name: jwt-keys
  mountPath: {{ include "vocabulo.auth.jwksDir" . }}
  readOnly: true
{{- end -}}
{{- end -}}

{{- define "vocabulo.auth.volumes" -}}
{{- $a := .values.auth -}}
{{- if and (eq $a.mode "jwt") $a.secretKeys.jwks -}}
- name: jwt-keys
  secret:
    secretName: {{ $a.existingSecret }}
    defaultMode: 0440
    items:
      - key: {{ $a.secretKeys.jwks }}
        path: jwks.json
{{- end -}}
{{- end -}}

{{/* An Ingress puts the APIs on the internet: refuse it while an exposed API asks no token,
unless ingress.allowAnonymous allows it (true: every API; a list: those APIs, e.g. [junior]). */}}
{{- define "vocabulo.ingress.authCheck" -}}
{{- $allow := .Values.ingress.allowAnonymous -}}
{{- $allowed := list -}}
{{- if kindIs "slice" $allow -}}
{{- $allowed = $allow -}}
{{- else if $allow -}}
{{- $allowed = list "quiz" "junior" -}}
{{- end -}}
{{- $open := list -}}
{{- range $api := list "quiz" "junior" -}}
{{- $v := index $.Values $api -}}
{{- if and $v.enabled (ne $v.auth.mode "jwt") (not (has $api $allowed)) -}}
{{- $open = append $open $api -}}
{{- end -}}
{{- end -}}
{{- if $open -}}
{{- fail (printf "ingress.enabled=true would expose %s with auth.mode=none to anyone on the internet (the Quiz API serves and records children's quiz data). Either turn authentication on: --set <api>.auth.mode=jwt,<api>.auth.existingSecret=<Secret>,<api>.auth.secretKeys.secret=<key> for %s (README \"Authentication\"), or accept anonymous access explicitly: --set ingress.allowAnonymous=true (every API) or --set 'ingress.allowAnonymous={%s}' (only these)" (join ", " $open) (join " and " $open) (join "," $open)) -}}
{{- end -}}
{{- end -}}
