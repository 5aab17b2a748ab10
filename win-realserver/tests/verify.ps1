# SPDX-License-Identifier: Apache-2.0
<#
.SYNOPSIS
  Verifies dsr-agent.exe on a real Windows Server (2016-2022) - the parts
  wine cannot run: SetupAPI creation of the KM-TEST loopback adapter, the
  weak-host and SkipAsSource calls, DNS registration, the firewall rule,
  the HTTPS endpoint through http.sys with a client certificate checked
  against the configured CA, the long-poll answered on a pushed change
  (IP Helper notifications, the registry watch), the service, the Event
  Log and the MSI.

.DESCRIPTION
  Run it elevated ("Run as administrator") on a test server, or let the CI
  workflow (.github/workflows/windows.yml) run it on a hosted Windows Server
  2022 runner.  It changes the server: it creates the loopback adapter
  "Loopback" (kept afterwards), adds the VIP (a documentation address by
  default, removed at the end), sets weak host on the loopback and the
  NICs, adds and removes a firewall rule, certificates, and the service.
  Ends with "verify: N passed, N failed"; exit code 0 only when all passed.

.EXAMPLE
  powershell -ExecutionPolicy Bypass -File verify.ps1 -Exe .\dsr-agent.exe -Msi .\dsr-agent.msi
#>
param(
	[string]$Exe = ".\dsr-agent.exe",
	[string]$Msi = "",
	[string]$Vip = "192.0.2.100",
	[int]$Port = 19443,
	[int]$ServicePort = 18080
)

$ErrorActionPreference = 'Continue'
$script:passed = 0
$script:failed = 0
$work = Join-Path $env:TEMP ("dsrkit-verify-" + [guid]::NewGuid().ToString('N').Substring(0, 8))
New-Item -ItemType Directory -Path $work | Out-Null
$Exe = (Resolve-Path $Exe).Path

function Ok([string]$what) { Write-Host "ok   $what"; $script:passed++ }
function Bad([string]$what, [string]$why) { Write-Host "FAIL $what : $why"; $script:failed++ }
function Check([string]$what, [bool]$cond, [string]$why = "") { if ($cond) { Ok $what } else { Bad $what $why } }

# Run the agent; returns @{ Code; Out }
function Agent([string[]]$argv) {
	$out = & $Exe @argv 2>&1 | Out-String
	return @{ Code = $LASTEXITCODE; Out = $out }
}

$admin = ([Security.Principal.WindowsPrincipal][Security.Principal.WindowsIdentity]::GetCurrent()).IsInRole(
	[Security.Principal.WindowsBuiltInRole]::Administrator)
if (-not $admin) { Write-Host "verify: run it elevated (Run as administrator)"; exit 2 }
Write-Host "== $((Get-CimInstance Win32_OperatingSystem).Caption), $Exe"

# --- check and setup ----------------------------------------------------------------
$r = Agent @('setup', '--vip', $Vip, '--dry-run')
Check "setup --dry-run prints the PowerShell script" ($r.Code -eq 0 -and $r.Out -match 'New-NetIPAddress -InterfaceAlias') $r.Out

$r = Agent @('check', '--vip', $Vip)
if ((Get-NetAdapter | Where-Object { $_.ComponentID -eq '*MSLOOP' }) -eq $null) {
	Check "check on a fresh server: LOOPBACK_MISSING, exit 1" ($r.Code -eq 1 -and $r.Out -match 'LOOPBACK_MISSING') $r.Out
}

$r = Agent @('setup', '--vip', $Vip)
Check "setup exits 0" ($r.Code -eq 0) $r.Out
Write-Host $r.Out

$lo = Get-NetAdapter | Where-Object { $_.ComponentID -eq '*MSLOOP' } | Select-Object -First 1
Check "KM-TEST loopback adapter created through SetupAPI" ($lo -ne $null) "no *MSLOOP adapter"
if ($lo -ne $null) {
	$alias = $lo.Name
	$ip = Get-NetIPAddress -InterfaceAlias $alias -IPAddress $Vip -ErrorAction SilentlyContinue
	Check "VIP $Vip/32 on $alias" ($ip -ne $null -and $ip.PrefixLength -eq 32) "$($ip | Out-String)"
	Check "VIP is SkipAsSource" ($ip -ne $null -and $ip.SkipAsSource) ""
	$ipif = Get-NetIPInterface -InterfaceAlias $alias -AddressFamily IPv4
	Check "weak-host receive and send on $alias" ($ipif.WeakHostReceive -eq 'Enabled' -and $ipif.WeakHostSend -eq 'Enabled') "$($ipif | Format-List WeakHost* | Out-String)"
	$dns = Get-DnsClient -InterfaceAlias $alias
	Check "no DNS registration on $alias" (-not $dns.RegisterThisConnectionsAddress) ""
	$nics = Get-NetIPAddress -AddressFamily IPv4 | Where-Object { $_.InterfaceAlias -ne $alias -and $_.IPAddress -notlike '127.*' -and $_.IPAddress -notlike '169.254.*' }
	foreach ($n in $nics) {
		$w = (Get-NetIPInterface -InterfaceAlias $n.InterfaceAlias -AddressFamily IPv4).WeakHostReceive
		Check "weak-host receive on NIC $($n.InterfaceAlias)" ($w -eq 'Enabled') $w
	}
	$bind = Get-NetAdapterBinding -Name $alias -ComponentID ms_server -ErrorAction SilentlyContinue
	Check "file sharing unbound from $alias" ($bind -eq $null -or -not $bind.Enabled) ""
}
$fw = Get-NetFirewallRule -Name "dsrkit DR VIP $Vip" -ErrorAction SilentlyContinue
Check "firewall rule 'dsrkit DR VIP $Vip' enabled" ($fw -ne $null -and $fw.Enabled -eq 'True') ""

$r = Agent @('setup', '--vip', $Vip)
Check "setup again: nothing to do (idempotent)" ($r.Code -eq 0 -and $r.Out -match 'nothing to do') $r.Out

# a service on the VIP, so check has a listener to find
$listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Parse($Vip), $ServicePort)
$listener.Start()
$r = Agent @('check', '--vip', $Vip, '--port', "$ServicePort")
Check "check after setup: exit 0 (a correct DR real server)" ($r.Code -eq 0) $r.Out
$r = Agent @('check', '--vip', $Vip, '--port', "$ServicePort", '--json')
$doc = $null
try { $doc = $r.Out | ConvertFrom-Json } catch { }
Check "check --json: schema dsrkit-agent-status, os windows" ($doc -ne $null -and $doc.schema -eq 'dsrkit-agent-status' -and $doc.agent.os -eq 'windows') $r.Out
if ($doc -ne $null) {
	$l = $doc.interfaces | Where-Object { $_.loopback }
	Check "the loopback adapter is reported with hardware id *MSLOOP" ($l -ne $null -and $l.windows.hardware_id -eq '*MSLOOP') ""
}

# break each prerequisite; check names it; setup repairs it
if ($lo -ne $null) {
	Set-NetIPInterface -InterfaceAlias $alias -AddressFamily IPv4 -WeakHostSend Disabled
	$r = Agent @('check', '--vip', $Vip, '--port', "$ServicePort")
	Check "weak-host send off: WEAKHOST_SEND_LOOPBACK, exit 1" ($r.Code -eq 1 -and $r.Out -match 'WEAKHOST_SEND_LOOPBACK') $r.Out
	Set-DnsClient -InterfaceAlias $alias -RegisterThisConnectionsAddress $true
	$r = Agent @('check', '--vip', $Vip, '--port', "$ServicePort")
	Check "DNS registration on: DNS_REGISTER_LOOPBACK" ($r.Out -match 'DNS_REGISTER_LOOPBACK') $r.Out
	Remove-NetIPAddress -InterfaceAlias $alias -IPAddress $Vip -Confirm:$false
	New-NetIPAddress -InterfaceAlias $alias -IPAddress $Vip -PrefixLength 24 -SkipAsSource $true | Out-Null
	$r = Agent @('check', '--vip', $Vip, '--port', "$ServicePort")
	Check "VIP as /24: VIP_PREFIX" ($r.Code -eq 1 -and $r.Out -match 'VIP_PREFIX') $r.Out
	$r = Agent @('setup', '--vip', $Vip)
	$r = Agent @('check', '--vip', $Vip, '--port', "$ServicePort")
	Check "setup repairs all three: check exit 0" ($r.Code -eq 0) $r.Out
}
$listener.Stop()
$r = Agent @('check', '--vip', $Vip, '--port', "$ServicePort")
Check "listener stopped: NO_LISTENER" ($r.Code -eq 1 -and $r.Out -match 'NO_LISTENER') $r.Out

# --- the HTTPS endpoint with client certificates ---------------------------------------
function New-Ca([string]$cn) {
	New-SelfSignedCertificate -Subject "CN=$cn" -KeyUsage CertSign, CRLSign, DigitalSignature -KeyAlgorithm ECDSA_nistP256 `
		-TextExtension @('2.5.29.19={critical}{text}ca=1&pathlength=0') -CertStoreLocation Cert:\LocalMachine\My `
		-NotAfter (Get-Date).AddDays(2)
}
$ca = New-Ca "dsrkit verify CA"
$other = New-Ca "dsrkit verify other CA"
$server = New-SelfSignedCertificate -Signer $ca -Subject "CN=dsrkit agent" -KeyAlgorithm ECDSA_nistP256 `
	-TextExtension @('2.5.29.17={text}IPAddress=127.0.0.1', '2.5.29.37={text}1.3.6.1.5.5.7.3.1') `
	-CertStoreLocation Cert:\LocalMachine\My -NotAfter (Get-Date).AddDays(2)
$client = New-SelfSignedCertificate -Signer $ca -Subject "CN=dsrkit checker" -KeyAlgorithm ECDSA_nistP256 `
	-TextExtension @('2.5.29.37={text}1.3.6.1.5.5.7.3.2') -CertStoreLocation Cert:\CurrentUser\My -NotAfter (Get-Date).AddDays(2)
$stranger = New-SelfSignedCertificate -Signer $other -Subject "CN=other checker" -KeyAlgorithm ECDSA_nistP256 `
	-TextExtension @('2.5.29.37={text}1.3.6.1.5.5.7.3.2') -CertStoreLocation Cert:\CurrentUser\My -NotAfter (Get-Date).AddDays(2)
$caFile = Join-Path $work 'ca.cer'
Export-Certificate -Cert $ca -FilePath $caFile | Out-Null
$conf = Join-Path $work 'agent.conf'
@"
listen = 0.0.0.0
port = $Port
tls_cert = cert:\LocalMachine\My\$($server.Thumbprint)
tls_ca = $caFile
vip = $Vip $ServicePort
state_file = $work\agent.state
"@ | Set-Content -Encoding ascii $conf

# .NET: accept the agent's certificate only when it is ours (the machine
# does not trust the test CA); remember what it presented.
$script:seen = ''
[Net.ServicePointManager]::ServerCertificateValidationCallback = {
	param($s, $cert, $chain, $err)
	$script:seen = $cert.GetCertHashString()
	return $script:seen -eq $server.Thumbprint
}
function Fetch($cert, [string]$query = "vip=$Vip&port=$ServicePort") {
	$req = [Net.HttpWebRequest]::Create("https://127.0.0.1:$Port/v1/status?$query")
	$req.Timeout = 40000
	if ($cert -ne $null) { [void]$req.ClientCertificates.Add($cert) }
	$t0 = Get-Date
	try {
		$resp = $req.GetResponse()
		$body = (New-Object IO.StreamReader($resp.GetResponseStream())).ReadToEnd()
		return @{ Status = [int]$resp.StatusCode; Body = $body; Gen = $resp.Headers['DSR-Generation']; Seconds = ((Get-Date) - $t0).TotalSeconds }
	} catch [Net.WebException] {
		$code = 0
		$gen = $null
		if ($_.Exception.Response -ne $null) {
			$code = [int]$_.Exception.Response.StatusCode
			$gen = $_.Exception.Response.Headers['DSR-Generation']
		}
		return @{ Status = $code; Body = $_.Exception.Message; Gen = $gen; Seconds = ((Get-Date) - $t0).TotalSeconds }
	}
}
# The current generation, and the source the agent logged for its last change.
function Generation { $d = $null; try { $d = (Fetch $client).Body | ConvertFrom-Json } catch { }; if ($d -ne $null) { $d.generation } }
function Last-Change { $m = Select-String -Path (Join-Path $work 'serve.err') -Pattern 'the facts changed \(([^)]*)\)' | Select-Object -Last 1; if ($m) { $m.Matches[0].Groups[1].Value } }
# A long-poll (wait=20) after the current generation while a job makes a
# change a second later: answered early with the new document.
function Poll-Change([string]$what, [scriptblock]$change, [object[]]$jobArgs, [string]$expect) {
	$g = Generation
	$job = Start-Job -ScriptBlock $change -ArgumentList $jobArgs
	$f = Fetch $client "wait=20&after=$g"
	Receive-Job -Wait $job | Out-Null
	Remove-Job $job
	Check "long-poll, $what : 200 after $([math]::Round($f.Seconds, 2)) s (seen by: $(Last-Change))" ($f.Status -eq 200 -and $f.Seconds -lt 15 -and $f.Body -match $expect) "$($f.Status) $($f.Body)"
}
function Wait-Port {
	for ($i = 0; $i -lt 50; $i++) {
		if ((Test-NetConnection 127.0.0.1 -Port $Port -WarningAction SilentlyContinue).TcpTestSucceeded) { return $true }
		Start-Sleep -Milliseconds 200
	}
	return $false
}

$listener.Start()
$p = Start-Process -FilePath $Exe -ArgumentList @('serve', '--config', "`"$conf`"") -PassThru -NoNewWindow `
	-RedirectStandardError (Join-Path $work 'serve.err')
Check "serve listens on https://+:$Port/" (Wait-Port) (Get-Content (Join-Path $work 'serve.err') -Raw)
$f = Fetch $client
Check "client certificate from the CA: 200" ($f.Status -eq 200) "$($f.Status) $($f.Body)"
Check "the agent presented its certificate from the store" ($script:seen -eq $server.Thumbprint) $script:seen
$doc = $null
try { $doc = $f.Body | ConvertFrom-Json } catch { }
Check "status over HTTPS: one evaluation, verdict ok" ($doc -ne $null -and @($doc.evaluations).Count -eq 1 -and $doc.evaluations[0].verdict -eq 'ok') $f.Body
$f = Fetch $null
Check "no client certificate: no data (403 or refused)" ($f.Status -ne 200 -and $f.Body -notmatch 'dsrkit-agent-status') "$($f.Status)"
$f = Fetch $stranger
Check "client certificate from another CA: no data" ($f.Status -ne 200 -and $f.Body -notmatch 'dsrkit-agent-status') "$($f.Status)"

# protocol 1.1 (issue 19): what wine cannot show - the IP Helper
# notifications and the registry watch - and the long-poll over HTTPS
$err = Get-Content (Join-Path $work 'serve.err') -Raw
Check "address, interface and registry changes are pushed (no fallback warning)" ($err -notmatch 'no pushed address|cannot watch') $err
$g = Generation
$f = Fetch $client "wait=1&after=$g"
Check "long-poll after the current generation: 304 with DSR-Generation after 1 s" ($f.Status -eq 304 -and $f.Gen -eq "$g" -and $f.Seconds -ge 0.9) "$($f.Status) $($f.Gen) $($f.Seconds)"
$f = Fetch $client "wait=-1"
Check "bad wait: 400" ($f.Status -eq 400) "$($f.Status)"
if ($lo -ne $null) {
	Poll-Change "VIP removed" { param($a, $v) Start-Sleep 1; Remove-NetIPAddress -InterfaceAlias $a -IPAddress $v -Confirm:$false } @($alias, $Vip) 'VIP_MISSING'
	Poll-Change "VIP back" { param($a, $v) Start-Sleep 1; New-NetIPAddress -InterfaceAlias $a -IPAddress $v -PrefixLength 32 -SkipAsSource $true } @($alias, $Vip) '"generation"'
	Poll-Change "weak-host send off" { param($a) Start-Sleep 1; Set-NetIPInterface -InterfaceAlias $a -AddressFamily IPv4 -WeakHostSend Disabled } @($alias) 'WEAKHOST_SEND_LOOPBACK'
	Poll-Change "DNS registration on" { param($a) Start-Sleep 1; Set-DnsClient -InterfaceAlias $a -RegisterThisConnectionsAddress $true } @($alias) 'DNS_REGISTER_LOOPBACK'
	$r = Agent @('setup', '--vip', $Vip)
}
Poll-Change "dsr-agent drain" { param($e, $c) Start-Sleep 1; & $e drain --config $c } @($Exe, $conf) '"state":"drain"'
$r = Agent @('ready', '--config', $conf)
Stop-Process -Id $p.Id -Force -ErrorAction SilentlyContinue
Start-Sleep -Seconds 1

# --- the service and the Event Log -----------------------------------------------------
$r = Agent @('service', 'install', '--config', $conf)
Check "service install" ($r.Code -eq 0) $r.Out
$r = Agent @('service', 'start')
Check "service start" ($r.Code -eq 0 -and (Get-Service dsr-agent).Status -eq 'Running') $r.Out
if (Wait-Port) {
	$f = Fetch $client
	Check "the service answers over HTTPS" ($f.Status -eq 200) "$($f.Status) $($f.Body)"
}
$ev = Get-WinEvent -FilterHashtable @{ LogName = 'Application'; ProviderName = 'dsr-agent' } -MaxEvents 10 -ErrorAction SilentlyContinue
Check "Event Log: 'serving /v1/status' from source dsr-agent" (($ev | Where-Object { $_.Message -match 'serving /v1/status' }) -ne $null) "$($ev | Format-List Message | Out-String)"
$r = Agent @('service', 'stop')
Check "service stop" ($r.Code -eq 0 -and (Get-Service dsr-agent).Status -eq 'Stopped') $r.Out
$r = Agent @('service', 'uninstall')
Check "service uninstall" ($r.Code -eq 0 -and (Get-Service dsr-agent -ErrorAction SilentlyContinue) -eq $null) $r.Out

# --- the MSI ---------------------------------------------------------------------------
if ($Msi -ne "") {
	$Msi = (Resolve-Path $Msi).Path
	$pd = Join-Path $env:ProgramData 'dsrkit'
	New-Item -ItemType Directory -Force -Path $pd | Out-Null
	Copy-Item $conf (Join-Path $pd 'agent.conf')
	$i = Start-Process msiexec.exe -ArgumentList @('/i', "`"$Msi`"", '/qn', '/l*v', "`"$work\msi-install.log`"") -Wait -PassThru
	Check "msiexec /i" ($i.ExitCode -eq 0) "exit $($i.ExitCode), log $work\msi-install.log"
	Check "the MSI installed dsr-agent.exe" (Test-Path "$env:ProgramFiles\dsrkit\dsr-agent.exe") ""
	# the data folder's own ACL (issue 16, finding 3): SYSTEM and
	# Administrators only, nothing inherited from ProgramData
	$acl = Get-Acl $pd
	$others = $acl.Access | Where-Object { $_.IdentityReference.Value -notmatch 'SYSTEM$|Administrators$' }
	Check "the MSI gave the data folder SYSTEM and Administrators only, not inherited" ($acl.AreAccessRulesProtected -and $others -eq $null -and $acl.Owner -match 'Administrators$') $acl.Sddl
	$svc = Get-Service dsr-agent -ErrorAction SilentlyContinue
	Check "the MSI registered and started the service" ($svc -ne $null -and $svc.Status -eq 'Running') "$($svc.Status)"
	# the agent refuses a configuration that Users may write (StrictModes)
	$bad = Join-Path $work 'writable.conf'
	Copy-Item $conf $bad
	icacls $bad /grant '*S-1-5-32-545:(M)' | Out-Null
	$r = Agent @('serve', '--config', $bad)
	Check "serve refuses a configuration that Users may write" ($r.Code -ne 0 -and $r.Out -match 'refusing .*may write it') $r.Out
	$x = Start-Process msiexec.exe -ArgumentList @('/x', "`"$Msi`"", '/qn') -Wait -PassThru
	Check "msiexec /x removes exe and service" ($x.ExitCode -eq 0 -and -not (Test-Path "$env:ProgramFiles\dsrkit\dsr-agent.exe") -and (Get-Service dsr-agent -ErrorAction SilentlyContinue) -eq $null) "exit $($x.ExitCode)"
	Remove-Item (Join-Path $pd 'agent.conf') -ErrorAction SilentlyContinue
}

# --- clean up (the loopback adapter stays) ----------------------------------------------
$listener.Stop()
if ($lo -ne $null) { Remove-NetIPAddress -InterfaceAlias $alias -IPAddress $Vip -Confirm:$false -ErrorAction SilentlyContinue }
Remove-NetFirewallRule -Name "dsrkit DR VIP $Vip" -ErrorAction SilentlyContinue
foreach ($c in @($server, $ca, $other)) { Remove-Item "Cert:\LocalMachine\My\$($c.Thumbprint)" -ErrorAction SilentlyContinue }
foreach ($c in @($client, $stranger)) { Remove-Item "Cert:\CurrentUser\My\$($c.Thumbprint)" -ErrorAction SilentlyContinue }

Write-Host "verify: $($script:passed) passed, $($script:failed) failed"
if ($script:failed -gt 0) { exit 1 }
exit 0
