# wac.fleet operation: gateway_service_control
# Starts, stops or restarts the gateway's services. Stopping waits (bounded) until each service is Stopped;
# starting returns at once: the controller polls gateway_health until the gateway answers again.
# Input: {services: [names in start order], action: start|stop|restart, stop_timeout: seconds}.
# Output: {services: {name: status}}.
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
    if ($in.action -eq 'start' -or $in.action -eq 'restart') {
        foreach ($name in $names) {
            $service = $controllers[$name]
            $service.Refresh()
            if ($service.Status -eq [System.ServiceProcess.ServiceControllerStatus]::Stopped) { $service.Start() }
        }
    }
    $states = @{}
    foreach ($name in $names) {
        $controllers[$name].Refresh()
        $states[$name] = [string]$controllers[$name].Status
    }
    Write-Result @{ services = $states }
}
catch {
    Write-Result @{ failed = $true; msg = [string]$_.Exception.Message } 1
}
