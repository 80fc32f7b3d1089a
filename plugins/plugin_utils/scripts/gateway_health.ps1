# wac.fleet operation: gateway_health
# One health reading: the state of each gateway service and whether the gateway answers HTTPS on its port (any
# answer below 500 counts: a 401 to a request without credentials is an answer).
# Input (stdin): {services: [names], url: "https://localhost:<port>/"}. Output: {services: {name: status|null},
# https: {ok, status, error}}.
try {
    $in = $input | Out-String | ConvertFrom-Json
    $webOptions = Get-LocalWebOption

    $services = @{}
    foreach ($name in $in.services) {
        $service = Get-Service -Name $name -ErrorAction SilentlyContinue
        if ($null -ne $service) { $services[$name] = [string]$service.Status } else { $services[$name] = $null }
    }

    $https = @{ ok = $false; status = $null; error = $null }
    try {
        $response = Invoke-WebRequest @webOptions -Method Get -Uri $in.url -UseBasicParsing -TimeoutSec 10
        $https.status = [int]$response.StatusCode
        $https.ok = $true
    }
    catch {
        $https.error = [string]$_.Exception.Message
        $responseProperty = $_.Exception.PSObject.Properties['Response']
        if ($null -ne $responseProperty -and $null -ne $responseProperty.Value) {
            $https.status = [int]$responseProperty.Value.StatusCode
            $https.ok = $https.status -lt 500
        }
    }
    Write-Result @{ services = $services; https = $https }
}
catch {
    Write-Result @{ failed = $true; msg = [string]$_.Exception.Message } 1
}
