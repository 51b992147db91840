/* config.c: settings from the environment, the API key from env or file. */
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <jv.h>

#include "config.h"
#include "jvx.h"
#include "util.h"

#define DEFAULT_BASE_URL	"https://openrouter.ai/api/v1"

static long
env_long(const char *name, long def, long min)
{
	const char *s = getenv(name);
	char *end;
	long v;

	if (s == NULL || *s == '\0')
		return def;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v < min)
		die(2, "%s: not a number >= %ld: %s", name, min, s);
	return v;
}

static char *
env_dup(const char *name)
{
	const char *s = getenv(name);

	return s && *s ? xstrdup(s) : NULL;
}

char *
cfg_path(const char *xdgvar, const char *fallback, const char *name)
{
	const char *base = getenv(xdgvar), *home = getenv("HOME");
	size_t n;
	char *p;

	if (base && *base == '/') {
		n = strlen(base) + strlen(name) + 8;
		p = xmalloc(n);
		snprintf(p, n, "%s/orkit/%s", base, name);
	} else {
		if (home == NULL)
			home = "";
		n = strlen(home) + strlen(fallback) + strlen(name) + 10;
		p = xmalloc(n);
		snprintf(p, n, "%s/%s/orkit/%s", home, fallback, name);
	}
	return p;
}

/* Trailing whitespace and newlines are not part of a key. */
static char *
trim_key(char *s)
{
	size_t n;

	while (*s == ' ' || *s == '\t')
		s++;
	n = strcspn(s, "\r\n");
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	return xstrndup(s, n);
}

/* A key file others can read is refused, as ssh refuses such a key. */
static int
read_key_file(struct cfg *c, const char *path, int explicit)
{
	char buf[1024];
	struct stat st;
	ssize_t n;
	int fd;

	if ((fd = open(path, O_RDONLY)) == -1) {
		if (errno == ENOENT && !explicit)
			return 1;
		warnx_("%s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) == -1) {
		warnx_("%s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	if (st.st_mode & 0044) {
		close(fd);
		warnx_("%s: readable by others (mode %03o); "
		    "chmod 600 it", path, (unsigned)(st.st_mode & 0777));
		return -1;
	}
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 0) {
		warnx_("%s: %s", path, strerror(errno));
		return -1;
	}
	buf[n] = '\0';
	c->key = trim_key(buf);
	explicit_bzero(buf, sizeof(buf));
	return 0;
}

/*
 * A core dump of a process holding the key would hold the key, loaded
 * or in its environment: such a tool dumps none. The core size limit
 * is not enough where cores go to a program (core_pattern "|..."): the
 * kernel pipes those whatever the limit; a process that is not
 * dumpable it dumps for no one, and no other process of the user's may
 * read its memory either. Only this process (and the limit for its
 * children).
 */
void
cfg_no_dumps(void)
{
	struct rlimit none = { 0, 0 };

	if (setrlimit(RLIMIT_CORE, &none) == -1)
		warnx_("cannot turn core dumps off: %s", strerror(errno));
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == -1)
		warnx_("cannot make this process undumpable: %s",
		    strerror(errno));
}

void
cfg_no_dumps_if_key(void)
{
	const char *env = getenv("OPENROUTER_API_KEY");

	if (env && *env)
		cfg_no_dumps();
}

static int
load_key(struct cfg *c, int needkey)
{
	const char *file = getenv("OPENROUTER_API_KEY_FILE");
	char *path;
	int r;

	cfg_no_dumps();
	if ((c->key = env_dup("OPENROUTER_API_KEY")) != NULL)
		return 0;
	if (file && *file)
		r = read_key_file(c, file, 1);
	else {
		path = cfg_path("XDG_CONFIG_HOME", ".config", "key");
		r = read_key_file(c, path, 0);
		free(path);
	}
	if (r == 0 && *c->key == '\0') {
		free(c->key);
		c->key = NULL;
		r = 1;
	}
	if (needkey == CFG_KEY_IF_ANY)
		return 0;	/* a bad key file has had its warning */
	if (r == 1)
		warnx_("no API key: set OPENROUTER_API_KEY, or put the key "
		    "in $XDG_CONFIG_HOME/orkit/key (mode 600)");
	return r == 0 ? 0 : -1;
}

/* libcurl would take ftp:// or file:// too; the API is HTTP. */
static int
web_url(const char *u)
{
	return strncasecmp(u, "http://", 7) == 0 ||
	    strncasecmp(u, "https://", 8) == 0;
}

int
cfg_load(struct cfg *c, int needkey)
{
	size_t n;

	memset(c, 0, sizeof(*c));
	cfg_no_dumps_if_key();	/* a dry run too: its environment */
	c->base_url = env_dup("OPENROUTER_BASE_URL");
	if (c->base_url == NULL)
		c->base_url = xstrdup(DEFAULT_BASE_URL);
	n = strlen(c->base_url);
	while (n > 0 && c->base_url[n - 1] == '/')
		c->base_url[--n] = '\0';
	c->referer = env_dup("OPENROUTER_HTTP_REFERER");
	c->title = env_dup("OPENROUTER_X_TITLE");
	c->timeout_ms = env_long("OPENROUTER_TIMEOUT_MS", 300000, 0);
	c->connect_timeout_ms = env_long("OPENROUTER_CONNECT_TIMEOUT_MS",
	    10000, 0);
	c->retries = (int)env_long("ORKIT_RETRIES", 3, 0);
	c->retry_base_ms = env_long("ORKIT_RETRY_BASE_MS", 500, 0);
	c->retry_max_ms = env_long("ORKIT_RETRY_MAX_MS", 60000, 0);
	c->stall_ms = env_long("ORKIT_STALL_MS", 60000, 1);
	if (needkey && !web_url(c->base_url)) {
		warnx_("OPENROUTER_BASE_URL is not an http or https URL: %s",
		    c->base_url);
		cfg_free(c);
		return -1;
	}
	if (needkey && load_key(c, needkey) == -1) {
		cfg_free(c);
		return -1;
	}
	secret_hide(c->key);
	return 0;
}

void
cfg_free(struct cfg *c)
{
	if (c->key) {
		secret_hide(NULL);
		explicit_bzero(c->key, strlen(c->key));
		free(c->key);
	}
	free(c->base_url);
	free(c->referer);
	free(c->title);
	memset(c, 0, sizeof(*c));
}

/* libjv's message, less the whole text it quotes after it. */
static void
not_json(const char *path, jv v)
{
	jv msg = jv_invalid_get_msg(v);
	const char *m = jv_get_kind(msg) == JV_KIND_STRING ?
	    jv_string_value(msg) : "unreadable";
	const char *end = strstr(m, " (while parsing");

	warnx_("%s: not JSON: %.*s", path, end ? (int)(end - m) :
	    (int)strlen(m), m);
	jv_free(msg);
}

int
cfg_read_object(const char *path, int must, size_t max, const char *like,
    jv *out)
{
	struct buf text = { 0 };
	char chunk[8192];
	size_t n;
	FILE *f;
	jv v;

	*out = jv_invalid();
	if ((f = fopen(path, "r")) == NULL) {
		if (!must && errno == ENOENT)
			return 1;
		warnx_("%s: %s", path, strerror(errno));
		return -1;
	}
	while (text.len <= max && (n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_add(&text, chunk, n);
	if (ferror(f) || text.len > max) {
		if (ferror(f))
			warnx_("%s: %s", path, strerror(errno));
		else
			warnx_("%s: larger than %zu MB", path, max >> 20);
		(void)fclose(f);
		buf_free(&text);
		return -1;
	}
	(void)fclose(f);
	v = jvx_parse_sized(text.buf ? text.buf : "", text.len);
	buf_free(&text);
	if (!jv_is_valid(v)) {
		not_json(path, v);
		return -1;
	}
	if (jv_get_kind(v) != JV_KIND_OBJECT) {
		jv_free(v);
		warnx_("%s: wants a JSON object, like %s", path, like);
		return -1;
	}
	*out = v;
	return 0;
}
