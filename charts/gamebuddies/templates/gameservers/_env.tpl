{{/* Environment shared by game servers in both modes. */}}
{{- define "gamebuddies.gameserver.env" -}}
- name: SERVER_ID
  valueFrom: { fieldRef: { fieldPath: metadata.name } }
- name: PORT
  value: {{ .Values.gameServers.port | quote }}
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
