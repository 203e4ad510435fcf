/* ovlagent: the line protocol — reading requests, decoding arguments, writing replies. */
#include "agent.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static noreturn void die_oom(void)
{
	static const char m[] = "ovlagent: out of memory\n";
	ssize_t n = write(2, m, sizeof m - 1);
	(void)n;
	_exit(3);
}

static void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		die_oom();
	return p;
}

/* ---- input ------------------------------------------------------------ */

static char *inbuf;
static size_t incap, inlen, instart;
static size_t inscanned; /* bytes after instart already known to hold no newline: linear reading */

char *read_line(size_t *len)
{
	for (;;) {
		size_t from = instart + inscanned;
		char *nl = inlen > from ? memchr(inbuf + from, '\n', inlen - from) : NULL;
		if (nl) {
			char *line = inbuf + instart;
			*nl = '\0';
			*len = (size_t)(nl - line);
			instart = (size_t)(nl - inbuf) + 1;
			inscanned = 0;
			return line;
		}
		inscanned = inlen - instart;
		/* compact, then grow (geometrically) when full: each byte is moved and scanned O(1) times */
		if (instart > 0) {
			memmove(inbuf, inbuf + instart, inlen - instart);
			inlen -= instart;
			instart = 0;
		}
		if (inlen == incap) {
			incap = incap ? incap * 2 : 65536;
			inbuf = xrealloc(inbuf, incap);
		}
		ssize_t n = read(0, inbuf + inlen, incap - inlen);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return NULL;
		inlen += (size_t)n;
	}
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* percent-decode s in place; returns the decoded length or -1 on a bad escape */
static ssize_t pct_decode(char *s)
{
	char *w = s;
	for (char *p = s; *p; p++) {
		if (*p == '%') {
			int hi = hexval((unsigned char)p[1]);
			int lo = hi < 0 ? -1 : hexval((unsigned char)p[2]);
			if (hi < 0 || lo < 0)
				return -1;
			*w++ = (char)(hi * 16 + lo);
			p += 2;
		} else {
			*w++ = *p;
		}
	}
	*w = '\0';
	return w - s;
}

static struct arg *argv_buf;
static size_t argv_cap;

/* 1..18 decimal digits: fits an int64 and a JS number, and carries no byte a terminal acts on */
bool valid_id(const char *id)
{
	size_t n = 0;
	for (const char *p = id; *p; p++, n++)
		if (*p < '0' || *p > '9' || n >= 18)
			return false;
	return n > 0;
}

bool parse_request(char *line, struct req *r)
{
	r->args = NULL;
	r->nargs = 0;
	r->accepts = NULL;
	r->done = false;
	r->ok = false;
	r->id = "0";
	r->op = "";
	size_t n = 0;
	char *save = NULL;
	char *tok = strtok_r(line, " ", &save);
	int idx = 0;
	for (; tok; tok = strtok_r(NULL, " ", &save), idx++) {
		if (idx == 0) {
			/* the id is echoed raw in every reply: only decimal digits ever reach the output */
			if (!valid_id(tok)) {
				out_begin(r, "fatal");
				out_kvs("msg", "request id is not a decimal number of at most 18 digits");
				out_end(r, true);
				return false;
			}
			r->id = tok;
			continue;
		}
		if (idx == 1) {
			r->op = tok;
			continue;
		}
		char *eq = strchr(tok, '=');
		if (!eq) {
			out_begin(r, "fatal");
			out_kvf("msg", "argument without '=': %s", tok);
			out_end(r, true);
			return false;
		}
		*eq = '\0';
		ssize_t len = pct_decode(eq + 1);
		if (len < 0) {
			out_begin(r, "fatal");
			out_kvf("msg", "bad percent-encoding in %s", tok);
			out_end(r, true);
			return false;
		}
		if (n == argv_cap) {
			argv_cap = argv_cap ? argv_cap * 2 : 64;
			argv_buf = xrealloc(argv_buf, argv_cap * sizeof *argv_buf);
		}
		argv_buf[n].key = tok;
		argv_buf[n].val = eq + 1;
		argv_buf[n].len = (size_t)len;
		n++;
	}
	if (!*r->op) {
		out_begin(r, "fatal");
		out_kvs("msg", "empty request");
		out_end(r, true);
		return false;
	}
	r->args = argv_buf;
	r->nargs = n;
	return true;
}

/* ---- arguments -------------------------------------------------------- */

/* is key one of the space-separated words of list */
static bool word_in(const char *list, const char *key)
{
	size_t n = strlen(key);
	for (const char *p = list; *p;) {
		const char *e = strchr(p, ' ');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		if (len == n && memcmp(p, key, n) == 0)
			return true;
		p += len;
		if (*p == ' ')
			p++;
	}
	return false;
}

bool arg_accepted(const struct req *r, const char *key)
{
	return !r->accepts || word_in(COMMON_ARGS, key) || word_in(r->accepts, key);
}

/* each key of r not accepted, once, joined by ", " into b (cut with "..." when it does not fit) */
static size_t unknown_args(struct req *r, char *b, size_t cap)
{
	size_t len = 0, n = 0;
	b[0] = '\0';
	for (size_t i = 0; i < r->nargs; i++) {
		const char *k = r->args[i].key;
		if (arg_accepted(r, k))
			continue; /* first: a request of many known args (500 opt=) costs no quadratic scan */
		bool again = false;
		for (size_t j = 0; j < i && !again; j++)
			again = strcmp(r->args[j].key, k) == 0;
		if (again)
			continue;
		int w = snprintf(b + len, cap - len, "%s%s", n ? ", " : "", k);
		n++;
		if (w < 0 || (size_t)w >= cap - len) {
			snprintf(b + cap - 4, 4, "...");
			break;
		}
		len += (size_t)w;
	}
	return n;
}

void check_args(struct req *r)
{
	char unknown[1024];
	size_t n = unknown_args(r, unknown, sizeof unknown);
	if (n)
		req_fatal(r, "%s does not take %s %s (it takes: %s%swhat every op takes: %s)", r->op,
			  n == 1 ? "argument" : "arguments", unknown, r->accepts, *r->accepts ? ", and " : "only ", COMMON_ARGS);
}

/* reading a key the op does not declare: the declaration is wrong, whatever the request holds */
static void check_declared(struct req *r, const char *key)
{
	if (!arg_accepted(r, key))
		req_fatal(r, "agent bug: %s reads argument %s, which its op table entry does not declare (%s)", r->op,
			  key, r->accepts);
}

bool arg_is(struct req *r, const struct arg *a, const char *key)
{
	check_declared(r, key);
	return strcmp(a->key, key) == 0;
}

struct arg *arg_find(struct req *r, const char *key)
{
	check_declared(r, key);
	for (size_t i = 0; i < r->nargs; i++)
		if (strcmp(r->args[i].key, key) == 0)
			return &r->args[i];
	return NULL;
}

const char *arg_str(struct req *r, const char *key)
{
	struct arg *a = arg_find(r, key);
	return a ? a->val : NULL;
}

const char *need_str(struct req *r, const char *key)
{
	const char *s = arg_str(r, key);
	if (!s)
		req_fatal(r, "missing argument %s", key);
	return s;
}

bool arg_bool(struct req *r, const char *key)
{
	const char *s = arg_str(r, key);
	if (!s || strcmp(s, "0") == 0 || !*s)
		return false;
	if (strcmp(s, "1") == 0)
		return true;
	req_fatal(r, "%s must be 0 or 1", key);
}

static int64_t parse_i64(struct req *r, const char *key, const char *s)
{
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (errno || end == s || *end)
		req_fatal(r, "%s is not an integer: %s", key, s);
	return v;
}

int64_t arg_i64(struct req *r, const char *key, int64_t dflt)
{
	const char *s = arg_str(r, key);
	return s ? parse_i64(r, key, s) : dflt;
}

int64_t need_i64(struct req *r, const char *key)
{
	return parse_i64(r, key, need_str(r, key));
}

uint64_t need_u64(struct req *r, const char *key)
{
	const char *s = need_str(r, key);
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || end == s || *end || *s == '-')
		req_fatal(r, "%s is not an unsigned integer: %s", key, s);
	return v;
}

unsigned need_mode(struct req *r, const char *key, unsigned dflt, bool required)
{
	const char *s = required ? need_str(r, key) : arg_str(r, key);
	if (!s)
		return dflt;
	char *end;
	errno = 0;
	unsigned long v = strtoul(s, &end, 10);
	if (errno || end == s || *end || v > 07777)
		req_fatal(r, "%s is not a decimal mode in 0..4095: %s", key, s);
	return (unsigned)v;
}

static bool lookup_name(const struct flagname *t, const char *name, size_t len, long *out)
{
	for (; t->name; t++) {
		if (strlen(t->name) == len && memcmp(t->name, name, len) == 0) {
			*out = t->value;
			return true;
		}
	}
	return false;
}

long parse_flags(struct req *r, const char *key, const struct flagname *table, long dflt)
{
	const char *s = arg_str(r, key);
	if (!s)
		return dflt;
	long acc = 0;
	while (*s) {
		const char *c = strchr(s, ',');
		size_t len = c ? (size_t)(c - s) : strlen(s);
		long v;
		if (len > 0) {
			if (!lookup_name(table, s, len, &v))
				req_fatal(r, "unknown %s name: %.*s", key, (int)len, s);
			acc |= v;
		}
		s += len;
		if (*s == ',')
			s++;
	}
	return acc;
}

long parse_enum(struct req *r, const char *key, const struct flagname *table, long dflt, bool required)
{
	const char *s = required ? need_str(r, key) : arg_str(r, key);
	if (!s)
		return dflt;
	long v;
	if (!lookup_name(table, s, strlen(s), &v))
		req_fatal(r, "unknown %s: %s", key, s);
	return v;
}

const char *flag_name(const struct flagname *t, long value)
{
	for (; t->name; t++)
		if (t->value == value)
			return t->name;
	return "?";
}

/* ---- output ----------------------------------------------------------- */

static char *outbuf;
static size_t outcap, outlen;

static void out_reserve(size_t more)
{
	if (outlen + more <= outcap)
		return;
	while (outlen + more > outcap)
		outcap = outcap ? outcap * 2 : 65536;
	outbuf = xrealloc(outbuf, outcap);
}

static void out_raw(const char *s, size_t n)
{
	out_reserve(n);
	memcpy(outbuf + outlen, s, n);
	outlen += n;
}

void out_flush(void)
{
	size_t off = 0;
	while (off < outlen) {
		ssize_t n = write(1, outbuf + off, outlen - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			_exit(0); /* the client is gone: nothing left to do */
		off += (size_t)n;
	}
	outlen = 0;
}

void out_begin(struct req *r, const char *kind)
{
	const char *id = valid_id(r->id) ? r->id : "0"; /* never echo a byte the client did not send as a digit */
	out_raw(id, strlen(id));
	out_raw(" ", 1);
	out_raw(kind, strlen(kind));
	r->ok = strcmp(kind, "ok") == 0;
}

static bool safe_byte(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
	       c == '/' || c == '-';
}

void out_kv(const char *key, const void *val, size_t len)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *v = val;
	out_reserve(strlen(key) + 2 + len * 3);
	outbuf[outlen++] = ' ';
	out_raw(key, strlen(key));
	outbuf[outlen++] = '=';
	for (size_t i = 0; i < len; i++) {
		if (safe_byte(v[i])) {
			outbuf[outlen++] = (char)v[i];
		} else {
			outbuf[outlen++] = '%';
			outbuf[outlen++] = hex[v[i] >> 4];
			outbuf[outlen++] = hex[v[i] & 15];
		}
	}
}

void out_kvs(const char *key, const char *s)
{
	out_kv(key, s, strlen(s));
}

void out_kvu(const char *key, uint64_t v)
{
	char b[32];
	int n = snprintf(b, sizeof b, "%llu", (unsigned long long)v);
	out_kv(key, b, (size_t)n);
}

void out_kvi(const char *key, int64_t v)
{
	char b[32];
	int n = snprintf(b, sizeof b, "%lld", (long long)v);
	out_kv(key, b, (size_t)n);
}

void out_kvf(const char *key, const char *fmt, ...)
{
	char b[4096];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(b, sizeof b, fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	if ((size_t)n >= sizeof b)
		n = sizeof b - 1;
	out_kv(key, b, (size_t)n);
}

void out_end(struct req *r, bool final)
{
	out_raw("\n", 1);
	if (final) {
		r->done = true;
		out_flush();
	} else if (outlen > (1u << 20)) {
		out_flush();
	}
}

/* ---- reply helpers ---------------------------------------------------- */

const char *errname(int e)
{
	static char b[24];
	const char *n = strerrorname_np(e);
	if (n)
		return n;
	snprintf(b, sizeof b, "E%d", e);
	return b;
}

void reply_ok(struct req *r)
{
	out_begin(r, "ok");
	out_end(r, true);
}

void reply_err_named(struct req *r, const char *name, const char *msg)
{
	out_begin(r, "err");
	out_raw(" ", 1);
	out_raw(name, strlen(name));
	if (msg && *msg)
		out_kvs("msg", msg);
	out_end(r, true);
}

static void vreply_err(struct req *r, int e, const char *fmt, va_list ap)
{
	char b[8192];
	int len = vsnprintf(b, sizeof b, fmt, ap);
	if (len < 0)
		b[0] = '\0';
	reply_err_named(r, errname(e), b);
}

void reply_err(struct req *r, int e, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vreply_err(r, e, fmt, ap);
	va_end(ap);
}

void reply_errno(struct req *r, int e)
{
	reply_err_named(r, errname(e), NULL);
}

noreturn void req_fail(struct req *r, int e, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vreply_err(r, e, fmt, ap);
	va_end(ap);
	longjmp(r->abort, 1);
}

noreturn void req_fail_errno(struct req *r, int e)
{
	reply_errno(r, e);
	longjmp(r->abort, 1);
}

void out_text(const char *s)
{
	out_raw(s, strlen(s));
}

noreturn void startup_fatal(const char *fmt, ...)
{
	char b[4096];
	va_list ap;
	va_start(ap, fmt);
	int len = vsnprintf(b, sizeof b, fmt, ap);
	va_end(ap);
	if (len < 0)
		len = 0;
	if ((size_t)len >= sizeof b)
		len = sizeof b - 1;
	out_text("fatal");
	out_kv("msg", b, (size_t)len);
	out_text("\n");
	out_flush();
	exit(1);
}

static void vreply_kind(struct req *r, const char *kind, const char *fmt, va_list ap)
{
	char b[8192];
	int len = vsnprintf(b, sizeof b, fmt, ap);
	if (len < 0)
		len = 0;
	if ((size_t)len >= sizeof b)
		len = sizeof b - 1;
	out_begin(r, kind);
	out_kv("msg", b, (size_t)len);
	out_end(r, true);
}

noreturn void req_fatal(struct req *r, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vreply_kind(r, "fatal", fmt, ap);
	va_end(ap);
	longjmp(r->abort, 1);
}

noreturn void req_escape(struct req *r, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vreply_kind(r, "escape", fmt, ap);
	va_end(ap);
	longjmp(r->abort, 1);
}
