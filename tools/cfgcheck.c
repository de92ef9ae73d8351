/**
 * cfgcheck: build-time check of one scenario.
 *
 * Linked with tools/config_validate.c and one scenario's config.c (which
 * defines `scenario`), it checks every scenario rule on the images as built:
 * each NAME=PATH argument names an image of the scenario and the file it was
 * built into, whose size stands in for the image. The build refuses a
 * scenario it rejects; the kernel does not check those rules again, except
 * the one that depends on the board (its RAM: board_check() at boot).
 *
 * The board's RAM is the platform's (configs/platform) unless --board-ram
 * gives the size QEMU will give it (scons mem=, QEMU -m: a number of MiB
 * or GiB, e.g. 2G), so that a scenario is checked against the board it is
 * built to run on (rule S5, tools/config_validate.c).
 *
 *   cfgcheck [--stamp FILE] [--board-ram SIZE] NAME=PATH ...
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

#include "config_validate.h"

#define EXIT_INVALID 1
#define EXIT_USAGE 2

#define MIB (1ULL << 20)
#define GIB (1ULL << 30)
/** The largest --board-ram taken (1 TiB): a bound against overflow only. */
#define BOARD_RAM_MAX (1ULL << 40)

/** The scenario as checked: `scenario` on the board --board-ram gives. */
static struct cfg_scenario checked;
static struct cfg_platform board;
/** The board's name in messages: the platform's and where its RAM came
 * from. */
static char board_name[128];

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
		"usage: cfgcheck [--stamp FILE] [--board-ram SIZE] NAME=PATH "
		"...\n"
		"Check the scenario linked into this program against the\n"
		"images NAME built into PATH, on a board with SIZE of RAM\n"
		"(e.g. 2G, 512M; default: its platform's). If it is valid,\n"
		"write FILE.\n");
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

/**
 * Parse a board RAM size, "<number>M" or "<number>G" (scons mem=), into
 * @p bytes. Returns false (after printing why) if it is not one.
 */
static bool parse_board_ram(const char *text, uint64_t *bytes)
{
	char *end;
	unsigned long long n;
	uint64_t unit = 0;

	errno = 0;
	n = strtoull(text, &end, 10);
	if (end != text && text[0] >= '0' && text[0] <= '9' && errno == 0) {
		unit = strcmp(end, "M") == 0   ? MIB
		       : strcmp(end, "G") == 0 ? GIB
					       : 0;
	}
	if (unit == 0 || n == 0 || n > BOARD_RAM_MAX / unit) {
		fprintf(stderr,
			"cfgcheck: --board-ram '%s': a size in MiB or GiB is "
			"needed, e.g. 512M or 2G\n",
			text);
		return false;
	}
	*bytes = (uint64_t)n * unit;
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
	const char *board_ram = NULL;
	uint64_t board_ram_bytes = 0;
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
		if (strcmp(argv[i], "--board-ram") == 0) {
			if (i + 1 >= argc || board_ram != NULL) {
				fprintf(stderr, "cfgcheck: --board-ram takes "
						"one SIZE, once\n");
				usage(stderr);
				free(images);
				return EXIT_USAGE;
			}
			board_ram = argv[++i];
			if (!parse_board_ram(board_ram, &board_ram_bytes)) {
				usage(stderr);
				free(images);
				return EXIT_USAGE;
			}
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
	checked = scenario;
	if (board_ram != NULL && scenario.platform != NULL) {
		board = *scenario.platform;
		board.ram_size = board_ram_bytes;
		snprintf(board_name, sizeof(board_name), "%s with scons mem=%s",
			 board.name != NULL ? board.name : "(unnamed platform)",
			 board_ram);
		board.name = board_name;
		checked.platform = &board;
	}
	problems = cfg_validate(&checked, images, image_count, print_problem,
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
