// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * cairo and fontconfig, loaded by `leakmon graph` when it draws (gfx.h).
 */
#define LM_GFX_IMPL
#include "gfx.h"

#include <dlfcn.h>
#include <stdio.h>

struct lm_gfx lm_gfx;

static const struct {
	const char *soname;
	const char *package;
} gfx_libs[] = {
	{ LM_GFX_CAIRO_SONAME, "libcairo2" },
	{ LM_GFX_FC_SONAME, "libfontconfig1" },
};

enum { GFX_cairo, GFX_fc, GFX_NLIBS };

int lm_gfx_load(char *why, size_t size)
{
	static int loaded;
	void *h[GFX_NLIBS];
	void *p;

	if (loaded)
		return 0;
	for (size_t i = 0; i < GFX_NLIBS; i++) {
		/* never closed: cairo's and fontconfig's state lives on */
		h[i] = dlopen(gfx_libs[i].soname, RTLD_NOW | RTLD_LOCAL);
		if (!h[i]) {
			snprintf(why, size, "cannot load %s (%s; Debian's "
				 "package %s has it)", gfx_libs[i].soname,
				 dlerror(), gfx_libs[i].package);
			return -1;
		}
	}
#define LM_GFX_SYM(lib, f)						\
	do {								\
		p = dlsym(h[GFX_##lib], #f);				\
		if (!p) {						\
			snprintf(why, size, "%s has no %s",		\
				 gfx_libs[GFX_##lib].soname, #f);	\
			return -1;					\
		}							\
		*(void **)&lm_gfx.p_##f = p;				\
	} while (0);
	LM_GFX_FUNCS(LM_GFX_SYM)
#undef LM_GFX_SYM
	loaded = 1;
	return 0;
}
