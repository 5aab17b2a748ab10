# dsr-agent.exe setup --dry-run: the same steps as a PowerShell script (run elevated);
# each step's netsh equivalent is in the comment above it.
$ErrorActionPreference = 'Stop'

# Create the Microsoft KM-TEST Loopback Adapter (root\*MSLOOP, netloop.inf);
# dsr-agent does it through SetupAPI, as devcon does:
#   devcon.exe install $env:windir\inf\netloop.inf *MSLOOP
# then names it "Loopback" and unbinds the file-sharing client and server from it.
Get-NetAdapter | Where-Object { $_.ComponentID -eq '*MSLOOP' } | Select-Object -First 1 | Rename-NetAdapter -NewName "Loopback"
Disable-NetAdapterBinding -Name "Loopback" -ComponentID ms_msclient,ms_server,ms_lltdio,ms_rspndr

# the VIP on the loopback adapter as a host address, never used as a source
#   netsh interface ipv4 add address "Loopback" 192.0.2.100 255.255.255.255 skipassource=true
New-NetIPAddress -InterfaceAlias "Loopback" -IPAddress 192.0.2.100 -PrefixLength 32 -SkipAsSource $true

# the VIP on the loopback adapter as a host address, never used as a source
#   netsh interface ipv6 add address "Loopback" 2001:db8::100/128 skipassource=true
New-NetIPAddress -InterfaceAlias "Loopback" -IPAddress 2001:db8::100 -PrefixLength 128 -SkipAsSource $true

# weak-host receive and send on "Loopback" (ipv4)
#   netsh interface ipv4 set interface "Loopback" weakhostreceive=enabled weakhostsend=enabled
Set-NetIPInterface -InterfaceAlias "Loopback" -AddressFamily IPv4 -WeakHostReceive Enabled -WeakHostSend Enabled

# weak-host receive on "Ethernet" (ipv4)
#   netsh interface ipv4 set interface "Ethernet" weakhostreceive=enabled
Set-NetIPInterface -InterfaceAlias "Ethernet" -AddressFamily IPv4 -WeakHostReceive Enabled

# weak-host receive and send on "Loopback" (ipv6)
#   netsh interface ipv6 set interface "Loopback" weakhostreceive=enabled weakhostsend=enabled
Set-NetIPInterface -InterfaceAlias "Loopback" -AddressFamily IPv6 -WeakHostReceive Enabled -WeakHostSend Enabled

# weak-host receive on "Ethernet" (ipv6)
#   netsh interface ipv6 set interface "Ethernet" weakhostreceive=enabled
Set-NetIPInterface -InterfaceAlias "Ethernet" -AddressFamily IPv6 -WeakHostReceive Enabled

# the loopback adapter must not register the VIP in DNS
#   netsh interface ipv4 set dnsservers name="Loopback" source=static address=none register=none
Set-DnsClient -InterfaceAlias "Loopback" -RegisterThisConnectionsAddress $false

# let the VIP's traffic in
#   netsh advfirewall firewall add rule name="dsrkit DR VIP 192.0.2.100" dir=in action=allow localip=192.0.2.100
New-NetFirewallRule -Name "dsrkit DR VIP 192.0.2.100" -DisplayName "dsrkit DR VIP 192.0.2.100" -Direction Inbound -Action Allow -LocalAddress 192.0.2.100

# let the VIP's traffic in
#   netsh advfirewall firewall add rule name="dsrkit DR VIP 2001:db8::100" dir=in action=allow localip=2001:db8::100
New-NetFirewallRule -Name "dsrkit DR VIP 2001:db8::100" -DisplayName "dsrkit DR VIP 2001:db8::100" -Direction Inbound -Action Allow -LocalAddress 2001:db8::100
