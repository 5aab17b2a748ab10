/* SPDX-License-Identifier: Apache-2.0 */
/* agent_state.c - see agent_state.h. */
#include "agent/agent_state.h"
#include "agent/agent_platform.h"
#include "agent-proto/facts.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

void agent_state_init(struct agent_state *s, const struct agent_config *cfg)
{
	memset(s, 0, sizeof(*s));
	s->cfg = cfg;
	/* seconds x 1024: a restart lands far from the last run's numbers */
	s->generation = (uint32_t)((uint64_t)time(NULL) << 10);
}

void agent_state_admin_apply(const struct agent_config *cfg, struct facts *f)
{
	struct agent_config st = *cfg;
	char text[4096], err[256];
	FILE *fp;

	if (cfg->state_file[0] && (fp = fopen(cfg->state_file, "r"))) {
		size_t n = fread(text, 1, sizeof(text), fp);

		fclose(fp);
		/* a broken state file keeps the configured state; say why */
		if (n == sizeof(text) || agent_config_parse_state(text, n, cfg->state_file, &st, err, sizeof(err)) < 0) {
			fprintf(stderr, "dsr-agent: ignoring state file: %s\n",
				n == sizeof(text) ? "larger than 4 KiB" : err);
			st = *cfg;
		}
	}
	f->admin = st.admin;
	facts_text_set(f->admin_reason, sizeof(f->admin_reason), st.admin_reason);
	if (st.weight == AGENT_WEIGHT_AUTO) {
		int w = agent_platform.load_weight();

		f->weight = w < 0 ? FACTS_UNKNOWN : w;
	} else {
		f->weight = st.weight;
	}
}

int agent_state_refresh(struct agent_state *s, uint64_t now_ms)
{
	struct facts *n = &s->scratch;
	int r;

	facts_init(n, agent_platform.os);
	r = agent_platform.facts_read(n);
	if (r < 0) {
		if (s->valid)
			s->generation++;
		s->valid = 0;
		return r;
	}
	agent_state_admin_apply(s->cfg, n);
	s->read_at_ms = now_ms;
	/* the generation itself is set after the comparison */
	n->generation = s->facts.generation;
	if (s->valid && facts_equal(n, &s->facts))
		return 0;
	s->generation++;
	facts_copy(&s->facts, n);
	s->facts.generation = s->generation;
	s->valid = 1;
	return 1;
}

int agent_state_quick_refresh(struct agent_state *s)
{
	/* in place: the few values it reads are compared as they are read */
	if (!s->valid || !agent_platform.facts_quick_reread || !agent_platform.facts_quick_reread(&s->facts))
		return 0;
	s->generation++;
	s->facts.generation = s->generation;
	return 1;
}

const struct facts *agent_state_facts(struct agent_state *s, uint64_t now_ms, int *err)
{
	int r;

	if (s->valid && now_ms - s->read_at_ms < s->cfg->facts_cache_ms)
		return &s->facts;
	r = agent_state_refresh(s, now_ms);
	if (r < 0) {
		*err = r;
		return NULL;
	}
	return &s->facts;
}

int agent_state_directors_note(struct agent_state *s, const struct http_director_report *r, size_t n,
			       uint64_t now_ms)
{
	struct agent_director *d = NULL;
	size_t i, oldest = 0;
	int changed;

	if (!n)
		return 0;
	if (n > HTTP_MAX_DIRECTOR_REPORTS)
		n = HTTP_MAX_DIRECTOR_REPORTS;
	for (i = 0; i < s->n_directors; i++) {
		if (strcmp(s->directors[i].name, r[0].name) == 0) {
			d = &s->directors[i];
			break;
		}
		if (s->directors[i].seen_ms < s->directors[oldest].seen_ms)
			oldest = i;
	}
	if (!d) {
		/* a bounded table: a new name takes a free slot or the stalest */
		d = s->n_directors < AGENT_MAX_DIRECTORS ? &s->directors[s->n_directors++] : &s->directors[oldest];
		memset(d, 0, sizeof(*d));
		facts_text_set(d->name, sizeof(d->name), r[0].name);
	}
	changed = d->n_vips != n || memcmp(d->vips, r, n * sizeof(*r)) != 0;
	memcpy(d->vips, r, n * sizeof(*r));
	d->n_vips = n;
	d->seen_ms = now_ms;
	return changed;
}

int agent_state_directors_write(const struct agent_state *s, const char *path, uint64_t now_ms)
{
	char tmp[AGENT_CONFIG_PATH_LEN + 24];
	time_t now = time(NULL);
	FILE *fp;
	size_t i, j;
	int r = 0;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	fp = fopen(tmp, "w");
	if (!fp)
		return -errno;
	fprintf(fp, "# dsr-agent: what each director last reported (DSR-Director)\n"
		    "# director vip port weight active inactive unix_time\n");
	for (i = 0; i < s->n_directors; i++) {
		const struct agent_director *d = &s->directors[i];
		long long seen = (long long)now - (long long)((now_ms - d->seen_ms) / 1000);

		for (j = 0; j < d->n_vips; j++) {
			char a[IPADDR_STRLEN];

			fprintf(fp, "%s %s %u %d %u %u %lld\n", d->name, ipaddr_format(&d->vips[j].vip, a),
				d->vips[j].port, d->vips[j].weight, d->vips[j].active, d->vips[j].inactive, seen);
		}
	}
	if (fclose(fp) != 0)
		r = -EIO;
	if (r == 0 && rename(tmp, path) != 0) {
		remove(path);   /* Windows' rename does not replace */
		if (rename(tmp, path) != 0)
			r = -errno;
	}
	if (r < 0)
		remove(tmp);
	return r;
}
