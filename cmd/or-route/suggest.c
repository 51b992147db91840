/* suggest.c: a placeholder until or-route suggest lands. */
#include "route.h"
#include "util.h"

int
suggest_main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	warnx_("suggest: not written yet");
	return 2;
}
