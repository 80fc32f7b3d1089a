# wac.fleet operation: gateway_rest
# Calls the gateway's own REST API on this PC with Windows authentication, one request after the other, and
# stops at the first answer that is not 2xx. The controller builds the requests (paths and bodies differ by
# generation); this script only carries them.
# Input: {base_url: "https://localhost:<port>", requests: [{method, path, body}]}.
# Output: {responses: [{method, path, status, body, error}]}.
try {
    $in = $input | Out-String | ConvertFrom-Json
    $webOptions = Get-LocalWebOption

    $responses = New-Object System.Collections.ArrayList
    foreach ($request in $in.requests) {
        $parameters = @{
            Method = $request.method
            Uri = $in.base_url + $request.path
            UseBasicParsing = $true
            UseDefaultCredentials = $true
            TimeoutSec = 60
            ContentType = 'application/json'
        }
        if ($null -ne $request.body) { $parameters.Body = ConvertTo-Json -InputObject $request.body -Compress -Depth 10 }
        $answer = @{ method = $request.method; path = $request.path; status = $null; body = $null; error = $null }
        try {
            $response = Invoke-WebRequest @webOptions @parameters
            $answer.status = [int]$response.StatusCode
            if ($response.Content) { $answer.body = $response.Content | ConvertFrom-Json }
        }
        catch {
            $answer.error = [string]$_.Exception.Message
            $responseProperty = $_.Exception.PSObject.Properties['Response']
            if ($null -ne $responseProperty -and $null -ne $responseProperty.Value) {
                $answer.status = [int]$responseProperty.Value.StatusCode
            }
        }
        [void]$responses.Add($answer)
        if ($null -eq $answer.status -or $answer.status -lt 200 -or $answer.status -ge 300) { break }
    }
    Write-Result @{ responses = @($responses) }
}
catch {
    Write-Result @{ failed = $true; msg = [string]$_.Exception.Message } 1
}
