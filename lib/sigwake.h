/*
 * sigwake.h: SIGINT and SIGTERM counted, not acted on, and a self-pipe
 * that wakes a poll loop (curl_multi_poll's extra fds, or poll) when one
 * arrives, so the loop decides what a signal stops.
 */
#ifndef ORKIT_SIGWAKE_H
#define ORKIT_SIGWAKE_H

int	sigwake_catch(void);	/* the fd to poll for POLLIN */
int	sigwake_wait(int fd);	/* 1: fd has input; 0: a signal came */
int	sigwake_count(void);	/* signals so far */
void	sigwake_drain(void);	/* after the fd was readable */
void	sigwake_close(void);

#endif
