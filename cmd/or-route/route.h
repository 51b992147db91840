/* route.h: what or-route's files share. */
#ifndef OR_ROUTE_H
#define OR_ROUTE_H

/* suggest.c: `or-route suggest [-t] [-d db] [--since age] [--until when]`. */
int	 suggest_main(int argc, char **argv);	/* exit status */

#endif
