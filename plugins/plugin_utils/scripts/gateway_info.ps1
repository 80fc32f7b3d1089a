# wac.fleet operation: gateway_info
# Reads, in one command, what wac.fleet.gateway_info reports: the services and processes asked for, each
# generation's settings store (registry key or JSON file), the proxy in it (never its credentials: only whether they
# are set, their form, and the user name of the plaintext form), the FQDN, the registration from the gateway's own
# REST API, and the collection's markers (restart: set by gateway_proxy_write, cleared by gateway_service_control;
# registration: set and cleared by gateway_rest around the registration's writes).
# Input: JSON in $inputJson (set by _gateway_scripts on the line after the marker when it holds no secret), else on
# stdin: {stores: [{id, kind, location, fields, port_fields, default_port, credential_members, version_file?,
# rest: {root, read, certificate_unless_service?, certificate?}}], services: [names], processes: [names],
# markers: {name: {location, name}}, user_agent, credentials?: {username, password}}.
# Output: one JSON object of raw readings. Decisions are made in Python.

# Whether proxy credentials are set, in which form, and the user name of Set-WACProxy's plaintext form; never the
# password.
function Get-ProxyCredential {
    param($Proxy, $Members)
    $found = @{ set = $false; form = $null; username = $null }
    foreach ($member in $Members) {
        $prop = $Proxy.PSObject.Properties[$member]
        if ($null -eq $prop -or -not $prop.Value) { continue }
        $found.set = $true
        $text = [string]$prop.Value
        if ($text.StartsWith('plaintext:')) {
            $found.form = 'plaintext'
            try {
                $pair = [Text.Encoding]::UTF8.GetString([Convert]::FromBase64String($text.Substring(10)))
                $found.username = $pair.Split(':')[0]
            }
            catch { $found.username = $null }
        }
        elseif ($null -eq $found.form) { $found.form = 'protected' }
    }
    $found
}

try {
    if (Test-Path -Path variable:inputJson) { $in = $inputJson | ConvertFrom-Json }
    else { $in = $input | Out-String | ConvertFrom-Json }
    $credentials = $null
    if ($null -ne $in.PSObject.Properties['credentials']) { $credentials = $in.credentials }

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

    $stores = @{}
    foreach ($store in $in.stores) {
        $out = @{ found = $false; values = @{}; proxy_credentials = @{ set = $false; form = $null; username = $null }; registration = $null }
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
            $out.proxy_credentials = Get-ProxyCredential -Proxy $proxy -Members $store.credential_members
            foreach ($member in $store.credential_members) { $proxy.PSObject.Properties.Remove($member) }
        }
        $out.values['proxy'] = $proxy
        $port = $null
        foreach ($field in $store.port_fields) {
            if ($null -eq $port) { $port = ConvertTo-Port -Value $out.values[$field] }
        }
        if ($null -eq $port -and $null -ne $store.default_port) { $port = [int]$store.default_port }
        if ($out.found -and $port) {
            $rest = $store.rest
            $auth = @{ kind = 'default' }
            if ($null -ne $credentials) { $auth = @{ kind = 'explicit'; username = $credentials.username; password = $credentials.password } }
            $unless = $rest.PSObject.Properties['certificate_unless_service']
            if ($null -ne $unless -and $null -eq $services[$unless.Value]) {
                $certificate = $rest.certificate
                $auth = @{ kind = 'certificate'; registry_key = $store.location; value = $store.fields.PSObject.Properties[$certificate.field].Value; stores = $certificate.stores }
            }
            $session = New-Object Microsoft.PowerShell.Commands.WebRequestSession
            $uri = 'https://localhost:{0}{1}{2}' -f $port, $rest.root, $rest.read
            $out.registration = Invoke-Gateway -Method 'GET' -Uri $uri -Auth ([pscustomobject]$auth) -Session $session -UserAgent $in.user_agent
        }
        $stores[$store.id] = $out
    }

    $processes = @{}
    foreach ($name in $in.processes) {
        $processes[$name] = $null -ne (Get-Process -Name $name -ErrorAction SilentlyContinue)
    }

    $markers = @{}
    foreach ($entry in $in.markers.PSObject.Properties) {
        $markers[$entry.Name] = @{ set = $false; since = $null }
        $item = Get-ItemProperty -LiteralPath $entry.Value.location -ErrorAction SilentlyContinue
        if ($null -ne $item -and $null -ne $item.PSObject.Properties[$entry.Value.name]) {
            $markers[$entry.Name] = @{ set = $true; since = [string]$item.PSObject.Properties[$entry.Value.name].Value }
        }
    }

    $fqdn = $env:COMPUTERNAME
    try { $fqdn = [System.Net.Dns]::GetHostEntry([Environment]::MachineName).HostName } catch { $fqdn = $env:COMPUTERNAME }

    Write-Result @{ stores = $stores; services = $services; processes = $processes; fqdn = $fqdn; markers = $markers }
}
catch {
    Write-Result @{ failed = $true; msg = [string]$_.Exception.Message } 1
}
