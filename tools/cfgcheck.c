/**
 * cfgcheck: build-time check of one scenario.
 *
 * Linked with tools/config_validate.c and one scenario's config.c (which
 * defines `scenario`), it checks every scenario rule on the images as built:
 * each NAME=PATH argument names an image of the scenario and the file it was
 * built into, whose size stands in for the image. The build refuses a
 * scenario it rejects; the kernel does not check those rules again.
 *
 *   cfgcheck [--stamp FILE] NAME=PATH ...
 *
 * Exit status: 0 if the scenario is valid (and FILE was written), 1 if it is
 * not or an image file cannot be read, 2 on bad usage. Problems go to stderr
 * as "<scenario>: error: <sentence>"; a valid scenario prints nothing.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "hyp/config.h"

#define EXIT_INVALID 1
#define EXIT_USAGE 2

/** The scenario's name for message prefixes. */
static const char *scenario_label(void)
{
	if (scenario.name == NULL || scenario.name[0] == '\0') {
		return "(unnamed scenario)";
	}
	return scenario.name;
}

static void usage(FILE *out)
{
	fprintf(out,
		"usage: cfgcheck [--stamp FILE] NAME=PATH ...\n"
		"Check the scenario linked into this program against the\n"
		"images NAME built into PATH. If it is valid, write FILE.\n");
}

/** Report callback of cfg_validate(): one line per problem. */
static void print_problem(void *ctx, const char *msg)
{
	(void)ctx;
	fprintf(stderr, "%s: error: %s\n", scenario_label(), msg);
}

/**
 * Parse "NAME=PATH" into @p img and @p path. Returns false (after printing
 * why) if the argument has no '=', or an empty name or path.
 */
static bool parse_image_arg(char *arg, struct cfg_image *img, const char **path)
{
	char *eq = strchr(arg, '=');

	if (eq == NULL || eq == arg || eq[1] == '\0') {
		fprintf(stderr, "cfgcheck: '%s' is not of the form NAME=PATH\n",
			arg);
		return false;
	}
	*eq = '\0';
	img->name = arg;
	img->data = NULL;
	img->size = 0;
	*path = eq + 1;
	return true;
}

/**
 * Set @p img's size from the regular file at @p path, which must be readable.
 * Returns false after printing the reason otherwise.
 */
static bool stat_image(struct cfg_image *img, const char *path)
{
	FILE *f = fopen(path, "rb");
	struct stat st;
	int err;

	if (f == NULL) {
		fprintf(stderr, "%s: error: image '%s': cannot open '%s': %s\n",
			scenario_label(), img->name, path, strerror(errno));
		return false;
	}
	if (fstat(fileno(f), &st) != 0) {
		err = errno;
		fclose(f);
		fprintf(stderr, "%s: error: image '%s': cannot stat '%s': %s\n",
			scenario_label(), img->name, path, strerror(err));
		return false;
	}
	fclose(f);
	if (!S_ISREG(st.st_mode)) {
		fprintf(stderr,
			"%s: error: image '%s': '%s' is not a regular file\n",
			scenario_label(), img->name, path);
		return false;
	}
	img->size = (uint64_t)st.st_size;
	return true;
}

/** Create or truncate the stamp file @p path; false after printing why not. */
static bool write_stamp(const char *path)
{
	FILE *f = fopen(path, "w");

	if (f == NULL) {
		fprintf(stderr, "cfgcheck: cannot write stamp '%s': %s\n", path,
			strerror(errno));
		return false;
	}
	fprintf(f, "scenario '%s' is valid\n", scenario_label());
	if (fclose(f) != 0) {
		fprintf(stderr, "cfgcheck: cannot write stamp '%s': %s\n", path,
			strerror(errno));
		return false;
	}
	return true;
}

int main(int argc, char **argv)
{
	const char *stamp = NULL;
	struct cfg_image *images;
	size_t image_count = 0;
	bool files_ok = true;
	size_t problems;
	int i;

	images = calloc((size_t)argc, sizeof(*images));
	if (images == NULL) {
		fprintf(stderr, "cfgcheck: out of memory\n");
		return EXIT_INVALID;
	}
	for (i = 1; i < argc; i++) {
		const char *path;

		if (strcmp(argv[i], "-h") == 0 ||
		    strcmp(argv[i], "--help") == 0) {
			usage(stdout);
			free(images);
			return 0;
		}
		if (strcmp(argv[i], "--stamp") == 0) {
			if (i + 1 >= argc || stamp != NULL) {
				fprintf(stderr, "cfgcheck: --stamp takes one "
						"FILE, once\n");
				usage(stderr);
				free(images);
				return EXIT_USAGE;
			}
			stamp = argv[++i];
			continue;
		}
		if (argv[i][0] == '-') {
			fprintf(stderr, "cfgcheck: unknown option '%s'\n",
				argv[i]);
			usage(stderr);
			free(images);
			return EXIT_USAGE;
		}
		if (!parse_image_arg(argv[i], &images[image_count], &path)) {
			usage(stderr);
			free(images);
			return EXIT_USAGE;
		}
		if (cfg_find_image(images, image_count,
				   images[image_count].name) != NULL) {
			fprintf(stderr, "cfgcheck: image '%s' is given twice\n",
				images[image_count].name);
			usage(stderr);
			free(images);
			return EXIT_USAGE;
		}
		if (stat_image(&images[image_count], path)) {
			image_count++;
		} else {
			files_ok = false;
		}
	}
	if (!files_ok) {
		free(images);
		return EXIT_INVALID;
	}
	problems = cfg_validate(&scenario, images, image_count, print_problem,
				NULL);
	free(images);
	if (problems != 0) {
		return EXIT_INVALID;
	}
	if (stamp != NULL && !write_stamp(stamp)) {
		return EXIT_INVALID;
	}
	return 0;
}
