/*
 * gate.c: or-send's budgets, enforced at lib/xfer's gate, before every
 * start: first attempts, retries, fallback models and --on-402 too.
 *
 * Spent against a limit is, for the period the clock is in:
 *   the ledger's committed spend, read once when the period begins to
 *	be counted (or-log's rows of other and earlier runs);
 *   + what this run was billed for the requests it started in it;
 *   + a reservation for every request in flight: its worst case, from
 *	lib/estimate on the body as sent.
 * An answer replaces its reservation by its usage.cost. A request that
 * failed before it could be billed (an error status, no server)
 * releases it; one that may have been billed but says no cost (a cut
 * stream, a timeout after bytes came, an interrupt in flight) keeps it
 * as spent, since nothing smaller is known.
 *
 * A request whose reservation would cross a limit waits while other
 * reservations in flight might still settle lower, and is refused when
 * what is already spent leaves it no room: its record gets an error of
 * type budget_exceeded and goes out in its turn. Each request is
 * weighed on its own, so a later, cheaper one may still fit.
 *
 * A request with no bound (--budget-unbounded allow) reserves all the
 * room its limits have left: it starts only when nothing else holds a
 * reservation against them, and nothing that costs anything starts
 * against them until it settles, so the most it can cross a limit by is
 * its own cost. While it waits its turn, no other request starts.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "account.h"
#include "budget.h"
#include "catalog.h"
#include "estimate.h"
#include "jvx.h"
#include "money.h"
#include "record.h"
#include "send.h"
#include "shared.h"
#include "store.h"
#include "util.h"

/* Refusals said one by one on stderr; the rest only counted. */
#define GATE_SAID	10

/* One limit, over the period being counted. */
struct account {
	char	 key[16];		/* the period; "" none yet */
	int64_t	 ledger, billed, reserved;
};

/* An unbounded request in flight: the room it holds under each limit. */
struct hold {
	const struct job *j;
	int64_t		*room;		/* one per limit */
};

struct gate {
	struct budget	 b;
	struct account	*acct;
	struct catalog	*cat;
	struct store	 st;
	int		 have_ledger;	/* st is open */
	struct budget_wait wait;	/* for a lock on it */
	struct shared	*sh;		/* --budget-shared, or NULL */
	jv		 stop;		/* an error every request gets */
	unsigned long	 refused, said;
	struct hold	*holds;		/* unbounded requests in flight */
	size_t		 nholds;
	const struct job *excl;		/* the unbounded one whose turn
					   it is: none other starts */
};

/*
 * The ledger, read-only, opened only when some limit counts it: missing
 * is no committed spend, said once; with --budget-shared the processes
 * still count together, in its -budget.
 */
static int
open_ledger(struct gate *g, const char *path, int shared)
{
	char *p = path ? xstrdup(path) : store_default_path();
	int rc = budget_open_ledger(&g->st, p, &g->wait);

	if (rc == 1 && shared)
		warnx_("%s: no ledger there: the budgets count only what the "
		    "or-sends sharing %s-budget spend", p, p);
	else if (rc == 1)
		warnx_("%s: no ledger there: budgets count only this run's "
		    "spend", p);
	free(p);
	if (rc != 0)
		store_close(&g->st);	/* it holds the path even so */
	g->have_ledger = rc == 0;
	return rc < 0 ? -1 : 0;
}

/* Some limit counts more than this run: the ledger matters. */
static int
counts_ledger(const struct budget *b)
{
	size_t i;

	for (i = 0; i < b->n; i++)
		if (b->v[i].period != BUDGET_RUN)
			return 1;
	return 0;
}

static struct catalog *
catalog(const struct cfg *cfg)
{
	struct cat_opts co = { CAT_TTL_MS, 0 };
	char *path = cat_path();
	struct catalog *c = cat_read(path);

	free(path);
	return c ? c : cat_load(cfg, &co);
}

struct gate *
gate_new(const struct cfg *cfg, struct budget *b, const char *ledger,
    int shared)
{
	struct gate *g = xmalloc(sizeof(*g));
	char *path;

	memset(g, 0, sizeof(*g));
	g->b = *b;		/* taken */
	memset(b, 0, sizeof(*b));
	g->acct = xmalloc(sizeof(*g->acct) * (g->b.n ? g->b.n : 1));
	memset(g->acct, 0, sizeof(*g->acct) * (g->b.n ? g->b.n : 1));
	g->stop = jv_invalid();
	g->wait.pre = "";
	g->wait.post = ", before sending on it";
	/* run limits count this process alone: no ledger, nothing shared */
	if (counts_ledger(&g->b) && open_ledger(g, ledger, shared) == -1) {
		gate_free(g);
		return NULL;
	}
	if (counts_ledger(&g->b) && shared) {
		path = ledger ? xstrdup(ledger) : store_default_path();
		g->sh = shared_open(path);
		free(path);
		if (g->sh == NULL) {
			gate_free(g);
			return NULL;
		}
	}
	if (g->b.n > 0 && (g->cat = catalog(cfg)) == NULL)
		warnx_("no model catalog: no request can be bounded, so "
		    "none is sent (see --budget-unbounded)");
	return g;
}

void
gate_free(struct gate *g)
{
	if (g == NULL)
		return;
	if (g->have_ledger)
		store_close(&g->st);
	shared_close(g->sh);
	cat_free(g->cat);
	budget_free(&g->b);
	free(g->acct);
	while (g->nholds > 0)
		free(g->holds[--g->nholds].room);
	free(g->holds);
	jv_free(g->stop);
	free(g);
}

/*
 * --min-credits: GET /credits and /key once, before the first request.
 * Below the floor, every record goes out refused: 1, and or-send exits
 * 3 even with no record to refuse (a cron check of the floor alone);
 * when neither figure can be read there is nothing to check against:
 * -1, said.
 */
int
gate_floor(struct gate *g, struct http *h, double min)
{
	jv cerr, kerr, o = account_read(h, &cerr, &kerr);
	const char *what;
	double left;
	char l[40], m[40];
	jv msg;
	int rc = 0;

	if (account_below(o, min, &left, &what)) {
		budget_fmt(money_pico(left), l);
		budget_fmt(money_pico(min), m);
		msg = jv_string_fmt("not sent: the %s, $%s, is below "
		    "--min-credits $%s", what, l, m);
		warnx_("%s", jv_string_value(msg));
		g->stop = jv_object_set(rec_errobj("budget_exceeded",
		    jv_string_value(msg), 1), jv_string("limit"),
		    jv_string("min-credits"));
		jv_free(msg);
		rc = 1;
	} else if (!jvx_num(o, "remaining", &left) &&
	    !jvx_num(o, "limit_remaining", &left)) {
		msg = jvx_get(jv_copy(cerr), "message");
		warnx_("--min-credits: the credit left cannot be read (GET "
		    "/credits: %s) and the key has no limit",
		    jv_get_kind(msg) == JV_KIND_STRING ?
		    jv_string_value(msg) : "failed");
		jv_free(msg);
		rc = -1;
	}
	jv_free(o);
	jv_free(cerr);
	jv_free(kerr);
	return rc;
}

static jv
ledger_unread(const struct gate *g, const struct budget_limit *l)
{
	return jv_string_fmt("not sent: the ledger %s cannot be read (%s), "
	    "so the %s budget cannot be checked", g->st.path,
	    store_errmsg(&g->st), l->name);
}

/* The period now is in; the ledger read afresh when it is a new one. */
static int
roll(struct gate *g, size_t i, int64_t now, jv *err)
{
	const struct budget_limit *l = &g->b.v[i];
	struct account *a = &g->acct[i];
	int64_t since, until;
	char key[16];

	budget_window(l->period, now, &since, &until, key);
	if (strcmp(a->key, key) == 0)
		return 0;
	memset(a, 0, sizeof(*a));
	if (g->have_ledger && g->sh == NULL &&
	    budget_ledger(&g->st, l, now, &a->ledger) == -1) {
		*err = ledger_unread(g, l);
		return -1;
	}
	snprintf(a->key, sizeof(a->key), "%s", key);
	return 0;
}

/*
 * --budget-shared: the limit's spend as the shared file has it, every
 * process's; the baseline set from the ledger by the first to count
 * the period. Inside shared_begin's transaction.
 */
static int
sync_shared(struct gate *g, size_t i, int64_t now, jv *err)
{
	const struct budget_limit *l = &g->b.v[i];
	struct account *a = &g->acct[i];
	int found;

	if (g->sh == NULL || l->period == BUDGET_RUN)
		return 0;
	if ((found = shared_baseline(g->sh, l->name, a->key,
	    &a->ledger)) == 0) {
		a->ledger = 0;
		if (g->have_ledger && budget_ledger(&g->st, l, now,
		    &a->ledger) == -1) {
			*err = ledger_unread(g, l);
			return -1;
		}
		found = shared_set_baseline(g->sh, l->name, a->key,
		    a->ledger);
	}
	if (found == -1 || shared_sums(g->sh, l->name, a->key, &a->billed,
	    &a->reserved) == -1) {
		*err = jv_string_fmt("not sent: the shared budget file cannot "
		    "be read, so the %s budget cannot be checked", l->name);
		return -1;
	}
	return 0;
}

/* The model the body asks for: "model", else the first of "models". */
static char *
job_model(const struct job *j)
{
	char *s = jvx_strdup(j->body, "model");

	return s ? s : jvx_strdup(j->body, "models.0");
}

/* What would bound it, for each reason it has none. */
static jv
unbounded_why(const struct estimate *e)
{
	const char *m = jv_is_valid(e->model) ? jv_string_value(e->model) :
	    "";

	switch (e->status) {
	case EST_NO_MODEL:
		return jv_string("it names no model), and budgets refuse "
		    "what they cannot bound (give it one: -m, ORKIT_MODEL or "
		    "config.json; or --budget-unbounded allow");
	case EST_UNKNOWN:
		return jv_string_fmt("%s is not in the model catalog), and "
		    "budgets refuse what they cannot bound (check the id, or "
		    "or-models --refresh if it is new; or --budget-unbounded "
		    "allow", m);
	case EST_DYNAMIC:
		return jv_string_fmt("%s has no fixed price: it is decided "
		    "per request), and budgets refuse what they cannot bound "
		    "(name a model with a fixed price, or --budget-unbounded "
		    "allow", m);
	default:
		return jv_string_fmt("%s has neither an output limit nor a "
		    "context length to bound the answer by), and budgets "
		    "refuse what they cannot bound (set max_tokens, or "
		    "--budget-unbounded allow", m);
	}
}

/*
 * The worst case of the body as sent into *pico: 0; 1 when it has none
 * and --budget-unbounded allow sends it; -1 with *err when refused.
 */
static int
worst_case(struct gate *g, const struct job *j, int64_t *pico, jv *err)
{
	struct estimate e;
	jv why;
	int rc = 0;

	*pico = 0;
	if (g->cat == NULL) {
		if (g->b.unbounded)
			return 1;
		*err = jv_string("not sent: no model catalog to bound its "
		    "cost by, and budgets refuse what they cannot bound "
		    "(--budget-unbounded allow sends it)");
		return -1;
	}
	est_price(g->cat, jv_copy(j->body), &e);
	if (e.status == EST_OK)
		*pico = money_pico(e.usd);
	else if (g->b.unbounded)
		rc = 1;
	else {
		why = unbounded_why(&e);
		*err = jv_string_fmt("not sent: its cost cannot be bounded "
		    "(%s)", jv_string_value(why));
		jv_free(why);
		rc = -1;
	}
	est_free(&e);
	return rc;
}

static jv
usd(int64_t pico)
{
	return jv_number(money_usd(pico));
}

/* The error's figures, beside its message. */
static jv
exceeded_obj(const struct gate *g, size_t i, jv msg, jv ask)
{
	const struct budget_limit *l = &g->b.v[i];
	const struct account *a = &g->acct[i];
	jv e = rec_errobj("budget_exceeded", jv_string_value(msg), 1);

	jv_free(msg);
	e = jv_object_set(e, jv_string("limit"), jv_string(l->name));
	e = jv_object_set(e, jv_string("period"), jv_string(a->key));
	e = jv_object_set(e, jv_string("limit_usd"), usd(l->pico));
	e = jv_object_set(e, jv_string("spent_usd"), usd(a->ledger +
	    a->billed));
	e = jv_object_set(e, jv_string("reserved_usd"), usd(a->reserved));
	return jv_object_set(e, jv_string("request_usd"), ask);
}

static jv
exceeded(const struct gate *g, size_t i, int64_t ask)
{
	const struct budget_limit *l = &g->b.v[i];
	const struct account *a = &g->acct[i];
	char lim[40], sp[40], rs[40], rq[40];

	budget_fmt(l->pico, lim);
	budget_fmt(a->ledger + a->billed, sp);
	budget_fmt(a->reserved, rs);
	budget_fmt(ask, rq);
	return exceeded_obj(g, i, jv_string_fmt("not sent: the %s budget of "
	    "$%s would be crossed: $%s spent, $%s reserved in flight, this "
	    "request up to $%s", l->name, lim, sp, rs, rq), usd(ask));
}

/* An unbounded request finds its limit spent: request_usd null. */
static jv
spent_out(const struct gate *g, size_t i)
{
	const struct budget_limit *l = &g->b.v[i];
	const struct account *a = &g->acct[i];
	char lim[40], sp[40];

	budget_fmt(l->pico, lim);
	budget_fmt(a->ledger + a->billed, sp);
	return exceeded_obj(g, i, jv_string_fmt("not sent: the %s budget of "
	    "$%s is spent ($%s), and this request's cost has no bound",
	    l->name, lim, sp), jv_null());
}

/* Not sent: written into the record, and said on stderr up to a count. */
static int
refuse(struct gate *g, struct job *j, jv err, int say)
{
	jv msg, where;

	if (jv_get_kind(err) == JV_KIND_STRING) {
		msg = err;
		err = jv_object_set(rec_errobj("budget_exceeded",
		    jv_string_value(msg), 1), jv_string("limit"), jv_null());
		jv_free(msg);
	}
	if (say && g->said < GATE_SAID) {
		where = rec_where(j->rec);
		msg = jv_object_get(jv_copy(err), jv_string("message"));
		warnx_("%s: %s", jv_string_value(where), jv_string_value(msg));
		jv_free(where);
		jv_free(msg);
		g->said++;
	}
	if (g->excl != NULL && g->excl == j)
		g->excl = NULL;
	g->refused++;
	j->refused = 1;
	send_unsent(j, err);
	return XFER_DONE;
}

/*
 * Whether each limit lets ask more go; XFER_SEND, _LATER or _DONE. With
 * room (an unbounded request), what each limit has left goes there
 * instead: it waits for every reservation against them to settle.
 * *napplied: how many limits count the request.
 */
static int
weigh(struct gate *g, struct job *j, int64_t ask, int64_t now,
    int64_t *room, size_t *napplied)
{
	char *model = job_model(j), *id = rec_job(j->rec->val);
	int later = 0, rc;
	size_t i;
	jv err = jv_invalid();

	*napplied = 0;
	for (i = 0; i < g->b.n; i++) {
		const struct budget_limit *l = &g->b.v[i];
		struct account *a = &g->acct[i];

		if (!budget_applies(l, model, id))
			continue;
		(*napplied)++;
		if (roll(g, i, now, &err) == -1 ||
		    sync_shared(g, i, now, &err) == -1)
			break;
		if (room != NULL) {
			room[i] = l->pico - a->ledger - a->billed;
			if (room[i] <= 0) {
				err = spent_out(g, i);
				break;
			}
			later |= a->reserved > 0;
			continue;
		}
		if (a->ledger + a->billed + a->reserved + ask <= l->pico)
			continue;
		if (a->reserved > 0 && a->ledger + a->billed + ask <=
		    l->pico) {
			later = 1;	/* room, once those in flight settle */
			continue;
		}
		err = exceeded(g, i, ask);
		break;
	}
	free(model);
	free(id);
	if (jv_is_valid(err))
		return refuse(g, j, err, 1);
	rc = later ? XFER_LATER : XFER_SEND;
	return rc;
}

/*
 * Adds to what each limit the job's attempt counted against has
 * reserved (or, with billed, has been billed), in the period it was
 * weighed in: the model as it was then, whatever a fallback made of it.
 * The amount is each[i] x pico per limit (pico then 1 or -1), or pico
 * for every limit when each is NULL.
 */
static void
count(struct gate *g, const struct job *j, const int64_t *each,
    int64_t pico, int billed)
{
	char *id = rec_job(j->rec->val);
	int64_t since, until, v;
	char key[16];
	size_t i;

	for (i = 0; i < g->b.n; i++) {
		budget_window(g->b.v[i].period, j->gated, &since, &until,
		    key);
		if (!budget_applies(&g->b.v[i], j->gmodel, id) ||
		    strcmp(g->acct[i].key, key) != 0)
			continue;	/* not its limit, or a period gone */
		v = each ? each[i] * pico : pico;
		if (v == 0)
			continue;
		if (billed)
			g->acct[i].billed += v;
		else
			g->acct[i].reserved += v;
		if (g->sh && g->b.v[i].period != BUDGET_RUN)
			(void)shared_add(g->sh, g->b.v[i].name, key,
			    billed ? 0 : v, billed ? v : 0);
					/* a failure was said */
	}
	free(id);
}

/* The room an unbounded request in flight holds, or NULL. */
static struct hold *
hold_of(struct gate *g, const struct job *j)
{
	size_t i;

	for (i = 0; i < g->nholds; i++)
		if (g->holds[i].j == j)
			return &g->holds[i];
	return NULL;
}

static void
hold_add(struct gate *g, const struct job *j, int64_t *room)
{
	g->holds = xrealloc(g->holds, (g->nholds + 1) * sizeof(*g->holds));
	g->holds[g->nholds].j = j;
	g->holds[g->nholds].room = room;
	g->nholds++;
}

static void
hold_drop(struct gate *g, struct hold *h)
{
	free(h->room);
	*h = g->holds[--g->nholds];
}

/* Weighs the job and, when it may go, reserves for it. */
static int
reserve(struct gate *g, struct job *j, int64_t ask, int unbounded,
    int64_t now)
{
	int64_t *room = NULL;
	size_t n;
	int rc;

	if (unbounded) {
		room = xmalloc(g->b.n * sizeof(*room));
		memset(room, 0, g->b.n * sizeof(*room));
	}
	rc = weigh(g, j, ask, now, room, &n);
	if (unbounded && n > 0 && rc != XFER_DONE)
		g->excl = j;		/* its turn: hold the others */
	if (rc == XFER_SEND) {
		j->gated = now;
		j->reserved = unbounded ? 0 : ask;
		free(j->gmodel);
		j->gmodel = job_model(j);
		if (unbounded && n > 0) {
			count(g, j, room, 1, 0);
			hold_add(g, j, room);
			room = NULL;
		} else
			count(g, j, NULL, ask, 0);
	}
	free(room);
	return rc;
}

int
gate_check(struct gate *g, struct job *j, int64_t *wait)
{
	int64_t now, ask;
	jv err = jv_invalid();
	int rc, unbounded;

	*wait = 0;
	if (jv_is_valid(g->stop))
		return refuse(g, j, jv_copy(g->stop), 0);
	if (g->b.n == 0)
		return XFER_SEND;
	if (g->excl != NULL && g->excl != j)
		return XFER_LATER;	/* an unbounded request's turn */
	if ((unbounded = worst_case(g, j, &ask, &err)) < 0)
		return refuse(g, j, err, 1);
	now = budget_now_ms();
	if (g->sh && shared_begin(g->sh) == -1)
		return refuse(g, j, jv_string("not sent: the shared budget "
		    "file cannot be locked, so no budget can be checked"), 1);
	rc = reserve(g, j, ask, unbounded, now);
	if (g->sh && shared_end(g->sh) == -1 && rc == XFER_SEND) {
		/* the reservation was not kept: send nothing on it */
		j->gated = -1;
		if (hold_of(g, j))
			hold_drop(g, hold_of(g, j));
		return refuse(g, j, jv_string("not sent: the shared budget "
		    "file cannot be written, so no budget can be checked"), 1);
	}
	return rc;
}

/*
 * The attempt ended: its reservation becomes what it cost (cost >= 0),
 * nothing (billed 0: it failed before it could be), or stays spent.
 */
void
gate_settle(struct gate *g, struct job *j, int64_t cost, int billed)
{
	struct hold *h;

	if (g == NULL)
		return;
	if (g->excl == j)
		g->excl = NULL;
	if (j->gated < 0)
		return;
	if (g->sh && shared_begin(g->sh) == -1)
		warnx_("the shared budget file keeps this request's "
		    "reservation as spent");
	if ((h = hold_of(g, j)) != NULL) {
		count(g, j, h->room, -1, 0);
		if (cost >= 0)
			count(g, j, NULL, cost, 1);
		else if (billed)
			count(g, j, h->room, 1, 1);
		hold_drop(g, h);
	} else {
		count(g, j, NULL, -j->reserved, 0);
		if (cost >= 0)
			count(g, j, NULL, cost, 1);
		else if (billed)
			count(g, j, NULL, j->reserved, 1);
	}
	if (g->sh)
		(void)shared_end(g->sh);	/* a failure was said */
	j->gated = -1;
	j->reserved = 0;
}

unsigned long
gate_refused(const struct gate *g)
{
	return g ? g->refused : 0;
}

/* The refusals not said one by one, counted. */
void
gate_report(const struct gate *g)
{
	unsigned long rest;

	if (g == NULL || g->refused == 0 || (rest = g->refused - g->said) ==
	    0)
		return;
	if (g->said == 0)
		warnx_("%lu record%s not sent: a budget said stop; each says "
		    "which in error.type \"budget_exceeded\"", rest,
		    rest == 1 ? "" : "s");
	else
		warnx_("%lu more record%s not sent by a budget, %lu in all; "
		    "each says which in error.type \"budget_exceeded\"", rest,
		    rest == 1 ? "" : "s", g->refused);
}
