# dsr-agent.exe setup --dry-run: the same steps as a PowerShell script (run elevated);
# each step's netsh equivalent is in the comment above it.
$ErrorActionPreference = 'Stop'

# 192.0.2.100/24 on "Ethernet 2" has the wrong prefix: the whole prefix would be local
#   netsh interface ipv4 delete address "Ethernet 2" 192.0.2.100
Remove-NetIPAddress -InterfaceAlias "Ethernet 2" -IPAddress 192.0.2.100 -Confirm:$false

# the VIP on the loopback adapter as a host address, never used as a source
#   netsh interface ipv4 add address "Ethernet 2" 192.0.2.100 255.255.255.255 skipassource=true
New-NetIPAddress -InterfaceAlias "Ethernet 2" -IPAddress 192.0.2.100 -PrefixLength 32 -SkipAsSource $true

# weak-host receive and send on "Ethernet 2" (ipv4)
#   netsh interface ipv4 set interface "Ethernet 2" weakhostreceive=enabled weakhostsend=enabled
Set-NetIPInterface -InterfaceAlias "Ethernet 2" -AddressFamily IPv4 -WeakHostReceive Enabled -WeakHostSend Enabled

# weak-host receive on "Ethernet" (ipv4)
#   netsh interface ipv4 set interface "Ethernet" weakhostreceive=enabled
Set-NetIPInterface -InterfaceAlias "Ethernet" -AddressFamily IPv4 -WeakHostReceive Enabled

# the loopback adapter must not register the VIP in DNS
#   netsh interface ipv4 set dnsservers name="Ethernet 2" source=static address=none register=none
Set-DnsClient -InterfaceAlias "Ethernet 2" -RegisterThisConnectionsAddress $false

# let the VIP's traffic in
#   netsh advfirewall firewall add rule name="dsrkit DR VIP 192.0.2.100" dir=in action=allow localip=192.0.2.100
New-NetFirewallRule -Name "dsrkit DR VIP 192.0.2.100" -DisplayName "dsrkit DR VIP 192.0.2.100" -Direction Inbound -Action Allow -LocalAddress 192.0.2.100
