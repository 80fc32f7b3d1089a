# wac.fleet operation: gateway_service_control
# Starts, stops or restarts the gateway's services. Stopping waits (bounded) until each service is Stopped;
# starting returns at once: the controller polls gateway_health until the gateway answers again.
# Input: {services: [names in start order], action: start|stop|restart, stop_timeout: seconds,
# restart_marker: {location, name} | null}. Once this command has started every service (so the gateway reads its
# settings, the proxy among them, afresh), it clears the restart marker set by gateway_proxy_write.
# Output: {services: {name: status}, marker_cleared}.
try {
    $in = $input | Out-String | ConvertFrom-Json
    $names = @($in.services)
    $controllers = @{}
    foreach ($name in $names) { $controllers[$name] = Get-Service -Name $name }
    $timeout = [TimeSpan]::FromSeconds([double]$in.stop_timeout)

    if ($in.action -eq 'stop' -or $in.action -eq 'restart') {
        for ($i = $names.Length - 1; $i -ge 0; $i--) {
            $service = $controllers[$names[$i]]
            $service.Refresh()
            if ($service.Status -ne [System.ServiceProcess.ServiceControllerStatus]::Stopped) {
                if ($service.Status -ne [System.ServiceProcess.ServiceControllerStatus]::StopPending) {
                    # -Force: also stops services that depend on this one; -NoWait: the wait below is bounded.
                    Stop-Service -InputObject $service -Force -NoWait
                }
                $service.WaitForStatus([System.ServiceProcess.ServiceControllerStatus]::Stopped, $timeout)
            }
        }
    }
    $startedAll = $false
    if ($in.action -eq 'start' -or $in.action -eq 'restart') {
        $startedAll = $names.Length -gt 0
        foreach ($name in $names) {
            $service = $controllers[$name]
            $service.Refresh()
            if ($service.Status -eq [System.ServiceProcess.ServiceControllerStatus]::Stopped) { $service.Start() }
            else { $startedAll = $false }
        }
    }
    $markerCleared = $false
    $marker = $null  # optional input (strict mode: read it only if given)
    if ($null -ne $in.PSObject.Properties['restart_marker']) { $marker = $in.restart_marker }
    if ($startedAll -and $null -ne $marker) {
        Remove-ItemProperty -LiteralPath $marker.location -Name $marker.name -ErrorAction SilentlyContinue
        $markerCleared = $true
    }
    $states = @{}
    foreach ($name in $names) {
        $controllers[$name].Refresh()
        $states[$name] = [string]$controllers[$name].Status
    }
    Write-Result @{ services = $states; marker_cleared = $markerCleared }
}
catch {
    Write-Result @{ failed = $true; msg = [string]$_.Exception.Message } 1
}
