{{/* Names, labels and shared snippets. */}}

{{- define "gamebuddies.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "gamebuddies.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else if contains (include "gamebuddies.name" .) .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name (include "gamebuddies.name" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{/* Common labels; pass (dict "root" $ "component" "operator"). */}}
{{- define "gamebuddies.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .root.Chart.Name .root.Chart.Version | replace "+" "_" }}
{{ include "gamebuddies.selectorLabels" . }}
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
app.kubernetes.io/part-of: gamebuddies-rooms
{{- end -}}

{{/*
Labels of pod and GameServer templates: only what never changes between chart versions, so an
upgrade does not roll every game server (a Fleet rollout waits for Allocated servers to empty).
*/}}
{{- define "gamebuddies.templateLabels" -}}
{{ include "gamebuddies.selectorLabels" . }}
app.kubernetes.io/part-of: gamebuddies-rooms
{{- end -}}

{{- define "gamebuddies.selectorLabels" -}}
app.kubernetes.io/name: {{ include "gamebuddies.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "gamebuddies.image" -}}
{{- $tag := default .root.Chart.AppVersion .image.tag -}}
{{- if .image.digest -}}
{{ printf "%s@%s" .image.repository .image.digest }}
{{- else -}}
{{ printf "%s:%s" .image.repository $tag }}
{{- end -}}
{{- end -}}

{{- define "gamebuddies.operator.fullname" -}}
{{- printf "%s-operator" (include "gamebuddies.fullname" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "gamebuddies.operator.serviceAccountName" -}}
{{- if .Values.operator.serviceAccount.create -}}
{{- default (include "gamebuddies.operator.fullname" .) .Values.operator.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.operator.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "gamebuddies.gameserver.fullname" -}}
{{- printf "%s-gameserver" (include "gamebuddies.fullname" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "gamebuddies.redis.fullname" -}}
{{- printf "%s-redis" (include "gamebuddies.fullname" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Namespace of the GameRooms and Agones GameServers (the release namespace unless set). */}}
{{- define "gamebuddies.gameNamespace" -}}
{{- default .Release.Namespace .Values.gameServers.namespace -}}
{{- end -}}

{{/* The Secret holding the Rooms API keys (and the webhook secret). */}}
{{- define "gamebuddies.apiSecretName" -}}
{{- default (printf "%s-api" (include "gamebuddies.fullname" .)) .Values.roomsApi.existingSecret -}}
{{- end -}}

{{/* The Secret holding the Redis password, when there is one. */}}
{{- define "gamebuddies.redisSecretName" -}}
{{- if eq .Values.redis.mode "external" -}}
{{- default (printf "%s-redis" (include "gamebuddies.fullname" .)) .Values.redis.external.existingSecret -}}
{{- else -}}
{{- default (printf "%s-redis" (include "gamebuddies.fullname" .)) .Values.redis.auth.existingSecret -}}
{{- end -}}
{{- end -}}

{{/* The key of the password in that Secret: the chart's own Secret always uses `password`. */}}
{{- define "gamebuddies.redisSecretKey" -}}
{{- if and (eq .Values.redis.mode "external") .Values.redis.external.existingSecret -}}
{{- .Values.redis.external.existingSecretKey -}}
{{- else if and (ne .Values.redis.mode "external") .Values.redis.auth.existingSecret -}}
{{- .Values.redis.auth.existingSecretKey -}}
{{- else -}}
password
{{- end -}}
{{- end -}}

{{- define "gamebuddies.redisPasswordSet" -}}
{{- if eq .Values.redis.mode "external" -}}
{{- if or .Values.redis.external.password .Values.redis.external.existingSecret }}true{{ end -}}
{{- else -}}
{{- if .Values.redis.auth.enabled }}true{{ end -}}
{{- end -}}
{{- end -}}

{{/*
Environment that points a process at Redis: REDIS_URL (standalone, external), REDIS_SENTINELS
(sentinel mode, external Sentinels) or REDIS_CLUSTER_NODES (an external Redis Cluster), the password
from its Secret, the shared key prefix.
*/}}
{{- define "gamebuddies.redisEnv" -}}
{{- $redis := include "gamebuddies.redis.fullname" . -}}
{{- if eq .Values.redis.mode "external" }}
{{- if .Values.redis.external.clusterNodes }}
- name: REDIS_CLUSTER_NODES
  value: {{ join "," .Values.redis.external.clusterNodes | quote }}
{{- else if .Values.redis.external.sentinels }}
- name: REDIS_SENTINELS
  value: {{ join "," .Values.redis.external.sentinels | quote }}
- name: REDIS_SENTINEL_MASTER
  value: {{ .Values.redis.external.sentinelMaster | quote }}
{{- if or .Values.redis.external.sentinelPassword .Values.redis.external.existingSecret }}
- name: REDIS_SENTINEL_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ include "gamebuddies.redisSecretName" . }}
      key: sentinel-password
      # A Secret you bring may have no Sentinel password: Sentinels without requirepass.
      optional: {{ not .Values.redis.external.sentinelPassword }}
{{- end }}
{{- else }}
- name: REDIS_URL
  value: {{ required "redis.external.url is required when redis.mode=external (or set redis.external.sentinels or redis.external.clusterNodes)" .Values.redis.external.url | quote }}
{{- end }}
{{- else if eq .Values.redis.mode "sentinel" }}
- name: REDIS_SENTINELS
  value: {{ $sentinels := list }}{{ range $i, $_ := until (int .Values.redis.replicas) }}{{ $sentinels = append $sentinels (printf "%s-%d.%s-headless.%s.svc:%d" $redis $i $redis $.Release.Namespace (int $.Values.redis.sentinel.port)) }}{{ end }}{{ join "," $sentinels | quote }}
- name: REDIS_SENTINEL_MASTER
  value: {{ .Values.redis.sentinel.masterName | quote }}
{{- else }}
- name: REDIS_URL
  value: {{ printf "redis://%s.%s.svc:%d" $redis .Release.Namespace (int .Values.redis.port) | quote }}
{{- end }}
{{- if include "gamebuddies.redisPasswordSet" . }}
- name: REDIS_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ include "gamebuddies.redisSecretName" . }}
      key: {{ include "gamebuddies.redisSecretKey" . }}
{{- if eq .Values.redis.mode "sentinel" }}
# The chart's Sentinels require the same password as Redis.
- name: REDIS_SENTINEL_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ include "gamebuddies.redisSecretName" . }}
      key: {{ include "gamebuddies.redisSecretKey" . }}
{{- end }}
{{- end }}
- name: REDIS_KEY_PREFIX
  value: {{ .Values.redis.keyPrefix | quote }}
{{- if eq .Values.redis.mode "sentinel" }}
- name: REDIS_ACK_REPLICAS
  value: {{ .Values.redis.sentinel.ackReplicas | quote }}
- name: REDIS_ACK_TIMEOUT_MS
  value: {{ .Values.redis.sentinel.ackTimeoutMs | quote }}
{{- else if and (eq .Values.redis.mode "external") .Values.redis.external.ackReplicas }}
- name: REDIS_ACK_REPLICAS
  value: {{ .Values.redis.external.ackReplicas | quote }}
{{- end }}
{{- end -}}

{{/* The Rooms API's keys and webhook, from the API Secret: for whichever process serves the API. */}}
{{- define "gamebuddies.roomsApiEnv" -}}
- name: API_KEYS
  valueFrom:
    secretKeyRef: { name: {{ include "gamebuddies.apiSecretName" . }}, key: api-keys }
- name: TOKEN_ENCRYPTION_KEY
  valueFrom:
    secretKeyRef: { name: {{ include "gamebuddies.apiSecretName" . }}, key: token-encryption-key }
{{- if .Values.roomsApi.webhook.url }}
- name: WEBHOOK_URL
  value: {{ .Values.roomsApi.webhook.url | quote }}
- name: WEBHOOK_SECRET
  valueFrom:
    secretKeyRef: { name: {{ include "gamebuddies.apiSecretName" . }}, key: webhook-secret }
{{- end }}
{{- end -}}

{{/* TRUST_PROXY for a process behind an optional Ingress: pass (dict "value" <setting> "ingress" <enabled>). */}}
{{- define "gamebuddies.trustProxy" -}}
{{- if .value -}}{{ .value }}{{- else if .ingress -}}1{{- else -}}false{{- end -}}
{{- end -}}

{{/* Pod and container security settings shared by every workload of the chart. */}}
{{- define "gamebuddies.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: 1000
runAsGroup: 1000
fsGroup: 1000
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{- define "gamebuddies.containerSecurityContext" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: {{ .Values.security.readOnlyRootFilesystem }}
capabilities:
  drop: [ALL]
{{- end -}}

{{/* The public base URL of the Rooms API (join links and LOOKUP_URL point at it). */}}
{{- define "gamebuddies.roomsApiUrl" -}}
{{- if .Values.roomsApi.publicUrl -}}
{{- .Values.roomsApi.publicUrl | trimSuffix "/" -}}
{{- else if and .Values.roomsApi.ingress.enabled .Values.roomsApi.ingress.host -}}
{{- printf "%s://%s" (ternary "https" "http" (not (empty .Values.roomsApi.ingress.tls))) .Values.roomsApi.ingress.host -}}
{{- else -}}
{{- printf "http://%s.%s.svc:%d" (include "gamebuddies.operator.fullname" .) .Release.Namespace (int .Values.roomsApi.service.port) -}}
{{- end -}}
{{- end -}}

{{/*
A secret the chart makes up when none is given, the same on every render: the value already in the
cluster (helm install/upgrade can look it up), else one derived from `secretSeed` (renders without
cluster access, `helm template` and GitOps, give the same value every time), else random (a plain
`helm install`; `lookup` keeps it on upgrades). Pass (dict "root" $ "secret" <name> "key" <key>
"purpose" <what it is for>); answers the value, not base64.
*/}}
{{- define "gamebuddies.generatedSecret" -}}
{{- $existing := lookup "v1" "Secret" .root.Release.Namespace .secret -}}
{{- $data := ($existing.data | default dict) -}}
{{- if hasKey $data .key -}}
{{- index $data .key | b64dec -}}
{{- else if .root.Values.secretSeed -}}
{{- printf "%s/%s/%s/%s" .root.Values.secretSeed .root.Release.Namespace .root.Release.Name .purpose | sha256sum | trunc 32 -}}
{{- else -}}
{{- randAlphaNum 32 -}}
{{- end -}}
{{- end -}}

{{/* The Redis password the chart's Secret holds (empty when the password comes from elsewhere). */}}
{{- define "gamebuddies.redisPassword" -}}
{{- $external := eq .Values.redis.mode "external" -}}
{{- $needed := ternary (and .Values.redis.external.password (not .Values.redis.external.existingSecret)) (and .Values.redis.auth.enabled (not .Values.redis.auth.existingSecret)) $external -}}
{{- if $needed -}}
{{- $password := ternary .Values.redis.external.password .Values.redis.auth.password $external -}}
{{- if $password -}}
{{- $password -}}
{{- else -}}
{{- include "gamebuddies.generatedSecret" (dict "root" . "secret" (include "gamebuddies.redisSecretName" .) "key" "password" "purpose" "redis-password") -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* The token encryption key the chart's API Secret holds (32 bytes, base64). */}}
{{- define "gamebuddies.tokenEncryptionKey" -}}
{{- if .Values.roomsApi.tokenEncryptionKey -}}
{{- .Values.roomsApi.tokenEncryptionKey -}}
{{- else -}}
{{- $name := include "gamebuddies.apiSecretName" . -}}
{{- $existing := lookup "v1" "Secret" .Release.Namespace $name -}}
{{- $data := ($existing.data | default dict) -}}
{{- if hasKey $data "token-encryption-key" -}}
{{- index $data "token-encryption-key" | b64dec -}}
{{- else if .Values.secretSeed -}}
{{- printf "%s/%s/%s/token-encryption-key" .Values.secretSeed .Release.Namespace .Release.Name | sha256sum | trunc 32 | b64enc -}}
{{- else -}}
{{- randBytes 32 -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/*
Pod annotations that roll the pods when a Secret the chart renders changes: pass (dict "root" $
"api" <bool> "redis" <bool>). Hashes the secret values only (a label or chart version change rolls
nothing). A Secret you bring (existingSecret) is not seen: roll by hand or with a reloader.
*/}}
{{- define "gamebuddies.secretChecksums" -}}
{{- $root := .root -}}
{{- $parts := list -}}
{{- if and .api (not $root.Values.roomsApi.existingSecret) -}}
{{- $parts = append $parts (dict "keys" $root.Values.roomsApi.apiKeys "token" (include "gamebuddies.tokenEncryptionKey" $root) "webhook" $root.Values.roomsApi.webhook.secret) -}}
{{- end -}}
{{- if .redis -}}
{{- $parts = append $parts (include "gamebuddies.redisPassword" $root) -}}
{{- end -}}
checksum/secrets: {{ $parts | toJson | sha256sum }}
{{- end -}}

{{/*
Redis' maxmemory in bytes: redis.maxmemory, else 75% of the redis container's memory limit (the
rest is the AOF rewrite's copy-on-write, replication and client buffers). No limit and no value is
refused: Redis would grow until the kernel kills it.
*/}}
{{- define "gamebuddies.redis.maxmemory" -}}
{{- if .Values.redis.maxmemory -}}
{{- .Values.redis.maxmemory -}}
{{- else -}}
{{- $limit := toString ((.Values.redis.resources.limits | default dict).memory | default "") -}}
{{- if not $limit -}}
{{- fail "redis.resources.limits.memory (or redis.maxmemory) is required: without maxmemory Redis is OOM-killed instead of refusing writes" -}}
{{- end -}}
{{- $units := dict "" 1 "k" 1000 "M" 1000000 "G" 1000000000 "T" 1000000000000 "Ki" 1024 "Mi" 1048576 "Gi" 1073741824 "Ti" 1099511627776 -}}
{{- $number := regexFind "^[0-9]+" $limit -}}
{{- $unit := trimPrefix $number $limit -}}
{{- if or (not $number) (not (hasKey $units $unit)) -}}
{{- fail (printf "redis.resources.limits.memory %q: give whole units (512Mi, 2Gi) or set redis.maxmemory" $limit) -}}
{{- end -}}
{{- div (mul (int64 $number) (index $units $unit) 3) 4 -}}
{{- end -}}
{{- end -}}

{{/*
Pod placement of a replicated set: (dict "root" $ "component" <c> "values" <its values>). Zones
first (ScheduleAnyway: a one-zone cluster still schedules), nodes by podAntiAffinity.
*/}}
{{- define "gamebuddies.placement" -}}
{{- $labels := include "gamebuddies.selectorLabels" (dict "root" .root "component" .component) | fromYaml -}}
{{- with .values.priorityClassName }}
priorityClassName: {{ . }}
{{- end }}
topologySpreadConstraints:
{{- if .values.topologySpreadConstraints }}
  {{- toYaml .values.topologySpreadConstraints | nindent 2 }}
{{- else }}
  - maxSkew: 1
    topologyKey: topology.kubernetes.io/zone
    whenUnsatisfiable: ScheduleAnyway
    labelSelector:
      matchLabels:
        {{- toYaml $labels | nindent 8 }}
{{- end }}
affinity:
{{- if .values.affinity }}
  {{- toYaml .values.affinity | nindent 2 }}
{{- else if eq .values.antiAffinity "required" }}
  # Never two on one node: a node loss takes one replica, not the set's quorum or standby.
  podAntiAffinity:
    requiredDuringSchedulingIgnoredDuringExecution:
      - topologyKey: kubernetes.io/hostname
        labelSelector:
          matchLabels:
            {{- toYaml $labels | nindent 12 }}
{{- else }}
  podAntiAffinity:
    preferredDuringSchedulingIgnoredDuringExecution:
      - weight: 100
        podAffinityTerm:
          topologyKey: kubernetes.io/hostname
          labelSelector:
            matchLabels:
              {{- toYaml $labels | nindent 14 }}
{{- end }}
{{- with .values.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .values.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end -}}
