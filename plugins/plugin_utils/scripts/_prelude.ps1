# The part every gateway script shares, inserted after its marker line by _gateway_scripts.load_script:
# stop on any error, no progress records, one JSON object out, a dotted-path reader for JSON documents, and web
# requests to the gateway's own HTTPS endpoint on localhost (its certificate is self-signed or for another name,
# so it is not validated there).
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'

function Write-Result {
    param($Object, [int]$Code = 0)
    [Console]::Out.WriteLine((ConvertTo-Json -InputObject $Object -Compress -Depth 10))
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
