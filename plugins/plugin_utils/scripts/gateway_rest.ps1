# wac.fleet operation: gateway_rest
# Calls the gateway's own REST API on this PC as WAC's own client does: one read first (which gets the gateway's
# XSRF cookie into the web session), then the requests, each write carrying the X-XSRF-TOKEN header; stops at the
# first answer that is not 2xx. Authenticates as the input says (client certificate, default credentials, or the
# user name and password given on stdin). The controller builds the requests (paths and bodies differ by
# generation); this script only carries them.
# Input (stdin): {base_url, auth: {kind, ...}, user_agent, xsrf: {header, cookies}, read_first: path,
# requests: [{method, path, body}], marker: {location, name} | null}. The marker (a registry value: the UTC time) is
# set before the first write and removed once every write succeeded, so a run stopped in between is seen next time.
# Output: {read: {status, body, error}, responses: [{method, path, status, body, error}]}.
try {
    $in = $input | Out-String | ConvertFrom-Json
    $session = New-Object Microsoft.PowerShell.Commands.WebRequestSession
    $read = Invoke-Gateway -Method 'GET' -Uri ($in.base_url + $in.read_first) -Auth $in.auth -Session $session -UserAgent $in.user_agent
    $responses = New-Object System.Collections.ArrayList
    if ($null -ne $read.status -and $read.status -ge 200 -and $read.status -lt 300) {
        $marker = $in.marker
        if ($null -ne $marker) {
            if (-not (Test-Path -LiteralPath $marker.location)) { New-Item -Path $marker.location -Force | Out-Null }
            Set-ItemProperty -LiteralPath $marker.location -Name $marker.name -Value ([DateTime]::UtcNow.ToString('o')) -Type String
        }
        $done = 0
        foreach ($request in $in.requests) {
            $uri = $in.base_url + $request.path
            $headers = Get-XsrfHeader -Session $session -Uri $uri -Xsrf $in.xsrf
            $answer = Invoke-Gateway -Method $request.method -Uri $uri -Auth $in.auth -Session $session -UserAgent $in.user_agent -Body $request.body -Headers $headers
            $answer.method = $request.method
            $answer.path = $request.path
            [void]$responses.Add($answer)
            if ($null -eq $answer.status -or $answer.status -lt 200 -or $answer.status -ge 300) { break }
            $done++
        }
        if ($null -ne $marker -and $done -eq @($in.requests).Count) {
            Remove-ItemProperty -LiteralPath $marker.location -Name $marker.name -ErrorAction SilentlyContinue
        }
    }
    Write-Result @{ read = $read; responses = @($responses) }
}
catch {
    Write-Result @{ failed = $true; msg = [string]$_.Exception.Message } 1
}
