/* ovlagent: where `spawn` finds a command. execvp in the child tries every PATH directory with
 * an execve until one runs (a dozen failing execs under npx's PATH, twice a FUSE scenario); the
 * agent looks the name up once, ahead of the fork, and the child execs that file directly,
 * falling back to execvp whenever that exec fails, so what runs is what execvp would run. The
 * answer is kept for the agent's life: its PATH does not change, and a file that went away
 * fails the exec and execvp searches again. */
#include "agent.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CACHED 16

static struct {
	char *name, *file;
} cache[CACHED];
static size_t ncached;

/* the first PATH entry holding name as an executable regular file: the one execvp's execs reach
 * (it goes on past ENOENT, ENOTDIR and EACCES, which a missing, non-executable or directory entry
 * give). NULL when PATH has a relative entry (the cwd differs per spawn) before a match. */
static char *search(const char *name)
{
	const char *path = getenv("PATH");
	if (!path || !*path)
		return NULL;
	char buf[PATH_MAX];
	for (const char *p = path;; p++) {
		const char *end = strchrnul(p, ':');
		if (*p != '/')
			return NULL;
		int n = snprintf(buf, sizeof buf, "%.*s/%s", (int)(end - p), p, name);
		struct stat st;
		if (n > 0 && (size_t)n < sizeof buf && access(buf, X_OK) == 0 && stat(buf, &st) == 0 && S_ISREG(st.st_mode))
			return strdup(buf);
		if (!*end)
			return NULL;
		p = end;
	}
}

const char *path_lookup(const char *name)
{
	if (!name || !*name || strchr(name, '/'))
		return NULL;
	for (size_t i = 0; i < ncached; i++)
		if (strcmp(cache[i].name, name) == 0)
			return cache[i].file;
	if (ncached == CACHED)
		return NULL; /* more names than a run uses: execvp searches */
	char *file = search(name), *key = file ? strdup(name) : NULL;
	if (!key) {
		free(file);
		return NULL;
	}
	cache[ncached].name = key;
	cache[ncached].file = file;
	return cache[ncached++].file;
}
