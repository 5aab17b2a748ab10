/* SPDX-License-Identifier: Apache-2.0 */
/* agent_admin.c - see agent_admin.h. */
#include "agent/agent_admin.h"
#include "agent-proto/facts.h"
#include "bounded/strparse.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const char *const admin_names[] = {
	[ADMIN_STATE_UP] = "up",
	[ADMIN_STATE_DRAIN] = "drain",
	[ADMIN_STATE_MAINT] = "maint",
};

int agent_admin_set(const struct agent_config *cfg, enum admin_state st, const char *reason)
{
	struct agent_config cur = *cfg;
	char text[4096], err[256], tmp[AGENT_CONFIG_PATH_LEN + 8];
	FILE *fp;
	size_t n;
	int r = 0;

	if (!cfg->state_file[0])
		return -EINVAL;
	/* keep what the file says of the weight (and the reason, unless a new one) */
	fp = fopen(cfg->state_file, "r");
	if (fp) {
		n = fread(text, 1, sizeof(text), fp);
		fclose(fp);
		if (n < sizeof(text) && agent_config_parse_state(text, n, cfg->state_file, &cur, err, sizeof(err)) < 0)
			cur = *cfg;   /* a broken file is replaced */
	}
	snprintf(tmp, sizeof(tmp), "%s.new", cfg->state_file);
	fp = fopen(tmp, "w");
	if (!fp)
		return -errno;
	fprintf(fp, "# written by dsr-agent %s\nadmin_state = %s\n", st == ADMIN_STATE_UP ? "ready" : admin_names[st],
		admin_names[st]);
	if (cur.weight == AGENT_WEIGHT_AUTO)
		fprintf(fp, "weight = auto\n");
	else if (cur.weight >= 0)
		fprintf(fp, "weight = %d\n", cur.weight);
	reason = reason ? reason : (st == ADMIN_STATE_UP ? "" : cur.admin_reason);
	if (reason[0])
		fprintf(fp, "admin_reason = %s\n", reason);
	if (fclose(fp) != 0)
		r = -EIO;
	if (r == 0) {
		remove(cfg->state_file);   /* Windows' rename does not replace */
		if (rename(tmp, cfg->state_file) != 0)
			r = -errno;
	}
	if (r < 0)
		remove(tmp);
	return r;
}

/* One line: "NAME VIP PORT WEIGHT ACTIVE INACTIVE UNIX_TIME". */
static int parse_row(char *line, struct agent_admin_row *row)
{
	char *f[7], *p = line;
	uint64_t t;
	int i = 0;

	for (;;) {
		while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
			*p++ = '\0';
		if (!*p)
			break;
		if (i == 7)
			return -EINVAL;
		f[i++] = p;
		while (*p && *p != ' ' && *p != '\t' && *p != '\r' && *p != '\n')
			p++;
	}
	if (i != 7)
		return -EINVAL;
	if (strlen(f[0]) >= sizeof(row->director) || strlen(f[1]) >= sizeof(row->vip))
		return -EINVAL;
	memset(row, 0, sizeof(*row));
	facts_text_set(row->director, sizeof(row->director), f[0]);
	facts_text_set(row->vip, sizeof(row->vip), f[1]);
	if (parse_u32(f[2], &row->port, 0, 65535) < 0 || parse_u32(f[3], &row->weight, 0, 65535) < 0 ||
	    parse_u32(f[4], &row->active, 0, UINT32_MAX) < 0 || parse_u32(f[5], &row->inactive, 0, UINT32_MAX) < 0 ||
	    parse_u64(f[6], &t, 0, INT64_MAX) < 0)
		return -EINVAL;
	row->unix_time = (long long)t;
	return 0;
}

int agent_admin_directors_read(const struct agent_config *cfg, struct agent_admin_row *rows, size_t max)
{
	char path[AGENT_CONFIG_PATH_LEN + 16], line[512];
	FILE *fp;
	size_t n = 0;

	if (!cfg->state_file[0])
		return -EINVAL;
	snprintf(path, sizeof(path), "%s.directors", cfg->state_file);
	fp = fopen(path, "r");
	if (!fp)
		return errno == ENOENT ? 0 : -errno;
	while (n < max && fgets(line, sizeof(line), fp)) {
		if (line[0] == '#' || line[0] == '\n')
			continue;
		if (parse_row(line, &rows[n]) == 0)
			n++;
	}
	fclose(fp);
	return (int)n;
}

int agent_admin_drained(const struct agent_admin_row *rows, size_t n, long long now, long long fresh_s,
			long long since)
{
	size_t i, fresh = 0;

	for (i = 0; i < n; i++) {
		if (now - rows[i].unix_time > fresh_s || rows[i].unix_time < since)
			continue;
		fresh++;
		if (rows[i].weight != 0 || rows[i].active != 0)
			return 0;
	}
	return fresh > 0;
}

#ifdef _WIN32
#include <windows.h>

void agent_admin_pause_ms(unsigned ms)
{
	Sleep(ms);
}
#else
#include <time.h>

void agent_admin_pause_ms(unsigned ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}
#endif
