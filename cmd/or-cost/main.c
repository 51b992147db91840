/* or-cost: not written yet; see orkit(7). */
#include <stdio.h>
#include <string.h>

int
main(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "--version") == 0) {
		printf("or-cost %s\n", VERSION);
		return 0;
	}
	fprintf(stderr, "or-cost: not implemented yet in orkit %s\n"
	    "usage: or-cost --version\n", VERSION);
	return 2;
}
