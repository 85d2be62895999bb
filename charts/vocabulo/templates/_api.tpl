{{/* Objects shared by the two APIs. Call with (dict "ctx" . "component" "quiz" "values" .Values.quiz "dbUser" ... "dbKey" ...
"poolEnv" (dict "<key of values.database>" "<ENV_VAR>")). */}}

{{- define "vocabulo.api.checkovSkips" -}}
checkov.io/skip1: CKV_K8S_43=Images are built locally and loaded with `kind load`; no registry digest exists.
checkov.io/skip2: CKV_K8S_15=IfNotPresent is required for kind-loaded images; tags are immutable per release.
checkov.io/skip3: CKV_K8S_35=libpq reads PGPASSWORD from the environment; the value comes from a Secret.
checkov.io/skip4: CKV_K8S_21=The namespace is the release namespace, set by helm install -n.
{{- end -}}

{{- define "vocabulo.api.deployment" -}}
{{- $ctx := .ctx -}}
{{- $v := .values -}}
{{- $sel := dict "ctx" $ctx "component" .component -}}
{{- /* Shutdown budget: preStop sleep (endpoints drop the pod) + uvicorn drain + 5 s to exit ≤ grace period. */}}
{{- $preStop := int ($v.preStopSleepSeconds | default 0) -}}
{{- $drain := sub (sub (int $v.terminationGracePeriodSeconds) $preStop) 5 -}}
{{- if lt $drain 1 -}}
{{- fail (printf "%s.terminationGracePeriodSeconds must exceed %s.preStopSleepSeconds + 5" .component .component) -}}
{{- end -}}
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "vocabulo.componentName" $sel }}
  namespace: {{ $ctx.Release.Namespace }}
  labels:
    {{- include "vocabulo.componentLabels" $sel | nindent 4 }}
  annotations:
    {{- include "vocabulo.api.checkovSkips" $ctx | nindent 4 }}
spec:
  {{- if not $v.autoscaling.enabled }}
  replicas: {{ $v.replicaCount }}
  {{- end }}
  revisionHistoryLimit: 5
  selector:
    matchLabels:
      {{- include "vocabulo.componentSelector" $sel | nindent 6 }}
  template:
    metadata:
      labels:
        {{- include "vocabulo.componentLabels" $sel | nindent 8 }}
      {{- $extra := dict }}
      {{- if $ctx.Values.monitoring.enabled }}
      {{- $extra = dict "prometheus.io/scrape" "true" "prometheus.io/port" "8000" "prometheus.io/path" "/metrics" }}
      {{- end }}
      {{- $extra = merge (deepCopy ($v.podAnnotations | default dict)) $extra }}
      {{- with include "vocabulo.podAnnotations" (dict "checksums" (dict "checksum/secret" (include "vocabulo.dbSecretChecksum" $ctx)) "extra" $extra) }}
      {{- . | nindent 6 }}
      {{- end }}
    spec:
      automountServiceAccountToken: false
      enableServiceLinks: false
      terminationGracePeriodSeconds: {{ $v.terminationGracePeriodSeconds }}
      {{- with (include "vocabulo.imagePullSecrets" $ctx) }}
      {{- . | nindent 6 }}
      {{- end }}
      securityContext:
        {{- toYaml $ctx.Values.podSecurityContext | nindent 8 }}
      containers:
        - name: {{ .component }}
          image: {{ include "vocabulo.image" (dict "ctx" $ctx "image" $v.image "local" true) | quote }}
          imagePullPolicy: {{ $v.image.pullPolicy }}
          # SIGTERM → uvicorn stops accepting and drains in-flight requests for at most the drain time.
          command: ["uvicorn", "apps.{{ .component }}.app:app", "--host", "0.0.0.0", "--port", "8000", "--timeout-graceful-shutdown", "{{ $drain }}"]
          ports:
            - name: http
              containerPort: 8000
              protocol: TCP
          {{- if $preStop }}
          lifecycle:
            preStop:
              # Keep serving while the Service's endpoints drop this pod, then SIGTERM drains.
              exec:
                command: ["sleep", "{{ $preStop }}"]
          {{- end }}
          env:
            {{- include "vocabulo.pgEnv" (dict "ctx" $ctx "user" .dbUser "key" .dbKey) | nindent 12 }}
            - name: {{ $v.threadsEnv }}
              value: {{ include "vocabulo.threadsFromCpu" $v.resources.limits.cpu | quote }}
            - name: OMP_NUM_THREADS
              value: {{ include "vocabulo.threadsFromCpu" $v.resources.limits.cpu | quote }}
            - name: HOME
              value: /tmp
            {{- range $setting, $env := .poolEnv }}
            - name: {{ $env }}
              value: {{ index $v.database $setting | quote }}
            {{- end }}
            {{- include "vocabulo.auth.env" (dict "component" .component "values" $v) | nindent 12 }}
            {{- with $v.extraEnv }}
            {{- toYaml . | nindent 12 }}
            {{- end }}
          securityContext:
            {{- toYaml $ctx.Values.containerSecurityContext | nindent 12 }}
          startupProbe:
            httpGet: {path: /health, port: http}
            {{- toYaml $v.probes.startup | nindent 12 }}
          livenessProbe:
            httpGet: {path: /health, port: http}
            {{- toYaml $v.probes.liveness | nindent 12 }}
          # Ready = "can serve" (models loaded), not "database up": a database blip must not empty
          # the Service; requests then get 503 + Retry-After (docs/chart.md, "Probes").
          readinessProbe:
            httpGet: {path: /ready/serving, port: http}
            {{- toYaml $v.probes.readiness | nindent 12 }}
          resources:
            {{- toYaml $v.resources | nindent 12 }}
          volumeMounts:
            - name: tmp
              mountPath: /tmp
            {{- with (include "vocabulo.auth.volumeMounts" (dict "values" $v)) }}
            {{- . | nindent 12 }}
            {{- end }}
      volumes:
        - name: tmp
          emptyDir:
            sizeLimit: 256Mi
        {{- with (include "vocabulo.auth.volumes" (dict "values" $v)) }}
        {{- . | nindent 8 }}
        {{- end }}
      {{- $spread := $v.topologySpread | default dict }}
      {{- if $v.topologySpreadConstraints }}
      topologySpreadConstraints:
        {{- toYaml $v.topologySpreadConstraints | nindent 8 }}
      {{- else if $spread.enabled }}
      # Replicas spread across nodes (soft by default); pod-template-hash keeps a rollout from skewing it.
      topologySpreadConstraints:
        - maxSkew: {{ $spread.maxSkew | default 1 }}
          topologyKey: {{ $spread.topologyKey | default "kubernetes.io/hostname" }}
          whenUnsatisfiable: {{ $spread.whenUnsatisfiable | default "ScheduleAnyway" }}
          labelSelector:
            matchLabels:
              {{- include "vocabulo.componentSelector" $sel | nindent 14 }}
          matchLabelKeys: [pod-template-hash]
      {{- end }}
      {{- with $v.nodeSelector }}
      nodeSelector:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with $v.tolerations }}
      tolerations:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with $v.affinity }}
      affinity:
        {{- toYaml . | nindent 8 }}
      {{- end }}
{{- end -}}

{{- define "vocabulo.api.service" -}}
{{- $sel := dict "ctx" .ctx "component" .component -}}
apiVersion: v1
kind: Service
metadata:
  name: {{ include "vocabulo.componentName" $sel }}
  namespace: {{ .ctx.Release.Namespace }}
  labels:
    {{- include "vocabulo.componentLabels" $sel | nindent 4 }}
  annotations:
    {{- include "vocabulo.checkovNamespaceSkip" .ctx | nindent 4 }}
spec:
  type: ClusterIP
  selector:
    {{- include "vocabulo.componentSelector" $sel | nindent 4 }}
  ports:
    - name: http
      port: {{ .values.service.port }}
      targetPort: http
      protocol: TCP
{{- end -}}

{{- define "vocabulo.api.hpa" -}}
{{- $sel := dict "ctx" .ctx "component" .component -}}
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: {{ include "vocabulo.componentName" $sel }}
  namespace: {{ .ctx.Release.Namespace }}
  labels:
    {{- include "vocabulo.componentLabels" $sel | nindent 4 }}
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: {{ include "vocabulo.componentName" $sel }}
  minReplicas: {{ .values.autoscaling.minReplicas }}
  maxReplicas: {{ .values.autoscaling.maxReplicas }}
  metrics:
    - type: Resource
      resource:
        name: cpu
        target:
          type: Utilization
          averageUtilization: {{ .values.autoscaling.targetCPUUtilizationPercentage }}
{{- end -}}

{{- define "vocabulo.api.pdb" -}}
{{- $sel := dict "ctx" .ctx "component" .component -}}
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: {{ include "vocabulo.componentName" $sel }}
  namespace: {{ .ctx.Release.Namespace }}
  labels:
    {{- include "vocabulo.componentLabels" $sel | nindent 4 }}
spec:
  minAvailable: {{ .values.pdb.minAvailable }}
  selector:
    matchLabels:
      {{- include "vocabulo.componentSelector" $sel | nindent 6 }}
{{- end -}}
