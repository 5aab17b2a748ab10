/* SPDX-License-Identifier: Apache-2.0 */
/* status.c - renders the /v1/status document; see doc/agent-protocol.md for
 * the schema.  Unknown values are JSON null, never a guess. */
#include "agent-proto/status.h"
#include "agent-proto/facts.h"
#include "agent-proto/jsonw.h"
#include "agent-proto/rules.h"

#include <errno.h>
#include <stdlib.h>

static void render_addr(struct jsonw *w, const char *k, const struct ip_addr *a)
{
	char t[IPADDR_STRLEN];

	jsonw_kv_string(w, k, ipaddr_format(a, t));
}

static void render_linux_conf(struct jsonw *w, const char *k, const struct facts_linux_conf *c)
{
	jsonw_key(w, k);
	jsonw_object_begin(w);
	jsonw_kv_int_or_null(w, "arp_ignore", c->arp_ignore);
	jsonw_kv_int_or_null(w, "arp_announce", c->arp_announce);
	jsonw_kv_int_or_null(w, "rp_filter", c->rp_filter);
	jsonw_object_end(w);
}

static void render_iface(struct jsonw *w, const struct facts *f, size_t i)
{
	const struct facts_iface *fi = &f->ifaces[i];
	size_t j;

	jsonw_object_begin(w);
	jsonw_kv_string(w, "name", fi->name);
	jsonw_kv_int(w, "index", fi->index);
	jsonw_kv_tristate(w, "up", fi->up);
	jsonw_kv_bool(w, "loopback", fi->loopback);
	jsonw_key(w, "addresses");
	jsonw_array_begin(w);
	for (j = 0; j < f->n_addrs; j++) {
		if (f->addrs[j].iface != i)
			continue;
		jsonw_object_begin(w);
		render_addr(w, "address", &f->addrs[j].addr);
		jsonw_kv_int(w, "prefix_len", f->addrs[j].prefix_len);
		jsonw_object_end(w);
	}
	jsonw_array_end(w);
	if (f->os == FACTS_OS_LINUX)
		render_linux_conf(w, "linux", &fi->linux_conf);
	if (f->os == FACTS_OS_WINDOWS) {
		jsonw_key(w, "windows");
		jsonw_object_begin(w);
		jsonw_kv_tristate(w, "weak_host_send", fi->win_conf.weak_host_send);
		jsonw_kv_tristate(w, "weak_host_receive", fi->win_conf.weak_host_receive);
		jsonw_kv_tristate(w, "dns_register", fi->win_conf.dns_register);
		jsonw_kv_string(w, "description", fi->win_conf.description);
		jsonw_kv_string(w, "hardware_id", fi->win_conf.hardware_id);
		jsonw_object_end(w);
	}
	jsonw_object_end(w);
}

static void render_finding(struct jsonw *w, const struct finding *fd)
{
	const struct finding_info *fi = &finding_table[fd->code];

	jsonw_object_begin(w);
	jsonw_kv_string(w, "code", fi->name);
	jsonw_kv_string(w, "severity", finding_severity_name(fi->severity));
	jsonw_kv_string(w, "layer", finding_layer_name(fi->layer));
	if (fd->iface[0])
		jsonw_kv_string(w, "interface", fd->iface);
	jsonw_kv_string(w, "reason", fd->reason);
	jsonw_kv_string(w, "fix", fd->fix);
	if (fd->fix_alt[0])
		jsonw_kv_string(w, "fix_powershell", fd->fix_alt);
	jsonw_object_end(w);
}

int status_render(const struct facts *f, const struct status_target *targets, size_t n_targets,
		  struct buf *out)
{
	struct findings *fs = NULL;
	struct jsonw w;
	size_t i, j;

	if (n_targets) {
		fs = malloc(sizeof(*fs));
		if (!fs)
			return -ENOMEM;
	}
	jsonw_init(&w, out);
	jsonw_object_begin(&w);
	jsonw_kv_string(&w, "schema", STATUS_SCHEMA);
	jsonw_kv_int(&w, "version", STATUS_VERSION);
	if (f->generation >= 0)
		jsonw_kv_int(&w, "generation", f->generation);
	jsonw_key(&w, "agent");
	jsonw_object_begin(&w);
	jsonw_kv_string(&w, "version", f->agent_version);
	jsonw_kv_string(&w, "os", facts_os_name(f->os) ? facts_os_name(f->os) : "unknown");
	jsonw_kv_string(&w, "os_release", f->os_release);
	jsonw_kv_string(&w, "hostname", f->hostname);
	jsonw_object_end(&w);

	jsonw_key(&w, "admin");
	jsonw_object_begin(&w);
	jsonw_kv_string(&w, "state", admin_state_name(f->admin) ? admin_state_name(f->admin) : "up");
	jsonw_kv_int_or_null(&w, "weight", f->weight);
	jsonw_kv_string(&w, "reason", f->admin_reason);
	jsonw_object_end(&w);

	if (f->os == FACTS_OS_LINUX)
		render_linux_conf(&w, "linux_all", &f->linux_all);
	jsonw_kv_bool(&w, "truncated", f->truncated != 0);
	if (f->truncated) {
		jsonw_key(&w, "truncated_tables");
		jsonw_array_begin(&w);
		if (f->truncated & FACTS_TRUNC_IFACES)
			jsonw_string(&w, "interfaces");
		if (f->truncated & FACTS_TRUNC_ADDRS)
			jsonw_string(&w, "addresses");
		if (f->truncated & FACTS_TRUNC_LISTENERS)
			jsonw_string(&w, "listeners");
		jsonw_array_end(&w);
	}

	jsonw_key(&w, "interfaces");
	jsonw_array_begin(&w);
	for (i = 0; i < f->n_ifaces; i++)
		render_iface(&w, f, i);
	jsonw_array_end(&w);

	jsonw_key(&w, "listeners");
	jsonw_array_begin(&w);
	for (i = 0; i < f->n_listeners; i++) {
		const struct facts_listener *l = &f->listeners[i];

		jsonw_object_begin(&w);
		jsonw_kv_string(&w, "proto", facts_proto_name(l->proto) ? facts_proto_name(l->proto) : "tcp");
		render_addr(&w, "address", &l->addr);
		jsonw_kv_int(&w, "port", l->port);
		jsonw_kv_tristate(&w, "v6only", l->v6only);
		jsonw_object_end(&w);
	}
	jsonw_array_end(&w);

	jsonw_key(&w, "evaluations");
	jsonw_array_begin(&w);
	for (i = 0; i < n_targets; i++) {
		findings_init(fs);
		rules_evaluate(f, &targets[i].vip, targets[i].port, fs);
		jsonw_object_begin(&w);
		render_addr(&w, "vip", &targets[i].vip);
		jsonw_kv_int_or_null(&w, "port", targets[i].port ? targets[i].port : -1);
		jsonw_kv_string(&w, "verdict", rules_verdict_name(rules_verdict(fs)));
		jsonw_kv_bool(&w, "truncated", fs->truncated);
		jsonw_key(&w, "findings");
		jsonw_array_begin(&w);
		for (j = 0; j < fs->n; j++)
			render_finding(&w, &fs->items[j]);
		jsonw_array_end(&w);
		jsonw_object_end(&w);
	}
	jsonw_array_end(&w);
	jsonw_object_end(&w);
	free(fs);
	if (jsonw_finish(&w) == 0)
		return buf_append(out, "\n", 1);
	return jsonw_finish(&w);
}
