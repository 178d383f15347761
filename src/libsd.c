/*
 * libsd: libsystemd, loaded when the journal is first used (libsd.h).
 */
#include "libsd.h"

#include <dlfcn.h>
#include <errno.h>
#include <string.h>

struct libsd libsd;

/* The name of each call, in the order of struct libsd's pointers. */
static const char *const names[] = {
    "sd_journal_open",
    "sd_journal_close",
    "sd_journal_add_match",
    "sd_journal_flush_matches",
    "sd_journal_seek_tail",
    "sd_journal_previous",
    "sd_journal_get_data",
    "sd_journal_get_fd",
    "sd_journal_wait",
};

int
libsd_load(void)
{
	static void *lib;
	void *sym[sizeof(names) / sizeof(names[0])];

	_Static_assert(sizeof(sym) == sizeof(libsd), "one name per call");
	if (lib != NULL)
		return 0;
	lib = dlopen("libsystemd.so.0", RTLD_NOW | RTLD_LOCAL);
	if (lib == NULL) {
		errno = ENOENT;
		return -1;
	}
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if ((sym[i] = dlsym(lib, names[i])) == NULL) {
			dlclose(lib);
			lib = NULL;
			errno = ENOENT;
			return -1;
		}
	}
	/* POSIX lets a data pointer from dlsym() stand for a function's. */
	memcpy(&libsd, sym, sizeof(libsd));
	return 0;
}
