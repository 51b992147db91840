/* or-log: not written yet; see orkit(7). */
#include <stdio.h>
#include <string.h>

int
main(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "--version") == 0) {
		printf("or-log %s\n", VERSION);
		return 0;
	}
	fprintf(stderr, "or-log: not implemented yet in orkit %s\n"
	    "usage: or-log --version\n", VERSION);
	return 2;
}
