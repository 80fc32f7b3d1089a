# wac.fleet operation: gateway_proxy_write
# Writes (or removes) the gateway proxy document where the generation keeps it: a registry value holding JSON, or
# a dotted path in a JSON settings file. Members of the document not named in the input are kept. Credentials are
# protected with DPAPI (LocalMachine) on the PC; the password is never written back to standard output.
# Input: {target: {kind, location, field, protected_member}, state: present|absent, document: {..},
# credentials: {username, password} | null, keep_credentials, only_if_password_differs, dry_run,
# restart_marker: {location, name} | null}. Before writing, sets the restart marker (registry value: the UTC time)
# when one is given: the gateway reads its proxy when it starts, and gateway_service_control clears the marker.
# Output: {written, password_matches}.
function Set-JsonPath {
    param($Object, [string]$Path, $Value)
    $names = $Path.Split('.')
    $node = $Object
    for ($i = 0; $i -lt $names.Length - 1; $i++) {
        $prop = $node.PSObject.Properties[$names[$i]]
        if ($null -eq $prop -or $null -eq $prop.Value) {
            $node | Add-Member -NotePropertyName $names[$i] -NotePropertyValue ([pscustomobject]@{}) -Force
            $prop = $node.PSObject.Properties[$names[$i]]
        }
        $node = $prop.Value
    }
    $node | Add-Member -NotePropertyName $names[-1] -NotePropertyValue $Value -Force
}

try {
    $in = $input | Out-String | ConvertFrom-Json
    Add-Type -AssemblyName System.Security
    $scope = [System.Security.Cryptography.DataProtectionScope]::LocalMachine
    $target = $in.target
    $member = $target.protected_member

    if ($target.kind -eq 'registry') {
        if (-not (Test-Path -LiteralPath $target.location)) { throw "registry key $($target.location) not found" }
        $item = Get-ItemProperty -LiteralPath $target.location
        $current = $null
        $raw = $item.PSObject.Properties[$target.field]
        if ($null -ne $raw -and $raw.Value) { $current = $raw.Value | ConvertFrom-Json }
    }
    else {
        $path = [Environment]::ExpandEnvironmentVariables($target.location)
        if (-not (Test-Path -LiteralPath $path -PathType Leaf)) { throw "settings file $path not found" }
        $settings = Get-Content -LiteralPath $path -Raw | ConvertFrom-Json
        $current = Get-JsonPath -Object $settings -Path $target.field
    }

    $blob = $null
    if ($null -ne $current -and $null -ne $current.PSObject.Properties[$member]) { $blob = $current.PSObject.Properties[$member].Value }
    $credentials = $in.credentials

    if ($in.only_if_password_differs) {
        $passwordMatches = $false
        if ($blob -and $null -ne $credentials) {
            try {
                $bytes = [System.Security.Cryptography.ProtectedData]::Unprotect([Convert]::FromBase64String($blob), $null, $scope)
                $stored = [Text.Encoding]::UTF8.GetString($bytes) | ConvertFrom-Json
                $passwordMatches = ($stored.username -ceq $credentials.username) -and ($stored.password -ceq $credentials.password)
            }
            catch {
                $passwordMatches = $false
            }
        }
        if ($passwordMatches -or $in.dry_run) { Write-Result @{ written = $false; password_matches = $passwordMatches } }
    }

    $new = $null
    if ($in.state -ne 'absent') {
        $new = [ordered]@{}
        if ($null -ne $current) {
            foreach ($prop in $current.PSObject.Properties) { $new[$prop.Name] = $prop.Value }
        }
        foreach ($prop in $in.document.PSObject.Properties) { $new[$prop.Name] = $prop.Value }
        if ($null -ne $credentials) {
            $plain = ConvertTo-Json -Compress -InputObject @{ username = [string]$credentials.username; password = [string]$credentials.password }
            $protected = [System.Security.Cryptography.ProtectedData]::Protect([Text.Encoding]::UTF8.GetBytes($plain), $null, $scope)
            $new[$member] = [Convert]::ToBase64String($protected)
        }
        elseif (-not $in.keep_credentials) {
            $new.Remove($member)
        }
    }

    # Marked before the write: a run stopped in between leaves a marker (one needless restart), never a new proxy
    # that nothing will restart the gateway for.
    $marker = $null  # optional input (strict mode: read it only if given)
    if ($null -ne $in.PSObject.Properties['restart_marker']) { $marker = $in.restart_marker }
    if ($null -ne $marker) {
        if (-not (Test-Path -LiteralPath $marker.location)) { New-Item -Path $marker.location -Force | Out-Null }
        $stamp = [DateTime]::UtcNow.ToString('o')
        Set-ItemProperty -LiteralPath $marker.location -Name $marker.name -Value $stamp -Type String
    }

    if ($target.kind -eq 'registry') {
        if ($null -eq $new) {
            Remove-ItemProperty -LiteralPath $target.location -Name $target.field -ErrorAction SilentlyContinue
        }
        else {
            $json = ConvertTo-Json -InputObject $new -Compress -Depth 5
            Set-ItemProperty -LiteralPath $target.location -Name $target.field -Value $json -Type String
        }
    }
    else {
        $value = $null
        if ($null -ne $new) { $value = [pscustomobject]$new }
        Set-JsonPath -Object $settings -Path $target.field -Value $value
        $temporary = "$path.wacfleet.tmp"
        [IO.File]::WriteAllText($temporary, (ConvertTo-Json -InputObject $settings -Depth 20), (New-Object Text.UTF8Encoding $false))
        Move-Item -LiteralPath $temporary -Destination $path -Force
    }
    Write-Result @{ written = $true; password_matches = $false }
}
catch {
    Write-Result @{ failed = $true; msg = [string]$_.Exception.Message } 1
}
