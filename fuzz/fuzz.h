/*
 * fuzz.h: what the libFuzzer targets share.  Each target is one
 * LLVMFuzzerTestOneInput over the real parser, linked with the
 * library built for fuzzing (make fuzz); none writes a file or reaches
 * the network: a parser that reads a path is given a memfd's.
 */
#ifndef ORKIT_FUZZ_H
#define ORKIT_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int	 LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* The bytes in an anonymous file, read from its start; -1 fails. */
static inline int
fuzz_memfd(const uint8_t *p, size_t n)
{
	int fd = memfd_create("fuzz", 0);
	ssize_t w;

	if (fd == -1)
		abort();
	while (n > 0) {
		if ((w = write(fd, p, n)) <= 0)
			abort();
		p += w;
		n -= (size_t)w;
	}
	if (lseek(fd, 0, SEEK_SET) != 0)
		abort();
	return fd;
}

/* A path that names the memfd, for a parser that opens one. */
static inline void
fuzz_fd_path(int fd, char path[64])
{
	snprintf(path, 64, "/proc/self/fd/%d", fd);
}

/* The bytes as a C string (malloc'd): a NUL inside ends it early. */
static inline char *
fuzz_str(const uint8_t *p, size_t n)
{
	char *s = malloc(n + 1);

	if (s == NULL)
		abort();
	memcpy(s, p, n);
	s[n] = '\0';
	return s;
}

#endif
