# wac.fleet operation: gateway_proxy_write
# Writes (or removes) the gateway proxy document where the generation keeps it: a registry value holding JSON, or a
# dotted path in a JSON settings file, rewritten in place (so the file keeps its ACL, as CFG's UpdateJsonField does).
# Members of the document not named in the input are kept. Credentials are written only where the input says how
# (v2: Set-WACProxy's form, Credentials = "plaintext:" + base64(UTF-8 "user:password") and ProtectedData = "");
# the password is never written back to standard output.
# Input (stdin): {target: {kind, location, field, credential_members, plaintext_member?, protected_member?,
# plaintext_prefix?, json_depth?}, state: present|absent, document: {..}, credentials: {username, password} | null,
# keep_credentials, only_if_password_differs, dry_run, restart_marker: {location, name} | null}. Before writing,
# sets the restart marker (registry value: the UTC time) when one is given: the gateway reads its proxy when it
# starts, and gateway_service_control clears the marker.
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

function Get-Plaintext {
    param([string]$Prefix, [string]$UserName, [string]$Password)
    $Prefix + [Convert]::ToBase64String([Text.Encoding]::UTF8.GetBytes($UserName + ':' + $Password))
}

try {
    $in = $input | Out-String | ConvertFrom-Json
    $target = $in.target

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

    $credentials = $in.credentials
    $plaintextMember = $null
    if ($null -ne $target.PSObject.Properties['plaintext_member']) { $plaintextMember = $target.plaintext_member }

    if ($in.only_if_password_differs) {
        # Only the plaintext form can be compared; any other stored form counts as different.
        $passwordMatches = $false
        if ($null -ne $current -and $null -ne $plaintextMember -and $null -ne $credentials) {
            $stored = $current.PSObject.Properties[$plaintextMember]
            $wanted = Get-Plaintext -Prefix $target.plaintext_prefix -UserName $credentials.username -Password $credentials.password
            $passwordMatches = $null -ne $stored -and ([string]$stored.Value -ceq $wanted)
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
            if ($null -eq $plaintextMember) { throw 'this gateway generation has no documented form for proxy credentials' }
            $new[$target.protected_member] = ''
            $new[$plaintextMember] = Get-Plaintext -Prefix $target.plaintext_prefix -UserName $credentials.username -Password $credentials.password
        }
        elseif (-not $in.keep_credentials) {
            foreach ($member in $target.credential_members) {
                if ($null -ne $plaintextMember) { $new[$member] = '' } else { $new.Remove($member) }
            }
        }
    }

    # Marked before the write: a run stopped in between leaves a marker (one needless restart), never a new proxy
    # that nothing will restart the gateway for.
    $marker = $in.restart_marker
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
        # In place: the existing file is truncated and rewritten, so it keeps its security descriptor (the
        # NetworkService entry of CFG's Set-WACNetworkServiceAccess); a new file moved over it would not.
        [IO.File]::WriteAllText($path, (ConvertTo-Json -InputObject $settings -Depth ([int]$target.json_depth)), (New-Object Text.UTF8Encoding $false))
    }
    Write-Result @{ written = $true; password_matches = $false }
}
catch {
    Write-Result @{ failed = $true; msg = [string]$_.Exception.Message } 1
}
