# SPDX-License-Identifier: Apache-2.0
# tests/lab/ka-oracle/strip.awk - what the ka-oracle test feeds keepalived:
# the virtual_server and virtual_server_group blocks only, without their
# health checkers and scripts (no probe traffic, no script run, no VRRP).
# Lines are "keyword ... {", "}" or "keyword ..." as keepalived's samples
# and our corpus write them.
function word(l) { sub(/^[ \t]+/, "", l); split(l, w, /[ \t{]+/); return w[1] }
{
	line = $0
	sub(/[#!].*/, "", line)
	k = word(line)
	opens = gsub(/{/, "{", line)
	closes = gsub(/}/, "}", line)
	if (skip > 0) {
		skip += opens - closes
		next
	}
	if (depth == 0 && k != "" && k != "virtual_server" && k != "virtual_server_group") {
		if (opens > closes)
			skip = opens - closes
		next
	}
	if (depth > 0 && (k ~ /_CHECK$/ || k == "HTTP_GET" || k == "SSL_GET")) {
		if (opens > closes)
			skip = opens - closes
		next
	}
	if (k ~ /^(notify_up|notify_down|quorum_up|quorum_down|smtp_alert)$/)
		next
	depth += opens - closes
	print line
}
