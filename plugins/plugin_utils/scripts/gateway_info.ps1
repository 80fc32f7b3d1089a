# wac.fleet operation: gateway_info
# Reads, in one command, what wac.fleet.gateway_info reports: each generation's settings store (registry key or
# JSON file), the proxy in it (never its password: only whether credentials are set, and the user name), the
# services and processes asked for, the FQDN, the registration from the gateway's own REST API, and the
# collection's restart marker (set by gateway_proxy_write, cleared by gateway_service_control).
# Input (JSON in $inputJson, which _gateway_scripts sets on the line after the marker: the input is a constant of
# the collection): {stores: [{id, kind, location, fields, protected_member, rest_root, rest_read, version_file?}],
# services: [names], processes: [names], restart_marker: {location, name}}.
# Output: one JSON object. Decisions are made in Python.
function Get-ProtectedUserName {
    param([string]$Blob)
    try {
        Add-Type -AssemblyName System.Security
        $bytes = [System.Security.Cryptography.ProtectedData]::Unprotect(
            [Convert]::FromBase64String($Blob), $null, [System.Security.Cryptography.DataProtectionScope]::LocalMachine)
        $credentials = [Text.Encoding]::UTF8.GetString($bytes) | ConvertFrom-Json
        return [string]$credentials.username
    }
    catch {
        return $null
    }
}

function Invoke-Gateway {
    param([string]$Method, [string]$Uri)
    try {
        $response = Invoke-WebRequest @webOptions -Method $Method -Uri $Uri -UseBasicParsing -UseDefaultCredentials -TimeoutSec 30
        $body = $null
        if ($response.Content) { $body = $response.Content | ConvertFrom-Json }
        return @{ status = [int]$response.StatusCode; body = $body }
    }
    catch {
        $status = $null
        $responseProperty = $_.Exception.PSObject.Properties['Response']
        if ($null -ne $responseProperty -and $null -ne $responseProperty.Value) {
            $status = [int]$responseProperty.Value.StatusCode
        }
        return @{ status = $status; body = $null; error = $_.Exception.Message }
    }
}

try {
    $in = $inputJson | ConvertFrom-Json
    # The gateway's certificate is often self-signed and named for the FQDN, not localhost: this request never
    # leaves the PC, so the loopback call accepts it.
    $webOptions = Get-LocalWebOption

    $stores = @{}
    foreach ($store in $in.stores) {
        $out = @{ found = $false; values = @{}; proxy_credentials = @{ set = $false; username = $null }; registration = $null }
        if ($store.kind -eq 'registry') {
            $item = Get-ItemProperty -LiteralPath $store.location -ErrorAction SilentlyContinue
            $out.found = $null -ne $item
            foreach ($field in $store.fields.PSObject.Properties) {
                $value = $null
                if ($null -ne $item -and $null -ne $item.PSObject.Properties[$field.Value]) {
                    $value = $item.PSObject.Properties[$field.Value].Value
                }
                $out.values[$field.Name] = $value
            }
        }
        else {
            $path = [Environment]::ExpandEnvironmentVariables($store.location)
            $document = $null
            if (Test-Path -LiteralPath $path -PathType Leaf) {
                $out.found = $true
                $document = Get-Content -LiteralPath $path -Raw | ConvertFrom-Json
            }
            foreach ($field in $store.fields.PSObject.Properties) {
                $out.values[$field.Name] = Get-JsonPath -Object $document -Path $field.Value
            }
            $versionFile = $store.PSObject.Properties['version_file']
            if ($null -ne $versionFile) {
                $file = [Environment]::ExpandEnvironmentVariables($versionFile.Value)
                if (Test-Path -LiteralPath $file -PathType Leaf) {
                    $out.file_version = (Get-Item -LiteralPath $file).VersionInfo.ProductVersion
                }
            }
        }
        $proxy = $out.values['proxy']
        if ($proxy -is [string]) {
            if ($proxy) { $proxy = $proxy | ConvertFrom-Json } else { $proxy = $null }
        }
        if ($null -ne $proxy) {
            $protected = $proxy.PSObject.Properties[$store.protected_member]
            if ($null -ne $protected -and $protected.Value) {
                $out.proxy_credentials = @{ set = $true; username = (Get-ProtectedUserName -Blob $protected.Value) }
            }
            $proxy.PSObject.Properties.Remove($store.protected_member)
        }
        $out.values['proxy'] = $proxy
        $port = $out.values['port']
        if ($out.found -and $port) {
            $uri = 'https://localhost:{0}{1}{2}' -f $port, $store.rest_root, $store.rest_read
            $out.registration = Invoke-Gateway -Method 'GET' -Uri $uri
        }
        $stores[$store.id] = $out
    }

    $services = @{}
    foreach ($name in $in.services) {
        $service = Get-Service -Name $name -ErrorAction SilentlyContinue
        if ($null -ne $service) {
            $services[$name] = @{ status = [string]$service.Status; start_type = [string]$service.StartType }
        }
        else {
            $services[$name] = $null
        }
    }

    $processes = @{}
    foreach ($name in $in.processes) {
        $processes[$name] = $null -ne (Get-Process -Name $name -ErrorAction SilentlyContinue)
    }

    $restartMarker = @{ set = $false; since = $null }
    $marker = $null  # optional input (strict mode: read it only if given)
    if ($null -ne $in.PSObject.Properties['restart_marker']) { $marker = $in.restart_marker }
    if ($null -ne $marker) {
        $item = Get-ItemProperty -LiteralPath $marker.location -ErrorAction SilentlyContinue
        if ($null -ne $item -and $null -ne $item.PSObject.Properties[$marker.name]) {
            $restartMarker = @{ set = $true; since = [string]$item.PSObject.Properties[$marker.name].Value }
        }
    }

    $fqdn = $env:COMPUTERNAME
    try { $fqdn = [System.Net.Dns]::GetHostEntry([Environment]::MachineName).HostName } catch { $fqdn = $env:COMPUTERNAME }

    Write-Result @{ stores = $stores; services = $services; processes = $processes; fqdn = $fqdn; restart_marker = $restartMarker }
}
catch {
    Write-Result @{ failed = $true; msg = [string]$_.Exception.Message } 1
}
