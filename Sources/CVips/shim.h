// libvips (Debian: libvips-dev) for the image step. Its operations take their optional arguments
// as C varargs, which Swift cannot call, so each call the image step makes is wrapped here with
// fixed arguments.
#include <vips/vips.h>

static inline void sf_vips_quiet(const gchar *domain, GLogLevelFlags level, const gchar *message, gpointer data) {}

/// Starts libvips once for the process: no operation cache (no image is read twice), one thread
/// per image (the step runs images side by side), and no loader outside libvips's trusted set
/// (ImageMagick, PDF and the like are never reached from a content file) but SVG (librsvg), which
/// the shop's own images use. libvips's warnings are not printed: a damaged file fails instead
/// (`fail_on`), and the build names it.
static inline int sf_vips_start(const char *name) {
    if (VIPS_INIT(name) != 0) return -1;
    vips_cache_set_max(0);
    vips_concurrency_set(1);
    vips_block_untrusted_set(TRUE);
    vips_operation_block_set("VipsForeignLoadSvg", FALSE);
    g_log_set_handler("VIPS", G_LOG_LEVEL_WARNING, sf_vips_quiet, NULL);
    return 0;
}

/// The header of an image in memory, read without decoding its pixels: width, height, bands,
/// whether it has an alpha channel and its EXIF orientation (1 when none). Returns -1 when libvips
/// cannot read it.
static inline int sf_vips_header(const void *bytes, size_t length, int *width, int *height, int *has_alpha, int *orientation) {
    VipsImage *image = vips_image_new_from_buffer(bytes, length, "", NULL);
    if (image == NULL) return -1;
    *width = vips_image_get_width(image);
    *height = vips_image_get_height(image);
    *has_alpha = vips_image_hasalpha(image);
    int value = 1;
    if (vips_image_get_typeof(image, VIPS_META_ORIENTATION) != 0 && vips_image_get_int(image, VIPS_META_ORIENTATION, &value) != 0) value = 1;
    *orientation = value;
    g_object_unref(image);
    return 0;
}

/// Removes every piece of metadata from an image (EXIF with its GPS position, XMP, IPTC, ICC,
/// orientation): libvips 8.14's `strip` leaves EXIF in WebP files, so none is left to write.
static inline void sf_vips_remove_metadata(VipsImage *image) {
    gchar **fields = vips_image_get_fields(image);
    for (int i = 0; fields[i] != NULL; i++) vips_image_remove(image, fields[i]);
    g_strfreev(fields);
}

/// The image in memory, `width` pixels wide (its height follows), turned upright by its EXIF
/// orientation, decoded once into memory. Vector images (SVG) are drawn at that size; a raster is
/// never enlarged. A damaged or truncated file fails (the loader's `fail_on=error`) instead of being
/// filled grey.
static inline VipsImage *sf_vips_thumbnail(const void *bytes, size_t length, int width, int may_enlarge) {
    VipsImage *out = NULL;
    if (vips_thumbnail_buffer((void *)bytes, length, &out, width, "height", VIPS_MAX_COORD, "size",
            may_enlarge ? VIPS_SIZE_BOTH : VIPS_SIZE_DOWN, "option_string", "fail_on=error", NULL) != 0)
        return NULL;
    VipsImage *memory = vips_image_copy_memory(out);
    g_object_unref(out);
    if (memory != NULL) sf_vips_remove_metadata(memory);
    return memory;
}

/// A smaller copy of an image already in memory, `width` pixels wide.
static inline VipsImage *sf_vips_shrink(VipsImage *image, int width) {
    VipsImage *out = NULL;
    if (vips_thumbnail_image(image, &out, width, "height", VIPS_MAX_COORD, "size", VIPS_SIZE_DOWN, NULL) != 0) return NULL;
    return out;
}

/// The formats `sf_vips_save` writes.
enum { SF_VIPS_JPEG = 0, SF_VIPS_PNG = 1, SF_VIPS_WEBP = 2, SF_VIPS_AVIF = 3 };

/// Encodes an image with every piece of metadata stripped (EXIF with its GPS position, XMP, IPTC,
/// ICC). The bytes are the caller's to release with g_free. Returns -1 on failure.
static inline int sf_vips_save(VipsImage *image, int format, int quality, void **bytes, size_t *length) {
    switch (format) {
    case SF_VIPS_JPEG:
        return vips_jpegsave_buffer(image, bytes, length, "Q", quality, "strip", TRUE, "optimize_coding", TRUE, "interlace", TRUE, NULL);
    case SF_VIPS_PNG:
        return vips_pngsave_buffer(image, bytes, length, "strip", TRUE, "compression", 6, NULL);
    case SF_VIPS_WEBP:
        return vips_webpsave_buffer(image, bytes, length, "Q", quality, "strip", TRUE, "effort", 4, NULL);
    case SF_VIPS_AVIF:
        return vips_heifsave_buffer(image, bytes, length, "Q", quality, "strip", TRUE, "compression", VIPS_FOREIGN_HEIF_COMPRESSION_AV1,
            "effort", 2, NULL);
    default:
        return -1;
    }
}

/// The last libvips error as text, then cleared.
static inline char *sf_vips_take_error(void) {
    char *text = g_strdup(vips_error_buffer());
    vips_error_clear();
    return text;
}
