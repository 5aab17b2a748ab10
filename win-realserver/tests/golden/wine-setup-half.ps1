# dsr-agent.exe setup --dry-run: the same steps as a PowerShell script (run elevated);
# each step's netsh equivalent is in the comment above it.
$ErrorActionPreference = 'Stop'

# 192.0.2.100/24 on "dsrlo" has the wrong prefix: the whole prefix would be local
#   netsh interface ipv4 delete address "dsrlo" 192.0.2.100
Remove-NetIPAddress -InterfaceAlias "dsrlo" -IPAddress 192.0.2.100 -Confirm:$false

# the VIP on the loopback adapter as a host address, never used as a source
#   netsh interface ipv4 add address "dsrlo" 192.0.2.100 255.255.255.255 skipassource=true
New-NetIPAddress -InterfaceAlias "dsrlo" -IPAddress 192.0.2.100 -PrefixLength 32 -SkipAsSource $true

# weak-host receive and send on "dsrlo" (ipv4)
#   netsh interface ipv4 set interface "dsrlo" weakhostreceive=enabled weakhostsend=enabled
Set-NetIPInterface -InterfaceAlias "dsrlo" -AddressFamily IPv4 -WeakHostReceive Enabled -WeakHostSend Enabled

# weak-host receive on "dsreth" (ipv4)
#   netsh interface ipv4 set interface "dsreth" weakhostreceive=enabled
Set-NetIPInterface -InterfaceAlias "dsreth" -AddressFamily IPv4 -WeakHostReceive Enabled

# let the VIP's traffic in
#   netsh advfirewall firewall add rule name="dsrkit DR VIP 192.0.2.100" dir=in action=allow localip=192.0.2.100
New-NetFirewallRule -Name "dsrkit DR VIP 192.0.2.100" -DisplayName "dsrkit DR VIP 192.0.2.100" -Direction Inbound -Action Allow -LocalAddress 192.0.2.100
dry run: nothing changed
