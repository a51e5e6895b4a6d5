{{/* Chart name, overridable. */}}
{{- define "acs-push-operator.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Prefix of every resource name: the release name, unless it already holds the chart name. */}}
{{- define "acs-push-operator.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "acs-push-operator.selectorLabels" -}}
app.kubernetes.io/name: {{ include "acs-push-operator.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "acs-push-operator.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "acs-push-operator.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/component: operator
app.kubernetes.io/part-of: acs-push-operator
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "acs-push-operator.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "acs-push-operator.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "acs-push-operator.leaseName" -}}
{{- default (include "acs-push-operator.fullname" .) .Values.leaderElection.leaseName }}
{{- end }}

{{- define "acs-push-operator.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}
{{- end }}

{{/* Endpoints of the sovereign-cloud presets; an explicit value wins. */}}
{{- define "acs-push-operator.armEndpoint" -}}
{{- $presets := dict "AzurePublicCloud" "https://management.azure.com" "AzureUSGovernment" "https://management.usgovcloudapi.net" "AzureChinaCloud" "https://management.chinacloudapi.cn" }}
{{- default (get $presets .Values.azure.cloud) .Values.azure.armEndpoint }}
{{- end }}

{{- define "acs-push-operator.authorityHost" -}}
{{- $presets := dict "AzurePublicCloud" "https://login.microsoftonline.com" "AzureUSGovernment" "https://login.microsoftonline.us" "AzureChinaCloud" "https://login.chinacloudapi.cn" }}
{{- default (get $presets .Values.azure.cloud) .Values.azure.authorityHost }}
{{- end }}

{{/* Non-empty when the chart projects the workload-identity token itself (no webhook). */}}
{{- define "acs-push-operator.projectsToken" -}}
{{- if and .Values.workloadIdentity.enabled (not .Values.workloadIdentity.webhook) }}true{{ end }}
{{- end }}

{{/* Where the projected workload-identity token is mounted (the webhook's path, so that tools and
documentation about Azure Workload Identity apply unchanged). */}}
{{- define "acs-push-operator.tokenDir" -}}
/var/run/secrets/azure/tokens
{{- end }}

{{/* Non-empty when the values give the operator an Azure identity of its own. Without one it falls
back to the node's managed identity (IMDS). */}}
{{- define "acs-push-operator.hasIdentity" -}}
{{- $set := or .Values.workloadIdentity.enabled .Values.azure.credentials.existingSecret }}
{{- range .Values.extraEnv }}
{{- if has .name (list "AZURE_CLIENT_ID" "AZURE_CLIENT_SECRET" "AZURE_FEDERATED_TOKEN_FILE") }}
{{- $set = true }}
{{- end }}
{{- end }}
{{- if eq (toString (get .Values.podLabels "azure.workload.identity/use")) "true" }}
{{- $set = true }}
{{- end }}
{{- if $set }}true{{ end }}
{{- end }}

{{/* Settings that cannot be expressed in values.schema.json, checked once for every template. */}}
{{- define "acs-push-operator.validate" -}}
{{- if and .Values.workloadIdentity.enabled .Values.azure.credentials.existingSecret }}
{{- fail "set either workloadIdentity.enabled or azure.credentials.existingSecret, not both: the Secret's AZURE_CLIENT_SECRET would win over the federated token" }}
{{- end }}
{{- if and .Values.workloadIdentity.enabled (not .Values.workloadIdentity.clientId) }}
{{- fail "workloadIdentity.enabled needs workloadIdentity.clientId (the managed identity's client id)" }}
{{- end }}
{{- if and (include "acs-push-operator.projectsToken" .) (not .Values.workloadIdentity.tenantId) }}
{{- fail "workloadIdentity.enabled needs workloadIdentity.tenantId (the identity's Entra tenant), or workloadIdentity.webhook=true to let the Azure Workload Identity webhook fill it in" }}
{{- end }}
{{- if and .Values.azure.extraCA.configMap .Values.azure.extraCA.secret }}
{{- fail "set azure.extraCA.configMap or azure.extraCA.secret, not both" }}
{{- end }}
{{- if and (gt (int .Values.replicaCount) 1) (not .Values.leaderElection.enabled) }}
{{- fail "replicaCount > 1 needs leaderElection.enabled: two active replicas would fight over every link" }}
{{- end }}
{{- end }}
