/*
 * money.h: dollars as integer picodollars (10^-12 USD), the unit every
 * orkit total is summed in, and their plain decimal text.
 *
 * A figure is rounded to picodollars once, when it is read; sums of
 * picodollars are then exact (up to about $9 million), where adding
 * doubles drifts in the last places. OpenRouter bills to 1e-10 USD, so
 * a sum of its figures is exact to the 1e-10 dollar.
 */
#ifndef ORKIT_MONEY_H
#define ORKIT_MONEY_H

#include <stdint.h>

#define MONEY_PICO	1e12		/* picodollars in a dollar */

int64_t	 money_pico(double usd);	/* rounded; 0 when not finite */
double	 money_usd(int64_t pico);	/* the nearest double */
void	 money_fmt(int64_t pico, char out[40]);
				/* plain decimal, never exponent form:
				   at least 6 places, at most 12 */

#endif
