/*
 * input.c: text from files and stdin, and attachments, for or-send.
 *
 * Text must be UTF-8 with no NUL: JSON strings cannot carry other bytes
 * as they are (libjv would put U+FFFD in their place and send something
 * else than the file), so such input is refused whole, not mended.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "input.h"
#include "util.h"

/* All of fd, at most max bytes (-1: any); -1 with errno, or EFBIG. */
static int
read_all(int fd, struct buf *b, long max)
{
	char chunk[65536];
	ssize_t n;

	while ((n = read(fd, chunk, sizeof(chunk))) != 0) {
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			return -1;
		if (max >= 0 && (long)(b->len + (size_t)n) > max) {
			errno = EFBIG;
			return -1;
		}
		buf_add(b, chunk, (size_t)n);
	}
	return 0;
}

/*
 * The bytes of a file, or exit 2 with a line that starts with label
 * (how the user named it: "@notes.txt", "-a photo.png"); max as read_all.
 */
static void
slurp(const char *path, const char *label, struct buf *b, long max)
{
	int fd = open(path, O_RDONLY);

	if (fd == -1)
		die(2, "%s: %s", label, strerror(errno));
	if (read_all(fd, b, max) == -1) {
		if (errno == EFBIG)
			die(2, "%s: over the %ld MiB an attachment may be",
			    label, max / (1024 * 1024));
		die(2, "%s: %s", label, strerror(errno));
	}
	close(fd);
}

/* Exit 2 unless the bytes are text a JSON string can hold as they are. */
static void
check_text(const struct buf *b, const char *label)
{
	/* NOLINTNEXTLINE(clang-analyzer-core.NonNullParamChecker): buf NULL, len 0 */
	const char *nul = b->len ? memchr(b->buf, '\0', b->len) : NULL;
	long bad;

	if (nul)
		die(2, "%s: not text: a NUL byte at byte %ld", label,
		    (long)(nul - b->buf) + 1);
	if ((bad = utf8_bad_at(b->buf, b->len)) >= 0)
		die(2, "%s: not UTF-8 text: a bad sequence at byte %ld "
		    "(convert it with iconv; images and PDFs go with -a)",
		    label, bad + 1);
}

char *
input_arg(const char *arg, const char *what)
{
	struct buf b = { 0 }, label = { 0 };

	if (arg[0] != '@' || arg[1] == '@')
		return xstrdup(arg[0] == '@' ? arg + 1 : arg);
	if (*what) {
		buf_adds(&label, what);
		buf_addc(&label, ' ');
	}
	buf_adds(&label, arg);
	if (arg[1] == '\0')
		die(2, "%s: no file named after the @ (@@ starts a text "
		    "with @)", buf_str(&label));
	slurp(arg + 1, buf_str(&label), &b, -1);
	check_text(&b, buf_str(&label));
	buf_free(&label);
	buf_str(&b);
	return b.buf;
}

char *
input_stdin(void)
{
	struct buf b = { 0 };

	if (read_all(STDIN_FILENO, &b, -1) == -1 && errno != EBADF)
		die(2, "stdin: %s", strerror(errno));
	if (is_blank(b.buf ? b.buf : "", b.len)) {
		buf_free(&b);
		return NULL;
	}
	check_text(&b, "stdin");
	buf_str(&b);
	return b.buf;
}

/* The media types OpenRouter takes, by their first bytes; NULL else. */
static const char *
sniff(const unsigned char *p, size_t n)
{
	if (n >= 8 && memcmp(p, "\x89PNG\r\n\x1a\n", 8) == 0)
		return "image/png";
	if (n >= 3 && memcmp(p, "\xff\xd8\xff", 3) == 0)
		return "image/jpeg";
	if (n >= 6 && (memcmp(p, "GIF87a", 6) == 0 ||
	    memcmp(p, "GIF89a", 6) == 0))
		return "image/gif";
	if (n >= 12 && memcmp(p, "RIFF", 4) == 0 &&
	    memcmp(p + 8, "WEBP", 4) == 0)
		return "image/webp";
	if (n >= 5 && memcmp(p, "%PDF-", 5) == 0)
		return "application/pdf";
	return NULL;
}

static const char *
base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash && slash[1] ? slash + 1 : path;
}

/* A PDF as a "file" part, an image as an "image_url" one. */
static jv
part(const char *type, jv url, const char *name)
{
	if (strcmp(type, "application/pdf") == 0)
		return JV_OBJECT(jv_string("type"), jv_string("file"),
		    jv_string("file"), JV_OBJECT(jv_string("filename"),
		    jv_string(name), jv_string("file_data"), url));
	return JV_OBJECT(jv_string("type"), jv_string("image_url"),
	    jv_string("image_url"), JV_OBJECT(jv_string("url"), url));
}

/* A URL's path ends in .pdf (before any query or fragment). */
static int
url_is_pdf(const char *url, char *name, size_t size)
{
	size_t n = strcspn(url, "?#");
	const char *slash;

	snprintf(name, size, "%.*s", (int)n, url);
	if (n < 4 || strncasecmp(url + n - 4, ".pdf", 4) != 0)
		return 0;
	slash = strrchr(name, '/');
	if (slash && slash[1])
		memmove(name, slash + 1, strlen(slash + 1) + 1);
	return 1;
}

static jv
attach_url(const char *url)
{
	char name[1024];

	if (url_is_pdf(url, name, sizeof(name)))
		return part("application/pdf", jv_string(url), name);
	return part("image/*", jv_string(url), NULL);
}

static jv
attach_file(const char *path)
{
	struct buf b = { 0 }, label = { 0 };
	const char *type;
	char *b64;
	jv url;

	buf_adds(&label, "-a ");
	buf_adds(&label, path);
	slurp(path, buf_str(&label), &b, ATTACH_MAX);
	buf_free(&label);
	type = sniff((const unsigned char *)b.buf, b.len);
	if (type == NULL) {
		buf_free(&b);
		die(2, "-a %s: not an image or a PDF (PNG, JPEG, GIF, WebP or "
		    "PDF, by its first bytes)", path);
	}
	b64 = base64(b.buf, b.len);
	buf_reset(&b);
	buf_adds(&b, "data:");
	buf_adds(&b, type);
	buf_adds(&b, ";base64,");
	buf_adds(&b, b64);
	free(b64);
	url = jv_string_sized(b.buf, (int)b.len);	/* < ATTACH_MAX * 2 */
	buf_free(&b);
	return part(type, url, base_name(path));
}

jv
input_attach(const char *arg)
{
	if (strncasecmp(arg, "https://", 8) == 0 ||
	    strncasecmp(arg, "http://", 7) == 0)
		return attach_url(arg);
	return attach_file(arg);
}
