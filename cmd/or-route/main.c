/* or-route: temporary main for suggest; replaced at merge. */
#include <stdio.h>
#include <string.h>

#include "route.h"
#include "util.h"

int
main(int argc, char **argv)
{
	progname = "or-route";
	if (argc == 2 && strcmp(argv[1], "--version") == 0) {
		printf("or-route %s\n", VERSION);
		return 0;
	}
	if (argc >= 2 && strcmp(argv[1], "suggest") == 0)
		return suggest_main(argc - 1, argv + 1);
	fprintf(stderr, "usage: or-route suggest [options]\n");
	return 2;
}
