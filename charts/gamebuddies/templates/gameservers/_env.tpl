{{/* Environment shared by game servers in both modes. */}}
{{- define "gamebuddies.gameserver.env" -}}
- name: SERVER_ID
  valueFrom: { fieldRef: { fieldPath: metadata.name } }
- name: PORT
  value: {{ .Values.gameServers.port | quote }}
# /metrics on its own port: under Agones the game port is public (a node port).
- name: METRICS_PORT
  value: {{ .Values.gameServers.metricsPort | quote }}
- name: LOOKUP_URL
  value: {{ include "gamebuddies.publicUrl" . | quote }}
{{- include "gamebuddies.redisEnv" . }}
- name: RECONNECT_GRACE_MS
  value: {{ .Values.gameServers.reconnectGraceMs | quote }}
- name: ROOM_TTL_SECONDS
  value: {{ .Values.gameServers.roomTtlSeconds | quote }}
- name: ACTION_RATE_PER_SEC
  value: {{ .Values.gameServers.actionRatePerSec | quote }}
- name: ACTION_BURST
  value: {{ .Values.gameServers.actionBurst | quote }}
- name: JOIN_FAILURES_PER_MINUTE
  value: {{ .Values.gameServers.joinFailuresPerMinute | quote }}
- name: SHUTDOWN_TIMEOUT_MS
  value: {{ .Values.gameServers.shutdownTimeoutMs | quote }}
- name: DRAIN_TIMEOUT_MS
  value: {{ mul (int .Values.gameServers.drainTimeoutSeconds) 1000 | quote }}
- name: CORS_ORIGINS
  value: {{ .Values.gameServers.corsOrigins | quote }}
- name: LOG_LEVEL
  value: {{ .Values.gameServers.logLevel | quote }}
{{- with .Values.gameServers.extraEnv }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* Where players and GameBuddies reach the system: the Rooms API (agones) or the game servers' front. */}}
{{- define "gamebuddies.publicUrl" -}}
{{- if eq .Values.mode "agones" -}}
{{- include "gamebuddies.roomsApiUrl" . -}}
{{- else if .Values.roomsApi.publicUrl -}}
{{- .Values.roomsApi.publicUrl | trimSuffix "/" -}}
{{- else if and .Values.gameServers.deployment.ingress.enabled .Values.gameServers.deployment.ingress.host -}}
{{- printf "%s://%s" (ternary "https" "http" (not (empty .Values.gameServers.deployment.ingress.tls))) .Values.gameServers.deployment.ingress.host -}}
{{- else -}}
{{- printf "http://%s.%s.svc:%d" (include "gamebuddies.gameserver.fullname" .) .Release.Namespace (int .Values.gameServers.deployment.service.port) -}}
{{- end -}}
{{- end -}}


{{/*
A game server's shutdown waits up to SHUTDOWN_TIMEOUT_MS twice (writes in flight, then the ones the
disconnects start) before it closes: Kubernetes must not SIGKILL it sooner, or acknowledged actions
and room leases are cut off. Five seconds more for closing Redis and telling Agones.
*/}}
{{- define "gamebuddies.gameserver.checkShutdown" -}}
{{- $grace := int .Values.gameServers.terminationGracePeriodSeconds -}}
{{- $needed := add (div (add (mul 2 (int .Values.gameServers.shutdownTimeoutMs)) 999) 1000) 5 -}}
{{- if lt $grace $needed -}}
{{- fail (printf "gameServers.terminationGracePeriodSeconds %d is too short for gameServers.shutdownTimeoutMs %d: a shutdown takes up to 2 x %d ms + 5 s, so set it to at least %d" $grace (int .Values.gameServers.shutdownTimeoutMs) (int .Values.gameServers.shutdownTimeoutMs) $needed) -}}
{{- end -}}
{{- end -}}
