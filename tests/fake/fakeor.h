/*
 * fakeor: a fake OpenRouter API server for orkit's tests.
 *
 * libmicrohttpd's epoll loop, one thread per core: a delay or a paced
 * body suspends its connection and a timer resumes it (wake.c), so no
 * callback ever sleeps.  No jv value is ever shared between threads:
 * libjv 1.6 reference counts are not atomic, so shared data lives as C
 * strings and every request parses what it needs into its own values.
 */

#include <sys/types.h>

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <jv.h>
#include <microhttpd.h>

#define FAKE_USER	"user_fake"
#define DEFAULT_MODEL	"openai/gpt-4o-mini"
#define GEN_MAX		10000		/* generations remembered */
#define BODY_MAX	(64UL << 20)	/* largest request body taken */

enum auth { AUTH_OK, AUTH_MISSING, AUTH_BAD };

/* A script line taken for one request (script.c). */
#define ACT_OPTS	16
struct action {
	char	*name;		/* NULL: no line matched */
	char	*arg;		/* first positional argument, or NULL */
	int	 nopt;
	char	*key[ACT_OPTS];
	char	*val[ACT_OPTS];
};

/* One request, from its first header to its completion callback. */
struct buf {
	char	*p;
	size_t	 len, cap;
};

struct call {
	struct MHD_Connection	*conn;
	char			*method;
	char			*url;	/* as received, without the query */
	const char		*path;	/* url without an /api/v1 prefix */
	struct buf		 body;
	int			 toobig;
	jv			 json;	/* parsed body, or invalid */
	enum auth		 auth;
	long long		 t0;	/* ms, when the request was complete */
	unsigned		 seed;	/* rand_r state of this request */
	int			 held;	/* its delay is over */
	struct action		 act;	/* its script line */
};

/* A generation, as GET /generation reports it (state.c). */
struct gen {
	char	 id[48];
	char	*model, *provider, *finish, *user, *agent, *referer;
	long	 ptok, ctok, latency, gentime;
	double	 cost;
	struct timespec created;
	int	 streamed, cancelled;
	int	 byok;		/* upstream billed the user's own key */
	double	 upstream;	/* USD the upstream charged (BYOK) */
	long long at_ms;	/* when it was remembered */
	long	 lookups;	/* GET /generation calls for it so far */
};

/* A chat answer, shared by the JSON and the SSE bodies (chat.c). */
struct answer {
	char		 id[48];
	time_t		 created;
	char		*model;
	const char	*provider;
	char		*text;
	size_t		 textlen;
	const char	*finish;
	long		 ptok, ctok;
	double		 pprice, cprice;	/* USD per token */
	int		 byok;		/* the "byok" script action */
};

/* util.c */
void		*xmalloc(size_t);
void		*xrealloc(void *, size_t);
char		*xstrdup(const char *);
char		*xstrndup(const char *, size_t);
long long	 now_ms(void);
char		*slurp(const char *, size_t *);	/* owned, NUL-ended; NULL+errno */
jv		 parse_json(const char *, size_t);	/* owned; exactly one value */
jv		 jget(jv, const char *);	/* borrows obj; owned or invalid */
const char	*jstr(jv);		/* borrowed string value, or NULL */
size_t		 utf8_floor(const char *, size_t);
double		 money(double);		/* rounded to 12 significant digits */
void		 buf_add(struct buf *, const void *, size_t);
void		 buf_addstr(struct buf *, const char *);
void		 buf_addjv(struct buf *, jv);	/* compact dump; consumes */
void		 buf_free(struct buf *);

/* state.c */
extern volatile sig_atomic_t stopping;
extern double total_credits;		/* -c: GET /credits' total_credits */
extern double key_limit;		/* -L: GET /key's limit; < 0 none */
extern long chat_delay_ms;		/* -d: every chat answer waits */
extern long gen_delay_ms;		/* -g: every /generation waits */
extern long gen_lag_lookups;		/* -k: 404 to an id's first K */
extern long gen_lag_ms;			/* -w: 404 for MS after the answer */
void		 state_init(const char *, const char *);
void		 state_free(void);
const char	*catalog_raw(size_t *);
jv		 catalog_find(const char *);	/* owned model, or invalid */
int		 catalog_prices(const char *, double *, double *);
const char	*fixtures_dir(void);
const char	*api_key(void);		/* FAKEOR_KEY, or NULL */
unsigned	 new_seed(void);
void		 new_gen_id(char *, size_t);
void		 gen_remember(struct gen *);	/* takes its strings */
int		 gen_lookup(const char *, struct gen *);	/* copies; counts */
void		 gen_clear(struct gen *);
double		 usage_total(void);

/* script.c */
void		 script_open(const char *);
void		 script_close(void);
void		 script_take(const char *, const char *, size_t,
		    struct action *);
void		 action_clear(struct action *);
const char	*action_opt(const struct action *, const char *);
long		 action_num(const struct action *, const char *, long);
int		 action_is(const struct action *, const char *);

/* reqlog.c */
void		 reqlog_open(const char *);
void		 reqlog_close(void);
void		 reqlog_write(const struct call *);

/* reply.c */
enum MHD_Result	 reply_queue(struct call *, unsigned, struct MHD_Response *);
enum MHD_Result	 reply_bytes(struct call *, unsigned, const char *,
		    const char *, size_t);
enum MHD_Result	 reply_json(struct call *, unsigned, jv);
jv		 error_body(int, const char *, jv, int);
enum MHD_Result	 reply_error(struct call *, unsigned, const char *, int);
enum MHD_Result	 reply_auth(struct call *);
enum MHD_Result	 reply_status(struct call *, const struct action *);
enum MHD_Result	 reply_garbage(struct call *);
enum MHD_Result	 reply_fixture(struct call *, const struct action *);
enum MHD_Result	 reply_error200(struct call *, const struct action *);

/* plan.c: a body sent in paced pieces */
enum plan_end { END_OK, END_CUT, END_STALL };
struct plan;
struct plan	*plan_new(unsigned, int);
void		 plan_add(struct plan *, const char *, size_t);
void		 plan_addstr(struct plan *, const char *);
void		 plan_pause(struct plan *, long);
void		 plan_drip(struct plan *, long);
void		 plan_end(struct plan *, enum plan_end, long);
long		 plan_ms(const struct plan *);
struct MHD_Response *plan_response(struct plan *, struct MHD_Connection *);
					/* takes the plan */

/* wake.c: suspend a connection for a while, from its callback */
void		 wake_start(void);
int		 wake_after(struct MHD_Connection *, long);	/* 1: suspended */
void		 wake_stop(void);		/* resumes them all */

/* chat.c */
struct prov {
	const char	*author;	/* NULL: anyone else */
	const char	*name, *tag;	/* first endpoint */
	const char	*name2, *tag2;	/* second endpoint */
};
enum MHD_Result	 chat_serve(struct call *, const struct action *);
const struct prov *prov_of(const char *);
const char	*provider_of(const char *);
jv		 chat_usage(const struct answer *, long);
double		 chat_cost(const struct answer *, long);	/* billed */
double		 chat_upstream(const struct answer *, long);
jv		 chat_error(const struct action *, int, const char *, int);
jv		 chat_midstream_error(const struct action *);

/* sse.c */
size_t		 sse_plan(struct plan *, const struct answer *,
		    const struct action *, unsigned *);	/* content bytes sent */

/* route.c */
enum MHD_Result	 on_request(void *, struct MHD_Connection *, const char *,
		    const char *, const char *, const char *, size_t *,
		    void **);
void		 on_done(void *, struct MHD_Connection *, void **,
		    enum MHD_RequestTerminationCode);

/* info.c */
enum MHD_Result	 models_serve(struct call *, const struct action *);
enum MHD_Result	 endpoints_serve(struct call *, const struct action *);
enum MHD_Result	 generation_serve(struct call *, const struct action *);
enum MHD_Result	 key_serve(struct call *, const struct action *);
enum MHD_Result	 credits_serve(struct call *, const struct action *);
