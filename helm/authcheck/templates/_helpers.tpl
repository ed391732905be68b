{{/* Names ----------------------------------------------------------------------------------- */}}

{{- define "authcheck.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "authcheck.fullname" -}}
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

{{/* RBAC objects may live in other namespaces or be cluster-scoped: the release namespace in
the name keeps two installs of the chart from colliding. */}}
{{- define "authcheck.rbacName" -}}
{{- printf "%s-%s" (include "authcheck.fullname" .) .Release.Namespace | trunc 200 | trimSuffix "-" -}}
{{- end -}}

{{/* Labels ---------------------------------------------------------------------------------- */}}

{{- define "authcheck.selectorLabels" -}}
app.kubernetes.io/name: {{ include "authcheck.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "authcheck.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "authcheck.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: authcheck
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* Usage: include "authcheck.componentLabels" (list $ "worker") */}}
{{- define "authcheck.componentLabels" -}}
{{ include "authcheck.labels" (index . 0) }}
app.kubernetes.io/component: {{ index . 1 }}
{{- end -}}

{{- define "authcheck.componentSelector" -}}
{{ include "authcheck.selectorLabels" (index . 0) }}
app.kubernetes.io/component: {{ index . 1 }}
{{- end -}}

{{/* Image ----------------------------------------------------------------------------------- */}}

{{- define "authcheck.image" -}}
{{- if .Values.image.digest -}}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest -}}
{{- else -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}
{{- end -}}

{{/* Secrets --------------------------------------------------------------------------------- */}}

{{- define "authcheck.slackSecretName" -}}
{{- default (printf "%s-slack" (include "authcheck.fullname" .)) .Values.slack.existingSecret -}}
{{- end -}}

{{- define "authcheck.jobKeySecretName" -}}
{{- default (printf "%s-job-key" (include "authcheck.fullname" .)) .Values.jobKey.existingSecret -}}
{{- end -}}

{{- define "authcheck.redisSecretName" -}}
{{- default (printf "%s-redis" (include "authcheck.fullname" .)) .Values.redis.auth.existingSecret -}}
{{- end -}}

{{- define "authcheck.redisHost" -}}
{{- printf "%s-redis.%s.svc" (include "authcheck.fullname" .) .Release.Namespace -}}
{{- end -}}

{{/* Which permissions the enabled checks need ("true" or ""). ------------------------------ */}}

{{- define "authcheck.needs.secrets" -}}
{{- if or .Values.checks.client.enabled .Values.checks.binding.enabled -}}true{{- end -}}
{{- end -}}

{{- define "authcheck.needs.resources" -}}
{{- if or .Values.checks.client.enabled .Values.checks.apirule.enabled -}}true{{- end -}}
{{- end -}}

{{- define "authcheck.needs.hydraPods" -}}
{{- if or .Values.checks.client.enabled .Values.checks.hydra.enabled -}}true{{- end -}}
{{- end -}}

{{/* Service accounts: the checks run where the worker runs; the bot alone needs no API access. */}}

{{- define "authcheck.checksInBot" -}}
{{- if or .Values.bot.embeddedWorker (not .Values.worker.enabled) -}}true{{- end -}}
{{- end -}}

{{- define "authcheck.workerServiceAccount" -}}
{{- printf "%s-worker" (include "authcheck.fullname" .) -}}
{{- end -}}

{{- define "authcheck.botServiceAccount" -}}
{{- if include "authcheck.checksInBot" . -}}
{{- include "authcheck.workerServiceAccount" . -}}
{{- else -}}
{{- printf "%s-bot" (include "authcheck.fullname" .) -}}
{{- end -}}
{{- end -}}

{{/* Consistency checks: fail the render with one clear sentence. */}}
{{- define "authcheck.validate" -}}
{{- if and (not .Values.redis.bundled) (not .Values.redis.url) (not .Values.redis.existingUrlSecret.name) -}}
{{- fail "redis: set redis.bundled=true, or redis.url / redis.existingUrlSecret.name for an external Redis" -}}
{{- end -}}
{{- if and .Values.config.introspectSecret (not (regexMatch "^[a-z0-9]([-a-z0-9]*[a-z0-9])?/[a-z0-9]([-.a-z0-9]*[a-z0-9])?$" .Values.config.introspectSecret)) -}}
{{- fail "config.introspectSecret must be namespace/name" -}}
{{- end -}}
{{- if and .Values.apiRule.enabled (not .Values.apiRule.host) -}}
{{- fail "apiRule.host is required when apiRule.enabled=true" -}}
{{- end -}}
{{- if and .Values.apiRule.enabled (ne .Values.slack.mode "http") -}}
{{- fail "apiRule.enabled needs slack.mode=http (Socket Mode has no inbound endpoint)" -}}
{{- end -}}
{{- if and .Values.autoscaling.keda.enabled (not .Values.worker.enabled) -}}
{{- fail "autoscaling.keda.enabled scales the worker Deployment: it needs worker.enabled=true" -}}
{{- end -}}
{{- if and .Values.autoscaling.keda.enabled (not .Values.redis.bundled) (not .Values.autoscaling.keda.address) -}}
{{- fail "autoscaling.keda.address (host:port of the external Redis, as KEDA reaches it) is required with redis.bundled=false" -}}
{{- end -}}
{{- if and .Values.autoscaling.keda.enabled (gt (int .Values.autoscaling.keda.minReplicas) (int .Values.autoscaling.keda.maxReplicas)) -}}
{{- fail "autoscaling.keda.minReplicas must not be above autoscaling.keda.maxReplicas" -}}
{{- end -}}
{{- end -}}

{{/* Environment ----------------------------------------------------------------------------- */}}

{{- define "authcheck.optionalEnv" -}}
{{- $name := index . 0 -}}
{{- $value := index . 1 -}}
{{- if kindIs "slice" $value -}}{{- $value = join "," $value -}}{{- end -}}
{{- if ne (toString $value) "" }}
- name: {{ $name }}
  value: {{ toString $value | quote }}
{{- end -}}
{{- end -}}

{{/* Env shared by the bot and the worker. Usage: include "authcheck.env" (list $ "worker") */}}
{{- define "authcheck.env" -}}
{{- $ := index . 0 -}}
{{- $component := index . 1 -}}
{{- $v := $.Values -}}
- name: HOME
  value: /tmp
- name: TMPDIR
  value: /tmp
- name: PYTHONDONTWRITEBYTECODE
  value: "1"
- name: AUTHCHECK_HEALTH_PORT
  value: {{ $v.healthPort | quote }}
- name: SLACK_BOT_TOKEN
  valueFrom:
    secretKeyRef:
      name: {{ include "authcheck.slackSecretName" $ }}
      key: {{ $v.slack.keys.botToken }}
{{- if eq $component "bot" }}
{{- if eq $v.slack.mode "socket" }}
- name: SLACK_APP_TOKEN
  valueFrom:
    secretKeyRef:
      name: {{ include "authcheck.slackSecretName" $ }}
      key: {{ $v.slack.keys.appToken }}
{{- else }}
- name: PORT
  value: {{ $v.bot.port | quote }}
- name: SLACK_SIGNING_SECRET
  valueFrom:
    secretKeyRef:
      name: {{ include "authcheck.slackSecretName" $ }}
      key: {{ $v.slack.keys.signingSecret }}
{{- end }}
{{- end }}
{{- include "authcheck.optionalEnv" (list "SLACK_API_URL" $v.slack.apiUrl) }}
- name: AUTHCHECK_JOB_KEY
  valueFrom:
    secretKeyRef:
      name: {{ include "authcheck.jobKeySecretName" $ }}
      key: {{ if $v.jobKey.existingSecret }}{{ $v.jobKey.existingSecretKey }}{{ else }}job-key{{ end }}
{{- if $v.redis.bundled }}
- name: REDIS_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ include "authcheck.redisSecretName" $ }}
      key: {{ if $v.redis.auth.existingSecret }}{{ $v.redis.auth.existingSecretKey }}{{ else }}redis-password{{ end }}
- name: REDIS_URL
  value: {{ printf "redis://:$(REDIS_PASSWORD)@%s:6379/0" (include "authcheck.redisHost" $) | quote }}
{{- else if $v.redis.existingUrlSecret.name }}
- name: REDIS_URL
  valueFrom:
    secretKeyRef:
      name: {{ $v.redis.existingUrlSecret.name }}
      key: {{ $v.redis.existingUrlSecret.key }}
{{- else }}
- name: REDIS_URL
  value: {{ $v.redis.url | quote }}
{{- end }}
{{- if eq $component "worker" }}
- name: AUTHCHECK_WORKER_CONCURRENCY
  value: {{ $v.worker.concurrency | quote }}
{{- end }}
{{- $c := $v.config }}
{{- include "authcheck.optionalEnv" (list "AUTHCHECK_ISSUER" $c.issuer) }}
{{- include "authcheck.optionalEnv" (list "AUTHCHECK_INTROSPECT_URL" $c.introspectUrl) }}
{{- include "authcheck.optionalEnv" (list "AUTHCHECK_HYDRA_ADMIN_URL" $c.hydraAdminUrl) }}
{{- include "authcheck.optionalEnv" (list "AUTHCHECK_HYDRA_PUBLIC_URL" $c.hydraPublicUrl) }}
{{- include "authcheck.optionalEnv" (list "AUTHCHECK_HYDRA_NAMESPACE" $c.hydraNamespace) }}
{{- include "authcheck.optionalEnv" (list "AUTHCHECK_INTROSPECT_SECRET" $c.introspectSecret) }}
{{- include "authcheck.optionalEnv" (list "AUTHCHECK_ALLOWED_CHANNELS" $c.allowedChannels) }}
{{- include "authcheck.optionalEnv" (list "AUTHCHECK_ALLOWED_USERS" $c.allowedUsers) }}
{{- include "authcheck.optionalEnv" (list "AUTHCHECK_URL_ALLOWLIST" $c.urlAllowlist) }}
{{- include "authcheck.optionalEnv" (list "AUTHCHECK_TIMEOUT" $c.timeout) }}
{{- include "authcheck.optionalEnv" (list "AUTHCHECK_CHECK_TIMEOUT" $c.checkTimeout) }}
{{- with $c.introspectClient.existingSecret }}
- name: AUTHCHECK_INTROSPECT_CLIENT_ID
  valueFrom:
    secretKeyRef:
      name: {{ . }}
      key: {{ $c.introspectClient.clientIdKey }}
- name: AUTHCHECK_INTROSPECT_CLIENT_SECRET
  valueFrom:
    secretKeyRef:
      name: {{ . }}
      key: {{ $c.introspectClient.clientSecretKey }}
{{- end }}
{{- with $c.extraEnv }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* Pod-level pieces shared by the bot and the worker. Usage: (list $ "worker" $componentValues) */}}
{{- define "authcheck.container.common" -}}
{{- $ := index . 0 -}}
image: {{ include "authcheck.image" $ }}
imagePullPolicy: {{ $.Values.image.pullPolicy }}
securityContext:
  {{- toYaml $.Values.securityContext | nindent 2 }}
livenessProbe:
  httpGet:
    path: /healthz
    port: health
  {{- toYaml $.Values.probes.liveness | nindent 2 }}
readinessProbe:
  httpGet:
    path: /readyz
    port: health
  {{- toYaml $.Values.probes.readiness | nindent 2 }}
volumeMounts:
  - name: tmp
    mountPath: /tmp
{{- end -}}
