/* money.c: picodollars and their decimal text. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "money.h"

int64_t
money_pico(double usd)
{
	if (!isfinite(usd))
		return 0;
	return (int64_t)llround(usd * MONEY_PICO);
}

double
money_usd(int64_t pico)
{
	return (double)pico / MONEY_PICO;
}

/* Exact decimal dollars: at least 6 places, at most 12. */
void
money_fmt(int64_t pico, char out[40])
{
	int n;

	n = snprintf(out, 40, "%s%lld.%012lld", pico < 0 ? "-" : "",
	    (long long)(llabs(pico) / 1000000000000LL),
	    (long long)(llabs(pico) % 1000000000000LL));
	while (n > 0 && out[n - 1] == '0' && strchr(out, '.') + 7 <
	    out + n)
		out[--n] = '\0';
}
