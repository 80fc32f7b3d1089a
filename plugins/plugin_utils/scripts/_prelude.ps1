# The part every gateway script shares, inserted after its marker line by _gateway_scripts.load_script:
# stop on any error, no progress records, one JSON object out, a dotted-path reader for JSON documents, a port reader
# for settings, and calls to the gateway's own HTTPS endpoint on localhost (its certificate is self-signed or for
# another name, so it is not validated there), authenticated as the input says, with WAC's XSRF header on writes.
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'

# The result goes to the pipeline's output, not to [Console]::Out: over psrp the script runs in a remote runspace,
# which has no console, and only pipeline output reaches the client; over winrm and ssh it becomes standard output.
function Write-Result {
    param($Object, [int]$Code = 0)
    Write-Output (ConvertTo-Json -InputObject $Object -Compress -Depth 10)
    exit $Code
}

function Get-LocalWebOption {
    [Net.ServicePointManager]::SecurityProtocol = [Net.ServicePointManager]::SecurityProtocol -bor [Net.SecurityProtocolType]::Tls12
    [Net.ServicePointManager]::ServerCertificateValidationCallback = { $true }
    $options = @{}
    if ($PSVersionTable.PSVersion.Major -ge 6) { $options.SkipCertificateCheck = $true }
    $options
}

# The value at a dotted path (such as WindowsAdminCenter.Http.Proxy) of a parsed JSON document, or $null.
function Get-JsonPath {
    param($Object, [string]$Path)
    $node = $Object
    foreach ($name in $Path.Split('.')) {
        if ($null -eq $node) { return $null }
        $prop = $node.PSObject.Properties[$name]
        if ($null -eq $prop) { return $null }
        $node = $prop.Value
    }
    Write-Output -NoEnumerate $node
}

# Invoke-WebRequest parameters for the gateway: its client certificate (desktop mode: the thumbprint in a registry
# value, the certificate in one of the stores named), an explicit user name and password (given on stdin), or the
# logon's default credentials.
function Get-GatewayAuth {
    param($Auth)
    if ($Auth.kind -eq 'certificate') {
        $item = Get-ItemProperty -LiteralPath $Auth.registry_key -ErrorAction SilentlyContinue
        $thumbprint = $null
        if ($null -ne $item -and $null -ne $item.PSObject.Properties[$Auth.value]) { $thumbprint = [string]$item.PSObject.Properties[$Auth.value].Value }
        if (-not $thumbprint) { throw "no client certificate: the registry value $($Auth.value) of $($Auth.registry_key) is missing" }
        foreach ($store in $Auth.stores) {
            $certificate = Get-Item -LiteralPath (Join-Path -Path $store -ChildPath $thumbprint) -ErrorAction SilentlyContinue
            if ($null -ne $certificate) { return @{ Certificate = $certificate } }
        }
        throw "the client certificate $thumbprint named by $($Auth.value) is in none of $($Auth.stores -join ', ')"
    }
    if ($Auth.kind -eq 'explicit') {
        $secure = ConvertTo-SecureString -String ([string]$Auth.password) -AsPlainText -Force
        return @{ Credential = New-Object System.Management.Automation.PSCredential -ArgumentList ([string]$Auth.username), $secure }
    }
    @{ UseDefaultCredentials = $true }
}

# One request to the gateway: {status, body, error}. $Session (a WebRequestSession) keeps the gateway's cookies.
function Invoke-Gateway {
    param([string]$Method, [string]$Uri, $Auth, $Session, [string]$UserAgent, $Body = $null, [hashtable]$Headers = @{})
    $answer = @{ status = $null; body = $null; error = $null }
    try {
        $webOptions = Get-LocalWebOption
        $parameters = Get-GatewayAuth -Auth $Auth
        $parameters.Method = $Method
        $parameters.Uri = $Uri
        $parameters.UseBasicParsing = $true
        $parameters.TimeoutSec = 60
        $parameters.WebSession = $Session
        $parameters.UserAgent = $UserAgent
        $parameters.Headers = $Headers
        if ($null -ne $Body) {
            $parameters.Body = ConvertTo-Json -InputObject $Body -Compress -Depth 10
            $parameters.ContentType = 'application/json'
        }
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
    $answer
}

# The XSRF header WAC's own client sends on writes: the value of the first of the named cookies the gateway set.
function Get-XsrfHeader {
    param($Session, [string]$Uri, $Xsrf)
    $headers = @{}
    $cookies = $Session.Cookies.GetCookies([Uri]$Uri)
    foreach ($name in $Xsrf.cookies) {
        $cookie = $cookies[[string]$name]
        if ($null -ne $cookie -and $cookie.Value) {
            $headers[[string]$Xsrf.header] = $cookie.Value
            break
        }
    }
    $headers
}

# A TCP port from a setting (a number, or a URL or host:port that ends with one; the first of a list), or $null.
function ConvertTo-Port {
    param($Value)
    foreach ($item in @($Value)) {
        if ($null -eq $item) { continue }
        $text = ([string]$item).Trim().TrimEnd('/')
        if ($text.Contains(':')) { $text = $text.Split(':')[-1] }
        $port = 0
        if ([int]::TryParse($text, [ref]$port) -and $port -gt 0 -and $port -lt 65536) { return $port }
    }
    $null
}
