# SPDX-License-Identifier: Apache-2.0
# tests/lab/ka-oracle/lab-addr.awk - Debian's keepalived samples use private
# and public addresses; the lab uses only its documentation ranges.  Each
# /24 the samples use gets a lab /24 and an offset for its last byte; an
# address left outside the lab ranges is printed as "BAD-ADDRESS" so that
# both keepalived and dsrctl refuse the file.
BEGIN {
	m["192.168.200"] = "192.0.2 0";     m["192.168.201"] = "198.51.100 0"
	m["172.16.1"] = "203.0.113 0";      m["192.168.155"] = "203.0.113 100"
	m["10.10.10"] = "203.0.113 200";    m["10.0.0"] = "198.51.100 200"
	m["10.0.1"] = "198.51.100 230";     m["192.168.1"] = "203.0.113 150"
	m["64.233.167"] = "192.0.2 100"
}
function mapone(a,   p, pre, last, t) {
	split(a, p, ".")
	pre = p[1] "." p[2] "." p[3]
	last = p[4] + 0
	if (pre == "192.0.2" || pre == "198.51.100" || pre == "203.0.113" || p[1] == "255")
		return a  # a lab address, or a netmask
	if (!(pre in m))
		return "BAD-ADDRESS"
	split(m[pre], t, " ")
	if (last + t[2] > 254)
		return "BAD-ADDRESS"
	return t[1] "." (last + t[2])
}
{
	out = ""
	line = $0
	gsub(/ae00::/, "2001:db8:ae00::", line)
	while (match(line, /[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+(-[0-9]+)?/)) {
		a = substr(line, RSTART, RLENGTH)
		r = ""
		if (index(a, "-")) {
			r = substr(a, index(a, "-") + 1)
			a = substr(a, 1, index(a, "-") - 1)
		}
		na = mapone(a)
		if (r != "") {
			split(a, p, ".")
			pre = p[1] "." p[2] "." p[3]
			off = 0
			if (pre in m) {
				split(m[pre], t, " ")
				off = t[2]
			}
			r = "-" (r + off)
		}
		out = out substr(line, 1, RSTART - 1) na r
		line = substr(line, RSTART + RLENGTH)
	}
	print out line
}
