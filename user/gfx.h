/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * cairo and fontconfig for `leakmon graph`, loaded with dlopen() when it
 * draws.  Linked, they and what they link (X11, xcb, freetype, libpng,
 * brotli...: 20 shared objects) were loaded by every run of the CLI,
 * each Zabbix item's `leakmon check` among them, and made its start
 * several times slower (5 s instead of 1 s under a debug kernel).
 *
 * Include this instead of cairo's headers: the cairo and fontconfig calls
 * of the including file then go through the table lm_gfx_load() fills.
 */
#ifndef LEAKMON_GFX_H
#define LEAKMON_GFX_H

#include <stddef.h>

#include <cairo.h>
#include <cairo-svg.h>
#include <fontconfig/fontconfig.h>

#define LM_GFX_CAIRO_SONAME	"libcairo.so.2"
#define LM_GFX_FC_SONAME	"libfontconfig.so.1"

/* X(library, function) for every function leakmon calls */
#define LM_GFX_FUNCS(X) \
	X(cairo, cairo_clip) \
	X(cairo, cairo_create) \
	X(cairo, cairo_debug_reset_static_data) \
	X(cairo, cairo_destroy) \
	X(cairo, cairo_fill) \
	X(cairo, cairo_image_surface_create) \
	X(cairo, cairo_line_to) \
	X(cairo, cairo_move_to) \
	X(cairo, cairo_paint) \
	X(cairo, cairo_rectangle) \
	X(cairo, cairo_restore) \
	X(cairo, cairo_rotate) \
	X(cairo, cairo_save) \
	X(cairo, cairo_select_font_face) \
	X(cairo, cairo_set_dash) \
	X(cairo, cairo_set_font_size) \
	X(cairo, cairo_set_line_join) \
	X(cairo, cairo_set_line_width) \
	X(cairo, cairo_set_source_rgb) \
	X(cairo, cairo_show_text) \
	X(cairo, cairo_status) \
	X(cairo, cairo_status_to_string) \
	X(cairo, cairo_stroke) \
	X(cairo, cairo_surface_destroy) \
	X(cairo, cairo_surface_finish) \
	X(cairo, cairo_surface_status) \
	X(cairo, cairo_surface_write_to_png_stream) \
	X(cairo, cairo_svg_surface_create_for_stream) \
	X(cairo, cairo_text_extents) \
	X(cairo, cairo_translate) \
	X(fc, FcFini)

struct lm_gfx {
#define LM_GFX_PTR(lib, f) __typeof__(f) *p_##f;
	LM_GFX_FUNCS(LM_GFX_PTR)
#undef LM_GFX_PTR
};
extern struct lm_gfx lm_gfx;

/*
 * Load cairo and fontconfig once; 0, or -1 with the reason (the library
 * or function that is missing, and the Debian package to install) in why.
 */
int lm_gfx_load(char *why, size_t size);

#ifndef LM_GFX_IMPL
#define cairo_clip (*lm_gfx.p_cairo_clip)
#define cairo_create (*lm_gfx.p_cairo_create)
#define cairo_debug_reset_static_data (*lm_gfx.p_cairo_debug_reset_static_data)
#define cairo_destroy (*lm_gfx.p_cairo_destroy)
#define cairo_fill (*lm_gfx.p_cairo_fill)
#define cairo_image_surface_create (*lm_gfx.p_cairo_image_surface_create)
#define cairo_line_to (*lm_gfx.p_cairo_line_to)
#define cairo_move_to (*lm_gfx.p_cairo_move_to)
#define cairo_paint (*lm_gfx.p_cairo_paint)
#define cairo_rectangle (*lm_gfx.p_cairo_rectangle)
#define cairo_restore (*lm_gfx.p_cairo_restore)
#define cairo_rotate (*lm_gfx.p_cairo_rotate)
#define cairo_save (*lm_gfx.p_cairo_save)
#define cairo_select_font_face (*lm_gfx.p_cairo_select_font_face)
#define cairo_set_dash (*lm_gfx.p_cairo_set_dash)
#define cairo_set_font_size (*lm_gfx.p_cairo_set_font_size)
#define cairo_set_line_join (*lm_gfx.p_cairo_set_line_join)
#define cairo_set_line_width (*lm_gfx.p_cairo_set_line_width)
#define cairo_set_source_rgb (*lm_gfx.p_cairo_set_source_rgb)
#define cairo_show_text (*lm_gfx.p_cairo_show_text)
#define cairo_status (*lm_gfx.p_cairo_status)
#define cairo_status_to_string (*lm_gfx.p_cairo_status_to_string)
#define cairo_stroke (*lm_gfx.p_cairo_stroke)
#define cairo_surface_destroy (*lm_gfx.p_cairo_surface_destroy)
#define cairo_surface_finish (*lm_gfx.p_cairo_surface_finish)
#define cairo_surface_status (*lm_gfx.p_cairo_surface_status)
#define cairo_surface_write_to_png_stream (*lm_gfx.p_cairo_surface_write_to_png_stream)
#define cairo_svg_surface_create_for_stream (*lm_gfx.p_cairo_svg_surface_create_for_stream)
#define cairo_text_extents (*lm_gfx.p_cairo_text_extents)
#define cairo_translate (*lm_gfx.p_cairo_translate)
#define FcFini (*lm_gfx.p_FcFini)
#endif

#endif /* LEAKMON_GFX_H */
