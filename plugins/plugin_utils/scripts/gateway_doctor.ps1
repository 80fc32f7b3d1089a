# wac.fleet operation: gateway_doctor
# Collects, in one command and without writing anything, the evidence wac.fleet.gateway_doctor holds against the
# collection's facts about Windows Admin Center: the registry keys and JSON settings files named (every value, with
# each secret replaced by whether it is set and its form), files, services and processes, the desktop client
# certificate, the http.sys TLS bindings (raw netsh lines) and the ports the gateway processes listen on, the TLS
# certificate served on each candidate port, read-only GETs of the registration at each of them (with the logon's
# default credentials, the client certificate where the collection would use it, and the user name and password
# given), the WAC configuration module's cmdlets, WinRM quotas, OS and PowerShell versions.
# Input: JSON in $inputJson (set by _gateway_scripts on the line after the marker when it holds no secret), else on
# stdin: {registry: [{id, key}], json_files: [{id, path}], files: [{id, path}], secret_names (regex),
# plaintext_prefix, services, processes, stores (as gateway_info), client_certificate: {registry, value, stores},
# http_sys_app_ids, module: {name, path}, winrm: {path, settings}, user_agent, credentials?: {username, password}}.
# Output: one JSON object of raw readings. Every decision is made in Python.

# A secret's presence and form, never its value: none (null), empty, plaintext (the prefix Set-WACProxy writes) or
# other.
function Get-SecretForm {
    param($Value, [string]$Prefix)
    if ($null -eq $Value) { return [ordered]@{ redacted = $true; set = $false; form = 'none' } }
    $text = [string]$Value
    $form = 'other'
    if ($Value -is [string]) {
        if ($text.Length -eq 0) { $form = 'empty' }
        elseif ($Prefix -and $text.StartsWith($Prefix)) { $form = 'plaintext' }
    }
    [ordered]@{ redacted = $true; set = ($text.Length -gt 0); form = $form }
}

# A copy of a parsed JSON document in which every member whose name matches $Pattern is replaced by its form.
function Protect-Secret {
    param($Node, [string]$Pattern, [string]$Prefix)
    if ($null -eq $Node) { return $null }
    if ($Node -is [System.Management.Automation.PSCustomObject]) {
        $copy = [ordered]@{}
        foreach ($property in $Node.PSObject.Properties) {
            if ($property.Name -match $Pattern) { $copy[$property.Name] = Get-SecretForm -Value $property.Value -Prefix $Prefix }
            else { $copy[$property.Name] = Protect-Secret -Node $property.Value -Pattern $Pattern -Prefix $Prefix }
        }
        return [pscustomobject]$copy
    }
    if ($Node -is [System.Array]) {
        $items = New-Object System.Collections.ArrayList
        foreach ($item in $Node) { [void]$items.Add((Protect-Secret -Node $item -Pattern $Pattern -Prefix $Prefix)) }
        return , $items.ToArray()
    }
    $Node
}

function Get-Date8601 {
    param($Date)
    if ($null -eq $Date) { return $null }
    $Date.ToUniversalTime().ToString('yyyy-MM-ddTHH:mm:ssZ')
}

# The certificate the gateway serves on a port, from a TLS handshake with localhost (not validated: only read).
function Get-TlsCertificate {
    param([int]$Port)
    $out = [ordered]@{ port = $Port; ok = $false; error = $null; subject = $null; issuer = $null; thumbprint = $null; not_before = $null; not_after = $null }
    $client = $null
    $stream = $null
    try {
        $client = New-Object System.Net.Sockets.TcpClient
        $client.Connect('localhost', $Port)
        $callback = [System.Net.Security.RemoteCertificateValidationCallback] { $true }
        $network = $client.GetStream()
        $stream = New-Object System.Net.Security.SslStream -ArgumentList $network, $false, $callback
        $protocols = [System.Security.Authentication.SslProtocols]::Tls12
        if ([enum]::GetNames([System.Security.Authentication.SslProtocols]) -contains 'Tls13') {
            $protocols = [System.Security.Authentication.SslProtocols]([int]$protocols -bor [int][System.Security.Authentication.SslProtocols]'Tls13')
        }
        $stream.AuthenticateAsClient('localhost', $null, $protocols, $false)
        $certificate = New-Object System.Security.Cryptography.X509Certificates.X509Certificate2 -ArgumentList $stream.RemoteCertificate
        $out.subject = $certificate.Subject
        $out.issuer = $certificate.Issuer
        $out.thumbprint = $certificate.Thumbprint
        $out.not_before = Get-Date8601 -Date $certificate.NotBefore
        $out.not_after = Get-Date8601 -Date $certificate.NotAfter
        $out.ok = $true
    }
    catch { $out.error = [string]$_.Exception.Message }
    finally {
        if ($null -ne $stream) { $stream.Dispose() }
        if ($null -ne $client) { $client.Close() }
    }
    $out
}

try {
    if (Test-Path -Path variable:inputJson) { $in = $inputJson | ConvertFrom-Json }
    else { $in = $input | Out-String | ConvertFrom-Json }
    $credentials = $null
    if ($null -ne $in.PSObject.Properties['credentials']) { $credentials = $in.credentials }
    $pattern = [string]$in.secret_names
    $prefix = [string]$in.plaintext_prefix

    $os = [ordered]@{ caption = $null; version = $null; build = $null; error = $null }
    try {
        $system = Get-CimInstance -ClassName Win32_OperatingSystem -ErrorAction Stop
        $os.caption = [string]$system.Caption
        $os.version = [string]$system.Version
        $os.build = [string]$system.BuildNumber
    }
    catch { $os.error = [string]$_.Exception.Message }
    $powershell = [ordered]@{ version = $PSVersionTable.PSVersion.ToString(); edition = [string]$PSVersionTable['PSEdition']; clr = [string]$PSVersionTable['CLRVersion'] }

    # Registry keys: every value; secrets by form, JSON strings parsed (secrets by form), binary by length.
    $registry = [ordered]@{}
    $classicValues = @{}
    foreach ($spec in $in.registry) {
        $out = [ordered]@{ key = $spec.key; found = $false; values = [ordered]@{}; json_values = [ordered]@{}; secret_values = [ordered]@{}; binary_values = [ordered]@{}; kinds = [ordered]@{}; subkeys = @() }
        $item = Get-Item -LiteralPath $spec.key -ErrorAction SilentlyContinue
        if ($null -ne $item) {
            $out.found = $true
            $out.subkeys = @($item.GetSubKeyNames() | Sort-Object)
            foreach ($name in $item.GetValueNames()) {
                $value = $item.GetValue($name)
                $out.kinds[$name] = [string]$item.GetValueKind($name)
                if ($spec.id -eq 'classic') { $classicValues[$name] = $value }
                if ($name -match $pattern) { $out.secret_values[$name] = Get-SecretForm -Value $value -Prefix $prefix; continue }
                if ($value -is [byte[]]) { $out.binary_values[$name] = $value.Length; continue }
                if ($value -is [string] -and $value.TrimStart().StartsWith('{')) {
                    $parsed = $null
                    try { $parsed = $value | ConvertFrom-Json } catch { $parsed = $null }
                    if ($null -ne $parsed) { $out.json_values[$name] = Protect-Secret -Node $parsed -Pattern $pattern -Prefix $prefix; continue }
                }
                $out.values[$name] = $value
            }
        }
        $registry[$spec.id] = $out
    }

    # JSON settings files: the whole document (secrets by form) and its access-control list.
    $jsonFiles = [ordered]@{}
    $documents = @{}
    foreach ($spec in $in.json_files) {
        $path = [Environment]::ExpandEnvironmentVariables($spec.path)
        $out = [ordered]@{ path = $path; found = $false; document = $null; acl = @(); error = $null }
        if (Test-Path -LiteralPath $path -PathType Leaf) {
            $out.found = $true
            try {
                $document = Get-Content -LiteralPath $path -Raw | ConvertFrom-Json
                $documents[$spec.id] = $document
                $out.document = Protect-Secret -Node $document -Pattern $pattern -Prefix $prefix
            }
            catch { $out.error = [string]$_.Exception.Message }
            $entries = @()
            foreach ($rule in (Get-Acl -LiteralPath $path).Access) {
                $sid = $null
                try { $sid = $rule.IdentityReference.Translate([System.Security.Principal.SecurityIdentifier]).Value } catch { $sid = $null }
                $entries += [ordered]@{ identity = [string]$rule.IdentityReference; sid = $sid; rights = [string]$rule.FileSystemRights; type = [string]$rule.AccessControlType; inherited = [bool]$rule.IsInherited }
            }
            $out.acl = $entries
        }
        $jsonFiles[$spec.id] = $out
    }

    $files = [ordered]@{}
    foreach ($spec in $in.files) {
        $path = [Environment]::ExpandEnvironmentVariables($spec.path)
        $out = [ordered]@{ path = $path; found = (Test-Path -LiteralPath $path); kind = $null; version = $null }
        if ($out.found) {
            $item = Get-Item -LiteralPath $path
            if ($item.PSIsContainer) { $out.kind = 'directory' } else { $out.kind = 'file'; $out.version = $item.VersionInfo.ProductVersion }
        }
        $files[$spec.id] = $out
    }

    $services = [ordered]@{}
    $processIds = @()
    foreach ($name in $in.services) {
        $service = Get-Service -Name $name -ErrorAction SilentlyContinue
        if ($null -eq $service) { $services[$name] = $null; continue }
        $services[$name] = [ordered]@{ status = [string]$service.Status; start_type = [string]$service.StartType }
        $wmi = Get-CimInstance -ClassName Win32_Service -Filter ("Name='{0}'" -f $name) -ErrorAction SilentlyContinue
        if ($null -ne $wmi -and $wmi.ProcessId) { $processIds += [int]$wmi.ProcessId }
    }
    $processes = [ordered]@{}
    foreach ($name in $in.processes) {
        $running = @(Get-Process -Name $name -ErrorAction SilentlyContinue)
        $processes[$name] = [ordered]@{ running = ($running.Count -gt 0); count = $running.Count }
        foreach ($process in $running) { $processIds += [int]$process.Id }
    }

    # The desktop client certificate named by the registry value, looked up in each store given.
    $certificates = @()
    $thumbprint = $null
    if ($classicValues.ContainsKey($in.client_certificate.value)) { $thumbprint = [string]$classicValues[$in.client_certificate.value] }
    if ($thumbprint) {
        foreach ($store in $in.client_certificate.stores) {
            $out = [ordered]@{ store = $store; thumbprint = $thumbprint; found = $false; subject = $null; not_after = $null; has_private_key = $null }
            $certificate = Get-Item -LiteralPath (Join-Path -Path $store -ChildPath $thumbprint) -ErrorAction SilentlyContinue
            if ($null -ne $certificate) {
                $out.found = $true
                $out.subject = $certificate.Subject
                $out.not_after = Get-Date8601 -Date $certificate.NotAfter
                $out.has_private_key = [bool]$certificate.HasPrivateKey
            }
            $certificates += $out
        }
    }

    # http.sys TLS bindings (netsh's own lines; the ports of the WAC application IDs are probed below) and the ports
    # the gateway's processes listen on themselves.
    $httpSys = [ordered]@{ lines = @(); error = $null }
    $boundPorts = @()
    try {
        $httpSys.lines = @(& netsh.exe http show sslcert 2>&1 | ForEach-Object { [string]$_ })
        $block = @()
        foreach ($line in ($httpSys.lines + @(''))) {
            if ($line.Trim()) { $block += $line; continue }
            $port = $null
            $application = $null
            foreach ($entry in $block) {
                $parts = $entry -split '\s:\s', 2
                if ($parts.Count -lt 2) { continue }
                $text = $parts[1].Trim()
                if ($null -eq $port -and $text -match '^\S+:(\d+)$') { $port = [int]$Matches[1] }
                if ($null -eq $application -and $text -match '^\{?[0-9a-fA-F-]{36}\}?$') { $application = $text.Trim('{', '}') }
            }
            if ($null -ne $port -and $in.http_sys_app_ids -contains $application) { $boundPorts += $port }
            $block = @()
        }
    }
    catch { $httpSys.error = [string]$_.Exception.Message }
    $listeners = [ordered]@{ ports = @(); error = $null }
    if ($processIds.Count -gt 0) {
        try {
            $listeners.ports = @(Get-NetTCPConnection -State Listen -ErrorAction Stop | Where-Object { $processIds -contains $_.OwningProcess } | ForEach-Object { [int]$_.LocalPort } | Sort-Object -Unique)
        }
        catch { $listeners.error = [string]$_.Exception.Message }
    }

    # For each settings store found: the port as gateway_info derives it, then TLS and the registration read on it and
    # on every port found above, with each authentication the collection could use.
    $tls = @()
    $rest = @()
    $probed = @{}
    foreach ($store in $in.stores) {
        $values = @{}
        $found = $false
        if ($store.kind -eq 'registry') {
            $found = $registry['classic'].found -and $store.location -eq $registry['classic'].key
            foreach ($field in $store.fields.PSObject.Properties) { if ($classicValues.ContainsKey($field.Value)) { $values[$field.Name] = $classicValues[$field.Value] } }
        }
        elseif ($documents.ContainsKey('appsettings') -and $store.location -eq ($in.json_files | Where-Object { $_.id -eq 'appsettings' }).path) {
            $found = $true
            foreach ($field in $store.fields.PSObject.Properties) { $values[$field.Name] = Get-JsonPath -Object $documents['appsettings'] -Path $field.Value }
        }
        if (-not $found) { continue }
        $port = $null
        foreach ($field in $store.port_fields) { if ($null -eq $port) { $port = ConvertTo-Port -Value $values[$field] } }
        if ($null -eq $port -and $null -ne $store.default_port) { $port = [int]$store.default_port }
        $ports = @($boundPorts) + @($listeners.ports)
        if ($null -ne $port) { $ports = @($port) + $ports }
        # desktop mode (the v1 key without the v1 service): its client certificate, and Windows authentication only to
        # see it refused (the connection's password is not sent to a gateway that takes none)
        $auths = @()
        $desktop = $false
        $unless = $store.rest.PSObject.Properties['certificate_unless_service']
        if ($null -ne $unless -and $null -eq $services[$unless.Value]) {
            $desktop = $true
            $auths += [pscustomobject]@{ kind = 'certificate'; registry_key = $store.location; value = $store.fields.PSObject.Properties[$store.rest.certificate.field].Value; stores = $store.rest.certificate.stores }
        }
        $auths += [pscustomobject]@{ kind = 'default' }
        if ($null -ne $credentials -and -not $desktop) { $auths += [pscustomobject]@{ kind = 'explicit'; username = $credentials.username; password = $credentials.password } }
        foreach ($candidate in ($ports | Select-Object -Unique)) {
            if (-not $probed.ContainsKey($candidate)) {
                $probed[$candidate] = Get-TlsCertificate -Port $candidate
                $tls += $probed[$candidate]
            }
            if (-not $probed[$candidate].ok) { continue }
            foreach ($auth in $auths) {
                $session = New-Object Microsoft.PowerShell.Commands.WebRequestSession
                $uri = 'https://localhost:{0}{1}{2}' -f $candidate, $store.rest.root, $store.rest.read
                $answer = Invoke-Gateway -Method 'GET' -Uri $uri -Auth $auth -Session $session -UserAgent $in.user_agent
                $cookies = @($session.Cookies.GetCookies([Uri]$uri) | ForEach-Object { $_.Name })
                $rest += [ordered]@{ store = $store.id; port = $candidate; root = $store.rest.root; auth = $auth.kind; status = $answer.status; error = $answer.error; body = (Protect-Secret -Node $answer.body -Pattern $pattern -Prefix $prefix); cookies = $cookies }
            }
        }
    }

    # The v2 configuration module: loaded, else imported from where it is installed; its cmdlets.
    $module = [ordered]@{ name = $in.module.name; path = [Environment]::ExpandEnvironmentVariables($in.module.path); found = $false; loaded = $false; imported = $false; version = $null; cmdlets = @(); error = $null }
    try {
        $module.found = Test-Path -LiteralPath $module.path
        $loaded = Get-Module -Name $module.name
        if ($null -ne $loaded) { $module.loaded = $true }
        elseif ($module.found) {
            $loaded = Import-Module -Name $module.path -PassThru -ErrorAction Stop
            $module.imported = $true
        }
        else {
            $available = Get-Module -ListAvailable -Name $module.name | Select-Object -First 1
            if ($null -ne $available) {
                $loaded = Import-Module -Name $available.Path -PassThru -ErrorAction Stop
                $module.imported = $true
            }
        }
        if ($null -ne $loaded) {
            $module.version = [string]($loaded | Select-Object -First 1).Version
            $module.cmdlets = @(Get-Command -Module $module.name | ForEach-Object { $_.Name } | Sort-Object)
        }
    }
    catch { $module.error = [string]$_.Exception.Message }

    $winrm = [ordered]@{ values = [ordered]@{}; error = $null }
    foreach ($name in $in.winrm.settings) {
        try { $winrm.values[$name] = [string](Get-Item -Path (Join-Path -Path $in.winrm.path -ChildPath $name) -ErrorAction Stop).Value }
        catch {
            $winrm.values[$name] = $null
            $winrm.error = [string]$_.Exception.Message
        }
    }

    $fqdn = $env:COMPUTERNAME
    try { $fqdn = [System.Net.Dns]::GetHostEntry([Environment]::MachineName).HostName } catch { $fqdn = $env:COMPUTERNAME }

    $result = [ordered]@{
        doctor = 1; host = [ordered]@{ computer_name = $env:COMPUTERNAME; fqdn = $fqdn }; os = $os; powershell = $powershell
        registry = $registry; json_files = $jsonFiles; files = $files; services = $services; processes = $processes
        certificates = $certificates; http_sys = $httpSys; listeners = $listeners; tls = $tls; rest = $rest
        module = $module; winrm = $winrm
    }
    [Console]::Out.WriteLine((ConvertTo-Json -InputObject $result -Compress -Depth 40))
    exit 0
}
catch {
    Write-Result @{ failed = $true; msg = [string]$_.Exception.Message } 1
}
